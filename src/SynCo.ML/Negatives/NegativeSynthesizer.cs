using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Negatives;

/// <summary>
/// Builds the synthetic negatives of one batch: selects each query's <see cref="HardPoolSize"/> hardest queue
/// entries by cosine (top-k on the un-scaled logits), runs every generator, L2-normalises and detaches the result.
/// Synthetic vectors are never enqueued; only their logits q·h reach the loss, so gradient flows through q alone.
/// <example>
/// <code>
/// var synth = new NegativeSynthesizer(64, new INegativeGenerator[] { new MixupNegatives(16), new InterpolatedNegatives(16) });
/// var synthetic = synth.Synthesize(q, queueLogits, queue.Keys, generator); // (B, 32, D), unit rows
/// </code>
/// </example>
/// </summary>
public sealed class NegativeSynthesizer
{
    /// <summary>Creates a synthesizer.</summary>
    /// <param name="hardPoolSize">N: hardest queue entries kept per query; positive and at most the queue size.</param>
    /// <param name="generators">Strategies, applied in order; their column blocks follow the same order. At least one.</param>
    public NegativeSynthesizer(int hardPoolSize, IReadOnlyList<INegativeGenerator> generators)
    {
        HardPoolSize = Guard.Positive(hardPoolSize, nameof(hardPoolSize));
        ArgumentNullException.ThrowIfNull(generators);
        if (generators.Count == 0)
            throw new ArgumentException("At least one generator is required; use no synthesizer for plain MoCo v2.", nameof(generators));
        Generators = generators.ToArray();
        TotalCount = Generators.Sum(g => g.Count);
    }

    /// <summary>N, the size of each query's hard pool.</summary>
    public int HardPoolSize { get; }

    /// <summary>The strategies, in column order.</summary>
    public IReadOnlyList<INegativeGenerator> Generators { get; }

    /// <summary>Synthetic negatives per query (sum of the generators' counts).</summary>
    public int TotalCount { get; }

    /// <summary>Throws when this synthesizer's hard pool does not fit a queue of <paramref name="queueSize"/> keys.</summary>
    public void CheckQueueSize(int queueSize) => CheckHardPool(HardPoolSize, queueSize);

    /// <summary>The rule that the hard pool (N) fits the queue (K): N ≤ K. Checked once per run, where options or an engine are built.</summary>
    internal static void CheckHardPool(int hardPoolSize, int queueSize)
    {
        if (hardPoolSize > queueSize)
            throw new ArgumentOutOfRangeException("HardPoolSize", hardPoolSize,
                $"HardPoolSize ({hardPoolSize}) is larger than the queue ({queueSize}); lower HardPoolSize or raise QueueSize.");
    }

    /// <summary>Synthesises this batch's negatives.</summary>
    /// <param name="queries">(B, D) unit queries (detached internally).</param>
    /// <param name="queueLogits">(B, K) cosines q·queue, or any positive multiple of them (only their order picks the
    /// hard pool; <see cref="Contrastive.MoCoEngine"/> passes them already divided by the temperature).</param>
    /// <param name="queue">(K, D) unit keys, K ≥ <see cref="HardPoolSize"/> (<see cref="Contrastive.MoCoEngine"/> checks it once, when built).</param>
    /// <param name="generator">Random source on the tensors' device.</param>
    /// <returns>(B, <see cref="TotalCount"/>, D) unit vectors without gradient history, and each query's hard-pool entries of <paramref name="queueLogits"/> (B, N), at its scale.</returns>
    public (Tensor Negatives, Tensor HardCosines) Synthesize(Tensor queries, Tensor queueLogits, Tensor queue, Generator generator) =>
        Synthesize(queries, queueLogits, queue, generator, BatchShard.Whole(queries.shape[0]));

    /// <summary>As <see cref="Synthesize(Tensor, Tensor, Tensor, Generator)"/> for this process's rows of a data-parallel global batch.</summary>
    internal (Tensor Negatives, Tensor HardCosines) Synthesize(Tensor queries, Tensor queueLogits, Tensor queue, Generator generator, BatchShard shard)
    {
        using var noGrad = no_grad();
        var (hardCosines, hardIndices) = queueLogits.detach().topk(HardPoolSize, dim: 1, largest: true, sorted: false);
        var batch = new HardNegativeBatch(queries.detach(), hardIndices, queue.detach(), generator, shard);
        var blocks = new Tensor[Generators.Count];
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = Generators[i].Generate(batch);
            if (blocks[i].shape.Length != 3 || blocks[i].shape[1] != Generators[i].Count)
                throw new InvalidOperationException(
                    $"Generator '{Generators[i].Name}' returned shape [{string.Join(", ", blocks[i].shape)}]; expected [B, {Generators[i].Count}, D].");
        }
        Tensor all = blocks.Length == 1 ? blocks[0] : cat(blocks, 1);
        return (nn.functional.normalize(all, dim: -1).detach(), hardCosines);
    }
}
