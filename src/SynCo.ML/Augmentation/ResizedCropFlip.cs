using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SynCo.ML.Augmentation;

/// <summary>
/// Random resized crop, horizontal flip and resize in one resampling pass: one <c>affine_grid</c> for the batch
/// and one bilinear <c>grid_sample</c> (align_corners false, border padding).
/// </summary>
/// <remarks>
/// With an identity matrix and equal input and output sizes the sampling points fall exactly on pixel centres, so
/// the image is reproduced unchanged (up to float rounding); with a negated x scale it is mirrored exactly.
/// Bilinear sampling does not low-pass filter when a large crop is shrunk to a much smaller output (torchvision
/// resizes with antialiasing); views are usually upsampled or kept near their size, where this does not matter.
/// </remarks>
internal static class ResizedCropFlip
{
    /// <summary>Resamples the images.</summary>
    /// <param name="x">Float images (B, C, H, W), any device.</param>
    /// <param name="theta">(B, 2, 3) float32 affine matrices, on the CPU or the images' device.</param>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <returns>(B, C, height, width) on the images' device.</returns>
    public static Tensor Apply(Tensor x, Tensor theta, long height, long width)
    {
        Tensor grid = nn.functional.affine_grid(
            theta.to(x.device), new[] { x.shape[0], x.shape[1], height, width }, align_corners: false);
        return nn.functional.grid_sample(
            x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
    }
}
