using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SynCo.ML.Augmentation;

/// <summary>
/// The random decisions for one batch of views, drawn in one call from a CPU generator so that the same seed gives
/// the same views whatever device the images live on. All tensors live on the CPU and belong to the dispose scope
/// that was current when <see cref="Sample(AugmentationOptions, long, long, long, Generator)"/> ran.
/// </summary>
/// <remarks>
/// Draw layout: a single <c>torch.rand(B, <see cref="Columns"/>, float64)</c>; row i holds every decision for
/// image i, so the stream layout does not depend on which operations are enabled (changing one probability does not
/// change the other operations' draws).
/// </remarks>
internal sealed class AugmentationParameters
{
    /// <summary>Attempts per image for the random-resized-crop rejection sampling (as torchvision).</summary>
    internal const int CropAttempts = 10;

    private const int ScaleColumn = 0;
    private const int RatioColumn = ScaleColumn + CropAttempts;
    private const int OffsetXColumn = RatioColumn + CropAttempts;
    private const int OffsetYColumn = OffsetXColumn + 1;
    private const int FlipColumn = OffsetYColumn + 1;
    private const int JitterApplyColumn = FlipColumn + 1;
    private const int JitterFactorColumn = JitterApplyColumn + 1; // 4 columns: b, c, s, h
    private const int JitterOrderColumn = JitterFactorColumn + 4;  // 4 columns: sort keys
    private const int GrayColumn = JitterOrderColumn + 4;
    private const int BlurApplyColumn = GrayColumn + 1;
    private const int BlurSigmaColumn = BlurApplyColumn + 1;

    /// <summary>Uniform numbers drawn per image.</summary>
    internal const int Columns = BlurSigmaColumn + 1;

    /// <summary>
    /// Affine matrices for <c>affine_grid</c> (align_corners false), (B, 2, 3) float32: crop, flip and resize in one.
    /// The crop box (x0, y0, w, h) in input pixels (sub-pixel, not rounded) and the flip are only in these matrices.
    /// </summary>
    public required Tensor Theta { get; init; }

    /// <summary>Whether colour jitter is applied, (B,) bool.</summary>
    public required Tensor JitterApply { get; init; }

    /// <summary>Jitter factors (B, 4) float64: brightness, contrast, saturation factors and hue shift (turns).</summary>
    public required Tensor JitterFactors { get; init; }

    /// <summary>Jitter order (B, 4) int64: entry [i, k] is the operation (0 b, 1 c, 2 s, 3 h) image i runs k-th.</summary>
    public required Tensor JitterOrder { get; init; }

    /// <summary>Grayscale decisions, (B,) bool.</summary>
    public required Tensor Grayscale { get; init; }

    /// <summary>Blur decisions, (B,) bool.</summary>
    public required Tensor BlurApply { get; init; }

    /// <summary>Blur standard deviations in output pixels, (B,) float64.</summary>
    public required Tensor BlurSigma { get; init; }

    /// <summary>Draws the parameters of <paramref name="batch"/> views of <paramref name="inputHeight"/>×<paramref name="inputWidth"/> images.</summary>
    public static AugmentationParameters Sample(AugmentationOptions o, long batch, long inputHeight, long inputWidth, Generator generator) =>
        Sample(o, batch, inputHeight, inputWidth, generator, BatchShard.Whole(batch));

    /// <summary>The parameters of this process's rows of a data-parallel global batch (drawn for all rows, then sliced).</summary>
    public static AugmentationParameters Sample(AugmentationOptions o, long batch, long inputHeight, long inputWidth, Generator generator, BatchShard shard)
    {
        Tensor u = shard.Local(torch.rand(new[] { shard.GlobalRows, (long)Columns }, dtype: ScalarType.Float64, generator: generator), batch);
        Tensor Col(int c) => u[TensorIndex.Colon, TensorIndex.Single(c)];
        Tensor Cols(int c, int n) => u[TensorIndex.Colon, TensorIndex.Slice(c, c + n)];

        // Random resized crop, torchvision's algorithm without rounding: up to 10 attempts of (area, log-ratio);
        // the first attempt that fits is used, otherwise a centred crop of the whole image clamped to the ratio range.
        double H = inputHeight, W = inputWidth;
        double area = H * W;
        Tensor targetArea = Cols(ScaleColumn, CropAttempts).mul(o.Crop.MaxScale - o.Crop.MinScale).add(o.Crop.MinScale).mul(area);
        double logMin = Math.Log(o.Crop.MinAspectRatio), logMax = Math.Log(o.Crop.MaxAspectRatio);
        Tensor aspect = Cols(RatioColumn, CropAttempts).mul(logMax - logMin).add(logMin).exp();
        Tensor w = targetArea.mul(aspect).sqrt();
        Tensor h = targetArea.div(aspect).sqrt();
        const double slack = 1e-9; // w = sqrt(H·W) must count as fitting when scale = ratio = 1 on a square image
        Tensor fits = w.le(W * (1 + slack)).logical_and(h.le(H * (1 + slack)));
        Tensor first = fits.to_type(ScalarType.Int32).argmax(1, keepdim: true); // first fitting attempt
        Tensor anyFits = fits.any(1);

        double inRatio = W / H, fallbackW = W, fallbackH = H;
        if (inRatio < o.Crop.MinAspectRatio) fallbackH = W / o.Crop.MinAspectRatio;
        else if (inRatio > o.Crop.MaxAspectRatio) fallbackW = H * o.Crop.MaxAspectRatio;

        Tensor cropW = torch.where(anyFits, w.gather(1, first).squeeze(1), Scalar(fallbackW)).clamp_max(W);
        Tensor cropH = torch.where(anyFits, h.gather(1, first).squeeze(1), Scalar(fallbackH)).clamp_max(H);
        Tensor x0 = torch.where(anyFits, Col(OffsetXColumn), Scalar(0.5)).mul(cropW.neg().add(W));
        Tensor y0 = torch.where(anyFits, Col(OffsetYColumn), Scalar(0.5)).mul(cropH.neg().add(H));

        Tensor flip = Col(FlipColumn).lt(o.Crop.HorizontalFlipProbability);
        Tensor sign = torch.where(flip, Scalar(-1.0), Scalar(1.0));

        // Output coordinates in [-1, 1] map to input coordinates centre + scale * out (align_corners false: ±1 are
        // the outer pixel edges), so the output samples the crop box [x0, x0 + w] × [y0, y0 + h].
        Tensor sx = cropW.div(W).mul(sign);
        Tensor sy = cropH.div(H);
        Tensor cx = x0.mul(2).add(cropW).div(W).sub(1);
        Tensor cy = y0.mul(2).add(cropH).div(H).sub(1);
        Tensor zero = torch.zeros_like(sx);
        Tensor theta = torch.stack(new[] { sx, zero, cx, zero, sy, cy }, 1).view(batch, 2, 3).to_type(ScalarType.Float32);

        // Colour jitter: factor ranges as torchvision's ColorJitter.
        Tensor jitterApply = Col(JitterApplyColumn).lt(o.ColorJitter.Probability);
        Tensor lo = torch.tensor(new[] { Math.Max(0, 1 - o.ColorJitter.Brightness), Math.Max(0, 1 - o.ColorJitter.Contrast), Math.Max(0, 1 - o.ColorJitter.Saturation), -o.ColorJitter.Hue }, ScalarType.Float64);
        Tensor hi = torch.tensor(new[] { 1 + o.ColorJitter.Brightness, 1 + o.ColorJitter.Contrast, 1 + o.ColorJitter.Saturation, o.ColorJitter.Hue }, ScalarType.Float64);
        Tensor factors = Cols(JitterFactorColumn, 4).mul(hi.sub(lo)).add(lo);
        Tensor order = o.ColorJitter.RandomOrder
            ? Cols(JitterOrderColumn, 4).argsort(1)
            : torch.arange(4, ScalarType.Int64).unsqueeze(0).expand(batch, 4).contiguous();

        Tensor gray = Col(GrayColumn).lt(o.GrayscaleProbability);
        Tensor blurApply = Col(BlurApplyColumn).lt(o.Blur.Probability);
        Tensor sigma = Col(BlurSigmaColumn).mul(o.Blur.SigmaMax - o.Blur.SigmaMin).add(o.Blur.SigmaMin);

        return new AugmentationParameters
        {
            Theta = theta,
            JitterApply = jitterApply,
            JitterFactors = factors,
            JitterOrder = order,
            Grayscale = gray,
            BlurApply = blurApply,
            BlurSigma = sigma,
        };
    }

    private static Tensor Scalar(double value) => torch.tensor(value, ScalarType.Float64);
}
