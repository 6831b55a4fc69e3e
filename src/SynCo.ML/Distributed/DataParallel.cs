using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Distributed;

/// <summary>
/// The collectives one data-parallel MoCo step needs, on tensors: gathering rows of every rank (the key encoder's
/// shuffled input, the keys), averaging the loss, the gradients (in a few large in-place calls, not one per
/// parameter) and the batch-norm running statistics. CUDA tensors go through host copies (no CUDA-aware MPI is assumed).
/// </summary>
internal sealed class DataParallel : IDisposable
{
    /// <summary>Gradients are averaged in buckets of at most this many floats (one all-reduce each).</summary>
    internal const int BucketFloats = 16 << 20;

    private (Tensor[] Parameters, Tensor Flat)[]? _gradientBuckets;

    public DataParallel(MpiWorld world, int globalBatch)
    {
        World = world;
        Part = new Featurization.ShardSpec(world.Rank, world.Size);
        var (offset, local) = Part.Range(globalBatch).GetOffsetAndLength(globalBatch);
        LocalBatch = local;
        Shard = new BatchShard(offset, globalBatch);
    }

    public MpiWorld World { get; }

    /// <summary>This rank's part of every global batch (and of the data each epoch).</summary>
    public Featurization.ShardSpec Part { get; }

    /// <summary>Time spent in and bytes sent through the collectives since the last <see cref="TakeTraffic"/>.</summary>
    private (TimeSpan Reduce, TimeSpan Gather, long Bytes) _traffic;

    /// <summary>Collective time and bytes since the last call (then reset): what the epoch line reports.</summary>
    public (TimeSpan Reduce, TimeSpan Gather, long Bytes) TakeTraffic()
    {
        var t = _traffic;
        _traffic = default;
        return t;
    }

    /// <summary>Images per step on this rank.</summary>
    public int LocalBatch { get; }

    /// <summary>This rank's rows of every global batch.</summary>
    public BatchShard Shard { get; }

    /// <summary>Every rank's rows of <paramref name="local"/> (same shape on all ranks), rank 0's first: (N·b, ...), on <paramref name="local"/>'s device.</summary>
    public Tensor GatherRows(Tensor local)
    {
        var host = local.detach().to(float32).cpu().contiguous();
        var all = empty(new[] { host.shape[0] * World.Size }.Concat(host.shape.Skip(1)).ToArray(), dtype: float32);
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        World.AllGather(Floats(host), Floats(all));
        _traffic.Gather += System.Diagnostics.Stopwatch.GetElapsedTime(start);
        _traffic.Bytes += host.numel() * 4;
        return all.to(local.dtype).to(local.device);
    }

    /// <summary>The mean of every rank's <paramref name="value"/>.</summary>
    public double Average(double value)
    {
        Span<float> v = stackalloc float[] { (float)value };
        World.AllReduceSum(v);
        return v[0] / World.Size;
    }

    /// <summary>Replaces each float of <paramref name="values"/> by its mean over the ranks.</summary>
    public void Average(float[] values)
    {
        World.AllReduceSum(values);
        for (int i = 0; i < values.Length; i++) values[i] /= World.Size;
    }

    /// <summary>
    /// Averages the gradients of <paramref name="parameters"/> (the same list every step) over the ranks, in place: each
    /// bucket is copied into its host buffer, all-reduced in one call, divided and copied back. The buckets and their
    /// buffers are made on the first call and reused.
    /// </summary>
    public void AverageGradients(IReadOnlyList<Tensor> parameters)
    {
        _gradientBuckets ??= Buckets(parameters).Select(b =>
        {
            var flat = zeros(b.Sum(p => p.numel()), dtype: float32);
            flat.DetachFromDisposeScope();
            return (b.ToArray(), flat);
        }).ToArray();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (bucket, flat) in _gradientBuckets)
        {
            long offset = 0;
            foreach (var p in bucket)
            {
                var slot = flat.narrow(0, offset, p.numel());
                if (p.grad is { } g) slot.copy_(g.flatten());
                else slot.zero_();
                offset += p.numel();
            }
            Reduce(flat);
            offset = 0;
            foreach (var p in bucket)
            {
                p.grad?.copy_(flat.narrow(0, offset, p.numel()).view(p.shape));
                offset += p.numel();
            }
        }
    }

    /// <summary>Averages the floating-point buffers (batch-norm running mean and variance) of <paramref name="module"/> over the ranks.</summary>
    /// <remarks>
    /// Running statistics are moving averages, linear in the batch statistics: the mean over ranks of each rank's
    /// average over its batch-norm groups is what one process with all the groups keeps.
    /// </remarks>
    public void AverageBuffers(nn.Module module)
    {
        using var scope = NewDisposeScope();
        var buffers = module.buffers().Where(b => b.is_floating_point()).ToList();
        foreach (var bucket in Buckets(buffers))
            AverageInPlace(bucket);
    }

    private void AverageInPlace(List<Tensor> tensors)
    {
        using var noGrad = no_grad();
        var flat = cat(tensors.Select(t => t.detach().to(float32).cpu().flatten()).ToArray()).contiguous();
        Reduce(flat);
        long offset = 0;
        foreach (var t in tensors)
        {
            t.copy_(flat.narrow(0, offset, t.numel()).view(t.shape));
            offset += t.numel();
        }
    }

    /// <summary>Replaces a contiguous CPU float32 tensor by its mean over the ranks (one all-reduce), counting the traffic.</summary>
    private void Reduce(Tensor flat)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        World.AllReduceSum(Floats(flat));
        _traffic.Reduce += System.Diagnostics.Stopwatch.GetElapsedTime(start);
        _traffic.Bytes += flat.numel() * 4;
        flat.div_(World.Size);
    }

    /// <summary>Releases the gradient buckets' host buffers.</summary>
    public void Dispose()
    {
        foreach (var (_, flat) in _gradientBuckets ?? []) flat.Dispose();
        _gradientBuckets = null;
    }

    private static IEnumerable<List<Tensor>> Buckets(IEnumerable<Tensor> tensors)
    {
        var bucket = new List<Tensor>();
        long size = 0;
        foreach (var t in tensors)
        {
            if (bucket.Count > 0 && size + t.numel() > BucketFloats)
            {
                yield return bucket;
                (bucket, size) = (new List<Tensor>(), 0);
            }
            bucket.Add(t);
            size += t.numel();
        }
        if (bucket.Count > 0) yield return bucket;
    }

    private static Span<float> Floats(Tensor contiguousCpuFloats) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(contiguousCpuFloats.bytes);
}
