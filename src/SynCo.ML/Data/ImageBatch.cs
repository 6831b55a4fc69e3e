using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SynCo.ML.Data;

/// <summary>One batch from a <see cref="BatchLoader"/>: the images and where they came from.</summary>
/// <remarks>
/// The caller owns <see cref="Images"/>. It is created on the thread that advances the enumerator, in whatever
/// TorchSharp dispose scope is current there at that moment; dispose it (or this batch) when done, or let an
/// enclosing scope collect it.
/// </remarks>
public sealed class ImageBatch : IDisposable
{
    internal ImageBatch(Tensor images, int epoch, int step, int[] indices)
    {
        Images = images;
        Epoch = epoch;
        Step = step;
        Indices = indices;
    }

    /// <summary>uint8 tensor (B, C, H, W) on the CPU, values 0–255.</summary>
    public Tensor Images { get; }

    /// <summary>The epoch this batch belongs to.</summary>
    public int Epoch { get; }

    /// <summary>Step within the epoch, from 0.</summary>
    public int Step { get; }

    /// <summary>Dataset indices of the images, in batch order.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>
    /// How long the enumerator waited for the background reader to have this batch ready (zero when reading keeps ahead
    /// of the caller's step).
    /// </summary>
    public TimeSpan Waited { get; init; }

    /// <summary>Disposes <see cref="Images"/>.</summary>
    public void Dispose() => Images.Dispose();
}
