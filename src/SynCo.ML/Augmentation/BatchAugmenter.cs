using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SynCo.ML.Augmentation;

/// <summary>
/// Produces random contrastive views of a whole batch of images with batched tensor operations (no per-image or
/// per-pixel work in C#), on whatever device the images are on.
/// </summary>
/// <remarks>
/// <para>
/// Pipeline per image (MoCo v2 order): random resized crop + horizontal flip + resize (one <c>affine_grid</c> and
/// bilinear <c>grid_sample</c>), colour jitter in a random per-image order, random grayscale, Gaussian blur with a
/// per-image σ, then per-channel normalisation. See <see cref="AugmentationOptions"/> for the parameters.
/// </para>
/// <para>
/// All random numbers are drawn on the CPU from the generator passed to <see cref="Apply(Tensor, Generator)"/> and then copied to the
/// images' device, so a given seed produces the same views on the CPU and on CUDA (up to floating-point differences
/// of the kernels). Differences from torchvision: crop boxes are sub-pixel (not rounded to whole pixels), hue is
/// shifted by a YIQ chroma rotation instead of in HSV space, blur is a true Gaussian rather than PIL's box
/// approximation, and downscaling is not antialiased.
/// </para>
/// <para>An instance is immutable and may be shared between threads; each call scopes its own temporaries.</para>
/// </remarks>
public sealed class BatchAugmenter
{
    private readonly AugmentationOptions _options;
    private readonly int _height, _width;
    private readonly ChannelNormalization _normalization;
    private readonly bool[] _jitterEnabled;
    private readonly int _blurRadius;

    /// <summary>Creates an augmenter. The options are validated and copied; later changes to them have no effect.</summary>
    /// <param name="options">The augmentation settings, sized to the images (see <see cref="AugmentationOptions.SizedTo"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The options are inconsistent (see <see cref="AugmentationOptions.Validate"/>), or their crop size or normalisation is null.
    /// </exception>
    public BatchAugmenter(AugmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!options.IsSized)
            throw new ArgumentException("The augmentation is not sized to the images (its Crop.Height, Crop.Width or Normalization is null): " +
                "call options.SizedTo(channels, height, width) first, or pass the options as the trainer's Augmentation, which sizes them to the training images.", nameof(options));
        _options = options.Clone();
        (_height, _width, _normalization) = (_options.Crop.Height!.Value, _options.Crop.Width!.Value, _options.Normalization!);
        _jitterEnabled = new[] { _options.ColorJitter.Brightness > 0, _options.ColorJitter.Contrast > 0, _options.ColorJitter.Saturation > 0, _options.ColorJitter.Hue > 0 };
        _blurRadius = GaussianBlur.Radius(_options.Blur.SigmaMax);
    }

    /// <summary>A copy of the options this augmenter uses.</summary>
    public AugmentationOptions Options => _options.Clone();

    /// <summary>Draws one random view of every image in the batch.</summary>
    /// <param name="images">
    /// uint8 (byte) tensor (B, C, H, W) with values 0–255, C equal to <see cref="AugmentationOptions.Channels"/>;
    /// any device. Planar RGB channel order for 3 channels.
    /// </param>
    /// <param name="generator">
    /// A CPU generator (for example <c>new torch.Generator(seed)</c>); it advances by one draw per call.
    /// </param>
    /// <returns>
    /// A new float32 tensor (B, C, <see cref="ResizedCropOptions.Height"/>, <see cref="ResizedCropOptions.Width"/>)
    /// on the images' device, normalised with the options' mean and std. It is moved out of this method's dispose
    /// scope into the caller's current scope (if any); the caller owns it.
    /// </returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The images are not a uint8 4-D tensor with the expected channel count, or the generator is not a CPU generator.</exception>
    public Tensor Apply(Tensor images, Generator generator) => Apply(images, generator, shard: null);

    /// <summary>As <see cref="Apply(Tensor, Generator)"/> for this process's rows of a data-parallel global batch (null: the whole batch).</summary>
    internal Tensor Apply(Tensor images, Generator generator, BatchShard? shard)
    {
        CheckImages(images);
        ArgumentNullException.ThrowIfNull(generator);
        if (generator.device.type != DeviceType.CPU)
            throw new ArgumentException(
                $"The generator must be a CPU generator (new torch.Generator(seed)), not one on {generator.device}: parameters are always drawn on the CPU so a seed gives the same views on every device.",
                nameof(generator));

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var p = AugmentationParameters.Sample(_options, images.shape[0], images.shape[2], images.shape[3], generator,
            shard ?? BatchShard.Whole(images.shape[0]));
        return Normalize(ApplyUnnormalized(images, p)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The deterministic evaluation transform: scale to [0, 1], resize to the output size if the input size differs
    /// (centre crop to the output aspect ratio, then bilinear resize with antialiasing), normalise.
    /// </summary>
    /// <param name="images">uint8 tensor (B, C, H, W), any device, as for <see cref="Apply(Tensor, Generator)"/>.</param>
    /// <returns>A new float32 tensor (B, C, Height, Width) on the images' device, owned by the caller.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> is null.</exception>
    /// <exception cref="ArgumentException">The images are not a uint8 4-D tensor with the expected channel count.</exception>
    public Tensor Evaluate(Tensor images)
    {
        CheckImages(images);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor x = ToUnitFloat(images);
        long h = x.shape[2], w = x.shape[3], outH = _height, outW = _width;
        if (h != outH || w != outW)
        {
            // Centre crop to the output aspect ratio (whole pixels), then resize.
            if (w * outH > h * outW)
            {
                long cropW = Math.Max(1, (long)Math.Round((double)h * outW / outH));
                x = x.narrow(3, (w - cropW) / 2, cropW);
            }
            else if (w * outH < h * outW)
            {
                long cropH = Math.Max(1, (long)Math.Round((double)w * outH / outW));
                x = x.narrow(2, (h - cropH) / 2, cropH);
            }
            bool shrinking = x.shape[2] > outH || x.shape[3] > outW;
            x = nn.functional.interpolate(x, new[] { outH, outW }, mode: InterpolationMode.Bilinear,
                align_corners: false, antialias: shrinking).clamp_(0, 1);
        }
        return Normalize(x).MoveToOuterDisposeScope();
    }

    /// <summary>Draws the random parameters for a batch (CPU tensors in the current dispose scope).</summary>
    internal AugmentationParameters Sample(Tensor images, Generator generator) =>
        AugmentationParameters.Sample(_options, images.shape[0], images.shape[2], images.shape[3], generator);

    /// <summary>
    /// The view before normalisation: float32 (B, C, Height, Width) in [0, 1]. Temporaries go to the caller's scope.
    /// </summary>
    internal Tensor ApplyUnnormalized(Tensor images, AugmentationParameters p)
    {
        Tensor x = ToUnitFloat(images);
        x = ResizedCropFlip.Apply(x, p.Theta, _height, _width);
        if (_options.ColorJitter.Probability > 0)
            x = ColorJitter.Apply(x, p.JitterApply, p.JitterFactors, p.JitterOrder, _jitterEnabled);
        if (_options.GrayscaleProbability > 0)
            x = RandomGrayscale.Apply(x, p.Grayscale);
        if (_options.Blur.Probability > 0)
            x = GaussianBlur.Apply(x, p.BlurSigma, p.BlurApply, _blurRadius);
        return x;
    }

    /// <summary>(x − mean) / std per channel; temporaries go to the caller's scope.</summary>
    internal Tensor Normalize(Tensor x)
    {
        long c = x.shape[1];
        Tensor mean = torch.tensor(_normalization.Mean, ScalarType.Float32, x.device).view(1, c, 1, 1);
        Tensor std = torch.tensor(_normalization.Std, ScalarType.Float32, x.device).view(1, c, 1, 1);
        return x.sub(mean).div(std);
    }

    private static Tensor ToUnitFloat(Tensor images) => images.to_type(ScalarType.Float32).div(255f);

    private void CheckImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4)
            throw new ArgumentException(
                $"images must be a 4-D tensor (batch, channels, height, width); got {images.dim()} dimensions [{string.Join(", ", images.shape)}].",
                nameof(images));
        if (images.dtype != ScalarType.Byte)
            throw new ArgumentException(
                $"images must be uint8 (torch.uint8 / ScalarType.Byte) with values 0–255; got {images.dtype}.", nameof(images));
        if (images.shape[1] != _normalization.Channels)
            throw new ArgumentException(
                $"images have {images.shape[1]} channels but the options' Mean/Std describe {_normalization.Channels}; build the options for {images.shape[1]} channels (for example AugmentationOptions.SmallImages(h, w, {images.shape[1]})).",
                nameof(images));
        if (images.shape[0] == 0 || images.shape[2] == 0 || images.shape[3] == 0)
            throw new ArgumentException($"images must not be empty; got shape [{string.Join(", ", images.shape)}].", nameof(images));
    }
}
