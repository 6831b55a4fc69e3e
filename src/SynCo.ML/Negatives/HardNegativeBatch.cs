using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Negatives;

/// <summary>
/// What a generator may draw on for one training batch: the (detached) unit queries, the indices of each query's
/// N hardest queue entries, the queue itself, and a seeded random generator on the same device.
/// </summary>
public sealed class HardNegativeBatch
{
    /// <summary>Creates the batch view. All tensors must be on one device; nothing here is tracked by autograd.</summary>
    /// <param name="queries">(B, D) unit queries, detached.</param>
    /// <param name="hardIndices">(B, N) int64 indices into <paramref name="queue"/> of each query's hardest negatives.</param>
    /// <param name="queue">(K, D) unit keys.</param>
    /// <param name="generator">Random source on the same device as the tensors.</param>
    public HardNegativeBatch(Tensor queries, Tensor hardIndices, Tensor queue, Generator generator)
        : this(queries, hardIndices, queue, generator, BatchShard.Whole(queries.shape[0]))
    {
    }

    /// <summary>A batch that is this process's rows of a data-parallel global batch: draws are made for all rows and sliced.</summary>
    internal HardNegativeBatch(Tensor queries, Tensor hardIndices, Tensor queue, Generator generator, BatchShard shard)
    {
        Shard = shard;
        Queries = queries;
        HardIndices = hardIndices;
        Queue = queue;
        Generator = generator;
    }

    /// <summary>(B, D) unit queries, detached.</summary>
    public Tensor Queries { get; }

    /// <summary>(B, 1, D) view of <see cref="Queries"/> that broadcasts against (B, n, D) samples.</summary>
    public Tensor QueriesPerSample => Queries.unsqueeze(1);

    /// <summary>(B, N) indices of each query's N hardest queue entries (unordered).</summary>
    public Tensor HardIndices { get; }

    /// <summary>(K, D) queue of unit keys.</summary>
    public Tensor Queue { get; }

    /// <summary>Random source for every draw of this batch.</summary>
    public Generator Generator { get; }

    /// <summary>Batch size B (this process's rows).</summary>
    public long BatchSize => Queries.shape[0];

    /// <summary>Where these rows sit in the global batch.</summary>
    internal BatchShard Shard { get; }

    /// <summary>
    /// Draws <paramref name="count"/> hard negatives per query, uniformly with replacement from that query's hard
    /// pool, independently per query and per draw: a (B, count, D) tensor.
    /// </summary>
    public Tensor SampleHard(int count)
    {
        long pool = HardIndices.shape[1];
        Tensor positions = Shard.Local(randint(pool, new[] { Shard.GlobalRows, count }, dtype: int64, device: Queries.device, generator: Generator), BatchSize);
        Tensor queueRows = HardIndices.gather(1, positions);
        return Queue.index_select(0, queueRows.flatten()).view(BatchSize, count, -1);
    }

    /// <summary>Per-sample coefficients ~ U(<paramref name="min"/>, <paramref name="max"/>): a (B, count, 1) tensor.</summary>
    public Tensor Uniform(int count, double min, double max) =>
        Shard.Local(rand(new[] { Shard.GlobalRows, count, 1L }, dtype: Queries.dtype, device: Queries.device, generator: Generator), BatchSize) * (max - min) + min;

    /// <summary>Standard normal noise shaped like the samples: a (B, count, D) tensor.</summary>
    public Tensor Normal(int count) =>
        Shard.Local(randn(new[] { Shard.GlobalRows, count, Queries.shape[1] }, dtype: Queries.dtype, device: Queries.device, generator: Generator), BatchSize);
}
