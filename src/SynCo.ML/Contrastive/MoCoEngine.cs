using SynCo.ML.Distributed;
using SynCo.ML.Negatives;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Contrastive;

/// <summary>
/// The MoCo v2 objective with optional synthetic hard negatives (MoCHi, SynCo) for one training step.
/// Query features q = normalize(f_q(x_q)) carry gradient; keys k = normalize(f_k(x_k)) come from the momentum
/// encoder without gradient. Logits are <c>[q·k⁺ | q·queue | q·synthetic] / T</c> and the loss is InfoNCE
/// (cross-entropy with the positive at column 0). The caller back-propagates, steps the optimiser, then calls
/// <see cref="KeyQueue.Enqueue"/> on <see cref="Queue"/> with the step's keys: the current batch is never its own negative.
/// </summary>
/// <example>
/// <code>
/// var engine = new MoCoEngine(fq, fk, new MoCoOptions { QueueSize = 4096, EmbeddingDim = 128 }, synthesizer, torch.CPU, seed: 1);
/// var step = engine.Forward(view1, view2, synthesize: epoch >= warmup);
/// optimizer.zero_grad(); step.Loss.backward(); optimizer.step();
/// engine.Queue.Enqueue(step.Keys);
/// </code>
/// </example>
public sealed class MoCoEngine : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _query;
    private readonly nn.Module<Tensor, Tensor> _key;
    private readonly MoCoOptions _options;
    private readonly Generator _generator;
    private readonly (Tensor Query, Tensor Key)[] _momentumPairs;
    private readonly DataParallel? _parallel;

    /// <summary>Creates the engine; copies the query encoder's parameters into the key encoder and freezes the key's.</summary>
    /// <param name="queryEncoder">f_q: images (B, C, H, W) → projections (B, EmbeddingDim); trained by the caller's optimiser.</param>
    /// <param name="keyEncoder">f_k: same architecture, updated only by momentum.</param>
    /// <param name="options">Queue, momentum, temperature and loss settings.</param>
    /// <param name="synthesizer">Synthetic-negative builder, or null for plain MoCo v2.</param>
    /// <param name="device">Device of the encoders and the queue.</param>
    /// <param name="seed">Seed of the queue initialisation, key shuffling and synthetic-negative draws.</param>
    public MoCoEngine(nn.Module<Tensor, Tensor> queryEncoder, nn.Module<Tensor, Tensor> keyEncoder, MoCoOptions options,
        NegativeSynthesizer? synthesizer, Device device, ulong seed)
        : this(queryEncoder, keyEncoder, options, synthesizer, device, seed, parallel: null)
    {
    }

    /// <summary>
    /// The engine of one rank of a data-parallel job: the views are this rank's rows of the global batch, the key
    /// shuffle runs across ranks, and the keys of the whole global batch are returned for every rank's identical queue.
    /// </summary>
    internal MoCoEngine(nn.Module<Tensor, Tensor> queryEncoder, nn.Module<Tensor, Tensor> keyEncoder, MoCoOptions options,
        NegativeSynthesizer? synthesizer, Device device, ulong seed, DataParallel? parallel)
    {
        _parallel = parallel;
        _query = queryEncoder ?? throw new ArgumentNullException(nameof(queryEncoder));
        _key = keyEncoder ?? throw new ArgumentNullException(nameof(keyEncoder));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        synthesizer?.CheckQueueSize(options.QueueSize);
        Synthesizer = synthesizer;
        MomentumUpdate.Initialize(_query, _key);
        // Like the optimiser, the engine keeps the parameter tensors it was built with (matched and checked once).
        _momentumPairs = MomentumUpdate.Pairs(_query, _key).ToArray();
        Queue = new KeyQueue(options.QueueSize, options.EmbeddingDim, device, new Generator(seed));
        _generator = new Generator(seed + 1, device);
    }

    /// <summary>The key dictionary.</summary>
    public KeyQueue Queue { get; }

    /// <summary>The synthetic-negative builder, or null.</summary>
    public NegativeSynthesizer? Synthesizer { get; }

    /// <summary>Random source of shuffles and synthetic draws (its state belongs in checkpoints).</summary>
    public Generator Generator => _generator;

    /// <summary>
    /// Momentum-updates the key encoder, then computes the loss of one step from two augmented views (B, C, H, W).
    /// With <see cref="MoCoOptions.Symmetric"/> the loss is ½(L(v1→v2) + L(v2→v1)) and both key sets are returned.
    /// </summary>
    /// <param name="view1">Query view (and key view for the symmetric term).</param>
    /// <param name="view2">Key view (and query view for the symmetric term).</param>
    /// <param name="synthesize">Whether to append synthetic negatives (false during warm-up).</param>
    public MoCoStep Forward(Tensor view1, Tensor view2, bool synthesize) => Forward(view1, view2, synthesize, smallCrops: null);

    /// <summary>
    /// As <see cref="Forward(Tensor, Tensor, bool)"/>, plus multi-crop: every small crop is one more query against the
    /// key of <paramref name="view2"/> and the queue (no synthetic negatives), and the loss is the mean over all query
    /// views, (F·L_full + n·L_small) / (F + n), with F = 1 (2 when symmetric) full-view terms and n small crops per image.
    /// </summary>
    /// <param name="view1">Query view (and key view for the symmetric term).</param>
    /// <param name="view2">Key view (and query view for the symmetric term).</param>
    /// <param name="synthesize">Whether to append synthetic negatives to the full-view queries (false during warm-up).</param>
    /// <param name="smallCrops">
    /// (B·n, C, h, w) small crops, image-major (rows b·n to b·n + n − 1 are the n crops of image b, so split batch-norm
    /// groups hold whole images, on one process as across data-parallel ranks), any h×w the encoder accepts; null for none.
    /// </param>
    public MoCoStep Forward(Tensor view1, Tensor view2, bool synthesize, Tensor? smallCrops)
    {
        long batch = view1.shape[0];
        if (batch != view2.shape[0])
            throw new ArgumentException($"Both views need the same batch size; got {view1.shape[0]} and {view2.shape[0]}.");
        if (smallCrops is not null && (smallCrops.shape[0] == 0 || smallCrops.shape[0] % batch != 0))
            throw new ArgumentException($"smallCrops needs a whole number of crops per image: {smallCrops.shape[0]} rows for a batch of {batch}.", nameof(smallCrops));
        MomentumUpdate.Apply(_momentumPairs, _options.Momentum);
        var stats = new List<NegativeGroupStats>();
        var (loss, keys, key) = Direction(view1, view2, synthesize, stats);
        int fullTerms = 1;
        if (_options.Symmetric)
        {
            var (loss2, keys2, _) = Direction(view2, view1, synthesize, stats: null);
            loss = 0.5 * (loss + loss2);
            keys = cat(new[] { keys, keys2 }, 0);
            fullTerms = 2;
        }
        if (smallCrops is not null)
        {
            long n = smallCrops.shape[0] / batch;
            loss = (fullTerms * loss + n * SmallCropLoss(smallCrops, key, n)) / (fullTerms + n);
        }
        return new MoCoStep(loss, keys, stats);
    }

    /// <summary>Encodes keys without gradient, with the optional batch shuffle that, combined with split batch-norm,
    /// keeps batch statistics from leaking the positive pair (the single-device stand-in for shuffle-BN).</summary>
    public Tensor EncodeKeys(Tensor images)
    {
        using var noGrad = no_grad();
        if (!_options.ShuffleKeys) return nn.functional.normalize(_key.call(images), dim: 1);
        var perm = randperm(images.shape[0], generator: _generator, device: images.device);
        var k = nn.functional.normalize(_key.call(images.index_select(0, perm)), dim: 1);
        return k.index_select(0, perm.argsort());
    }

    /// <summary>InfoNCE of the small-crop queries: every crop of image b against image b's key and the queue, mean over all B·n.</summary>
    private Tensor SmallCropLoss(Tensor smallCrops, Tensor key, long n)
    {
        var qt = nn.functional.normalize(_query.call(smallCrops), dim: 1) / _options.Temperature;
        return InfoNce(ScaledLogits(qt, key.repeat_interleave(n, dim: 0), qt.matmul(Queue.Keys.t()), synthetic: null));
    }

    // Returns the loss, the keys to enqueue (the global batch's under data parallelism) and this process's keys.
    private (Tensor Loss, Tensor Keys, Tensor Key) Direction(Tensor imq, Tensor imk, bool synthesize, List<NegativeGroupStats>? stats)
    {
        var q = nn.functional.normalize(_query.call(imq), dim: 1);
        var (k, keys) = _parallel is null ? (EncodeKeys(imk), null) : EncodeKeysAcrossRanks(imk, _parallel);
        // 1/T is folded into the (B, D) queries, so the (B, 1 + K + S) logits need no division pass (nor its backward).
        // Scaling keeps the top-k order, so the synthesizer gets the scaled cosines and its hard-pool cosines are
        // scaled back (a (B, N) multiply).
        double t = _options.Temperature;
        var qt = q / t;
        var queueLogits = qt.matmul(Queue.Keys.t());
        Tensor? synthetic = null, hardCosines = null;
        if (synthesize && Synthesizer is not null)
        {
            (synthetic, var hardLogits) = Synthesizer.Synthesize(q, queueLogits, Queue.Keys, _generator, _parallel?.Shard ?? BatchShard.Whole(q.shape[0]));
            hardCosines = hardLogits * t;
        }
        var logits = ScaledLogits(qt, k, queueLogits, synthetic);
        var loss = InfoNce(logits);
        if (stats is not null) stats.AddRange(Measure(logits, hardCosines, synthetic is null ? null : Synthesizer));
        return (loss, keys ?? k, k);
    }

    /// <summary>
    /// MoCo's shuffle-BN across ranks (<c>_batch_shuffle_ddp</c>): every rank gathers the global key batch, takes its
    /// slice of one permutation drawn identically on all ranks (the engines' generators stay in step), encodes it, and
    /// the keys are gathered and unshuffled. Returns this rank's keys and the global batch's, in batch order.
    /// </summary>
    private (Tensor Local, Tensor Global) EncodeKeysAcrossRanks(Tensor imk, DataParallel parallel)
    {
        using var noGrad = no_grad();
        long local = imk.shape[0], offset = parallel.Shard.Offset;
        if (!_options.ShuffleKeys)
        {
            var k = nn.functional.normalize(_key.call(imk), dim: 1);
            return (k, parallel.GatherRows(k));
        }
        var images = parallel.GatherRows(imk);
        var perm = randperm(images.shape[0], generator: _generator, device: imk.device);
        var mine = nn.functional.normalize(_key.call(images.index_select(0, perm.narrow(0, offset, local))), dim: 1);
        var all = parallel.GatherRows(mine).index_select(0, perm.argsort());
        return (all.narrow(0, offset, local), all);
    }

    /// <summary>
    /// <c>[q·k | q·queueᵀ | q·h] / T</c>: (B, 1 + K + S), from queries already divided by T (<paramref name="qt"/>) and
    /// <paramref name="queueLogits"/> = qt·queueᵀ (B, K): one concatenation, no division. Keys, queue and synthetic
    /// vectors are constants here; only q carries gradient.
    /// </summary>
    internal static Tensor ScaledLogits(Tensor qt, Tensor k, Tensor queueLogits, Tensor? synthetic)
    {
        var positive = (qt * k.detach()).sum(1, keepdim: true);
        return synthetic is null
            ? cat(new[] { positive, queueLogits }, 1)
            : cat(new[] { positive, queueLogits, synthetic.detach().bmm(qt.unsqueeze(2)).squeeze(2) }, 1);
    }

    /// <summary>InfoNCE: mean cross-entropy with the positive at column 0.</summary>
    internal static Tensor InfoNce(Tensor logits) =>
        nn.functional.cross_entropy(logits, zeros(logits.shape[0], dtype: int64, device: logits.device));

    private IEnumerable<NegativeGroupStats> Measure(Tensor logits, Tensor? hardCosines, NegativeSynthesizer? synthesizer)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var scaled = logits.detach();
        // One pass over the (B, 1 + K + S) logits: per-column means of the logits and of the softmax; group figures are
        // sums over column ranges of those (1 + K + S) vectors (previously a logsumexp per group over the full matrix).
        var lse = scaled.logsumexp(1, keepdim: true);
        var columnMeans = scaled.mean(new long[] { 0 });
        var columnShares = (scaled - lse).exp_().mean(new long[] { 0 });
        var groups = new List<(string Name, long Start, long Width)> { ("positive", 0, 1), ("queue", 1, _options.QueueSize) };
        long column = 1 + _options.QueueSize;
        if (synthesizer is not null)
            foreach (var g in synthesizer.Generators) { groups.Add((g.Name, column, g.Count)); column += g.Count; }

        var values = new List<Tensor>();
        foreach (var (_, start, width) in groups)
        {
            values.Add(columnMeans.narrow(0, start, width).mean() * _options.Temperature);
            values.Add(columnShares.narrow(0, start, width).sum());
        }
        if (hardCosines is not null)
        {
            values.Add(hardCosines.mean());
            values.Add(((hardCosines / _options.Temperature).logsumexp(1, keepdim: true) - lse).exp().mean());
        }
        float[] v = stack(values).to(float32).cpu().data<float>().ToArray();
        _parallel?.Average(v); // row means: the global batch's are the mean of the ranks'
        var result = groups.Select((g, i) => new NegativeGroupStats(g.Name, v[2 * i], v[2 * i + 1], (int)g.Width)).ToList();
        if (hardCosines is not null)
            result.Insert(2, new NegativeGroupStats("hard-pool", v[^2], v[^1], (int)hardCosines.shape[1]));
        return result;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Queue.Dispose();
        _generator.Dispose();
    }
}
