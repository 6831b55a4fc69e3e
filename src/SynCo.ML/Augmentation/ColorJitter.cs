using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SynCo.ML.Augmentation;

/// <summary>
/// Batched colour jitter (brightness, contrast, saturation, hue) with a per-image random order, as torchvision's
/// <c>ColorJitter</c> but with the hue shift done as a YIQ chroma rotation (see <see cref="ColorMatrices.Hue"/>).
/// </summary>
/// <remarks>
/// Every operation is an affine colour map followed by a clamp to [0, 1]: brightness b·x, contrast
/// c·x + (1 − c)·mean(gray(x)), saturation s·x + (1 − s)·gray(x), hue M(h)·x. The jitter therefore runs as four
/// stages; at stage k each image gets the k-th operation of its own order as a per-image matrix (identity for images
/// without jitter), applied to the whole batch with one <c>bmm</c>, an offset (contrast) and a clamp. Images that are
/// not 3-channel get brightness and contrast only (the mean is taken over all channels); saturation and hue are
/// identities for them.
/// </remarks>
internal static class ColorJitter
{
    internal const int Brightness = 0, Contrast = 1, Saturation = 2, Hue = 3;

    /// <summary>Applies the jitter.</summary>
    /// <param name="x">Float images (B, C, H, W) in [0, 1], on any device.</param>
    /// <param name="apply">(B,) bool on the CPU: which images are jittered.</param>
    /// <param name="factors">(B, 4) float64 on the CPU: brightness, contrast, saturation factors and hue shift.</param>
    /// <param name="order">(B, 4) int64 on the CPU: entry [i, k] is the operation image i runs at stage k.</param>
    /// <param name="enabled">Which of the four operations are enabled at all (strength &gt; 0).</param>
    /// <returns>The jittered images (B, C, H, W) in [0, 1]; <paramref name="x"/> itself when nothing applies.</returns>
    public static Tensor Apply(Tensor x, Tensor apply, Tensor factors, Tensor order, bool[] enabled)
    {
        long batch = x.shape[0], channels = x.shape[1];
        bool rgb = channels == 3;
        bool[] active =
        {
            enabled[Brightness], enabled[Contrast], rgb && enabled[Saturation], rgb && enabled[Hue],
        };
        if (!active.Any(a => a) || !apply.any().item<bool>())
            return x;

        Tensor identity = ColorMatrices.Identity(batch, channels);
        var matrices = new Tensor[4];
        matrices[Brightness] = ColorMatrices.Scale(factors[TensorIndex.Colon, Brightness], channels);
        matrices[Contrast] = ColorMatrices.Scale(factors[TensorIndex.Colon, Contrast], channels);
        matrices[Saturation] = rgb ? ColorMatrices.Saturation(factors[TensorIndex.Colon, Saturation]) : identity;
        matrices[Hue] = rgb ? ColorMatrices.Hue(factors[TensorIndex.Colon, Hue]) : identity;
        Tensor contrast = factors[TensorIndex.Colon, Contrast];
        Tensor one = torch.ones(batch, dtype: ScalarType.Float64);
        Tensor luma = torch.tensor(ColorMatrices.Luma, ScalarType.Float32, x.device);

        Tensor flat = x.reshape(batch, channels, -1);
        for (int stage = 0; stage < 4; stage++) // stages of the jitter, not images: each stage is whole-batch
        {
            Tensor opAtStage = order[TensorIndex.Colon, stage];
            Tensor m = identity;
            Tensor contrastAtStage = one;
            bool any = false;
            for (int op = 0; op < 4; op++)
            {
                if (!active[op]) continue;
                Tensor selected = apply.logical_and(opAtStage.eq(op));
                if (!selected.any().item<bool>()) continue;
                any = true;
                m = torch.where(selected.view(-1, 1, 1), matrices[op], m);
                if (op == Contrast)
                    contrastAtStage = torch.where(selected, contrast, one);
            }
            if (!any) continue;

            Tensor mapped = torch.bmm(m.to(ScalarType.Float32, x.device), flat);
            if (!ReferenceEquals(contrastAtStage, one))
            {
                // The contrast blend target is the mean grey level of the image as it is before this stage.
                Tensor meanGray = rgb
                    ? flat.mean(new long[] { 2 }).mul(luma).sum(1)
                    : flat.mean(new long[] { 1, 2 });
                Tensor weight = contrastAtStage.neg().add(1).to(ScalarType.Float32, x.device);
                mapped = mapped.add(meanGray.mul(weight).view(-1, 1, 1));
            }
            flat = mapped.clamp_(0, 1);
        }
        return flat.view(x.shape);
    }
}
