using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SynCo.ML.Augmentation;

/// <summary>
/// Batched Gaussian blur with a different σ per image: a separable kernel applied as two grouped convolutions
/// (one group per image and channel), with edge-replicating padding.
/// </summary>
/// <remarks>
/// The kernel has 2·⌈3σ<sub>max</sub>⌉ + 1 taps for every image (σ<sub>max</sub> is the option's upper bound, so the
/// shape does not depend on the draw); each image's taps are exp(−k²/2σ²) normalised to sum 1. Images that are not
/// selected get a unit impulse, which leaves them exactly unchanged. PIL's <c>GaussianBlur(radius=σ)</c>, which
/// MoCo v2 uses, approximates the same Gaussian with repeated box filters.
/// </remarks>
internal static class GaussianBlur
{
    /// <summary>Kernel radius in taps for a largest σ.</summary>
    public static int Radius(double sigmaMax) => Math.Max(1, (int)Math.Ceiling(3 * sigmaMax));

    /// <summary>Per-image normalised 1-D kernels (B, 2r + 1) float64 on the CPU; impulses where not applied.</summary>
    public static Tensor Kernels(Tensor sigma, Tensor apply, int radius)
    {
        Tensor k = torch.arange(-radius, radius + 1, dtype: ScalarType.Float64).unsqueeze(0);
        Tensor s = sigma.view(-1, 1);
        Tensor g = k.square().div(s.square().mul(-2)).exp();
        g = g.div(g.sum(1, keepdim: true));
        Tensor impulse = k.eq(0).to_type(ScalarType.Float64);
        return torch.where(apply.view(-1, 1), g, impulse);
    }

    /// <summary>Blurs the selected images.</summary>
    /// <param name="x">Float images (B, C, H, W), any device.</param>
    /// <param name="sigma">(B,) float64 on the CPU: σ in pixels.</param>
    /// <param name="apply">(B,) bool on the CPU.</param>
    /// <param name="radius">Kernel radius (see <see cref="Radius"/>).</param>
    /// <returns>The blurred images; <paramref name="x"/> itself when nothing applies.</returns>
    public static Tensor Apply(Tensor x, Tensor sigma, Tensor apply, int radius)
    {
        if (!apply.any().item<bool>())
            return x;
        long batch = x.shape[0], channels = x.shape[1], height = x.shape[2], width = x.shape[3];
        long groups = batch * channels;
        int taps = 2 * radius + 1;
        Tensor kernels = Kernels(sigma, apply, radius).to(ScalarType.Float32, x.device)
            .unsqueeze(1).expand(batch, channels, taps).reshape(groups, 1, 1, taps);

        Tensor planes = x.reshape(1, groups, height, width);
        planes = nn.functional.pad(planes, new long[] { radius, radius, 0, 0 }, PaddingModes.Replicate);
        planes = nn.functional.conv2d(planes, kernels, groups: groups);
        planes = nn.functional.pad(planes, new long[] { 0, 0, radius, radius }, PaddingModes.Replicate);
        planes = nn.functional.conv2d(planes, kernels.view(groups, 1, taps, 1), groups: groups);
        return planes.view(x.shape);
    }
}
