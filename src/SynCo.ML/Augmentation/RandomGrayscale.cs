using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SynCo.ML.Augmentation;

/// <summary>
/// Batched random grayscale: selected 3-channel images become luma (0.299 R + 0.587 G + 0.114 B) replicated to
/// the three channels, the same as torchvision's <c>RandomGrayscale</c>. A no-op for other channel counts.
/// </summary>
internal static class RandomGrayscale
{
    /// <summary>Applies grayscale to the images selected by <paramref name="apply"/>.</summary>
    /// <param name="x">Float images (B, C, H, W), any device.</param>
    /// <param name="apply">(B,) bool on the CPU.</param>
    /// <returns>The converted images; <paramref name="x"/> itself when nothing applies.</returns>
    public static Tensor Apply(Tensor x, Tensor apply)
    {
        long batch = x.shape[0], channels = x.shape[1];
        if (channels != 3 || !apply.any().item<bool>())
            return x;
        Tensor m = torch.where(apply.view(-1, 1, 1), ColorMatrices.GrayMatrix().unsqueeze(0), ColorMatrices.Identity(batch, 3));
        return torch.bmm(m.to(ScalarType.Float32, x.device), x.reshape(batch, channels, -1)).view(x.shape);
    }
}
