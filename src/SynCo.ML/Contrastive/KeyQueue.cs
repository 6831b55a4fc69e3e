using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Contrastive;

/// <summary>
/// MoCo's dictionary: a preallocated ring buffer of K unit keys (K, D), written in place (no per-step concatenation).
/// Keys enter after the loss of the step that produced them, so a batch is never its own negative.
/// <example>
/// <code>
/// using var queue = new KeyQueue(size: 4096, dim: 128, device: torch.CPU, generator: gen);
/// var logits = q.matmul(queue.Keys.t());   // (B, K)
/// queue.Enqueue(k);                         // after the loss
/// </code>
/// </example>
/// </summary>
public sealed class KeyQueue : IDisposable
{
    /// <summary>Creates a queue filled with random unit vectors (each row normalised, unlike the SynCo code's column norm).</summary>
    /// <param name="size">K, number of keys; positive.</param>
    /// <param name="dim">D, key dimension; positive.</param>
    /// <param name="device">Device of the buffer.</param>
    /// <param name="generator">Random source for the initial keys (a CPU generator).</param>
    public KeyQueue(int size, int dim, Device device, Generator? generator = null)
    {
        Size = Guard.Positive(size, nameof(size));
        Guard.Positive(dim, nameof(dim));
        using var scope = NewDisposeScope();
        Keys = nn.functional.normalize(randn(new long[] { size, dim }, generator: generator), dim: 1).to(device).MoveToOuterDisposeScope();
        Keys.DetachFromDisposeScope();
    }

    /// <summary>K.</summary>
    public int Size { get; }

    /// <summary>The (K, D) buffer of unit keys. Read it; write only through <see cref="Enqueue"/> or <see cref="Restore"/>.</summary>
    public Tensor Keys { get; }

    /// <summary>Index of the slot the next key goes into.</summary>
    public int Pointer { get; private set; }

    /// <summary>Writes <paramref name="keys"/> (B, D) at the pointer, wrapping around, and advances it. B ≤ K.</summary>
    public void Enqueue(Tensor keys)
    {
        long b = keys.shape[0];
        if (b > Size)
            throw new ArgumentException($"Cannot enqueue {b} keys into a queue of {Size}; QueueSize must be at least the number of keys per step.", nameof(keys));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var k = keys.detach().to(Keys.dtype);
        long first = Math.Min(b, Size - Pointer);
        Keys.narrow(0, Pointer, first).copy_(k.narrow(0, 0, first));
        if (first < b) Keys.narrow(0, 0, b - first).copy_(k.narrow(0, first, b - first));
        Pointer = (int)((Pointer + b) % Size);
    }

    /// <summary>Replaces contents and pointer (checkpoint resume).</summary>
    public void Restore(Tensor keys, int pointer)
    {
        if (!keys.shape.SequenceEqual(Keys.shape))
            throw new ArgumentException($"Checkpoint queue has shape [{string.Join(", ", keys.shape)}]; this model's queue is [{string.Join(", ", Keys.shape)}].", nameof(keys));
        if (pointer < 0 || pointer >= Size) throw new ArgumentOutOfRangeException(nameof(pointer), pointer, $"pointer must lie in [0, {Size}).");
        using var noGrad = no_grad();
        Keys.copy_(keys);
        Pointer = pointer;
    }

    /// <inheritdoc/>
    public void Dispose() => Keys.Dispose();
}
