using SynCo.ML.Augmentation;
using SynCo.ML.Contrastive;
using SynCo.ML.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Training;

/// <summary>
/// The body of one <see cref="Pretrainer"/> step: two augmented views (and the small crops of multi-crop), <see cref="MoCoEngine.Forward(Tensor, Tensor, bool, Tensor)"/>, the loss
/// check, zero_grad/backward/step, enqueue and telemetry. Kept separate so the benchmark times exactly this code.
/// </summary>
internal sealed class PretrainStep
{
    private readonly MoCoEngine _engine;
    private readonly optim.Optimizer _optimizer;
    private readonly BatchAugmenter _augmenter;
    private readonly BatchAugmenter? _smallCrops;
    private readonly int _smallCropCount;
    private readonly HardnessTelemetry _telemetry;
    private readonly DataParallel? _parallel;
    private readonly IReadOnlyList<Tensor> _parameters;

    internal PretrainStep(MoCoEngine engine, optim.Optimizer optimizer, BatchAugmenter augmenter, HardnessTelemetry telemetry,
        DataParallel? parallel = null, IReadOnlyList<Tensor>? parameters = null, BatchAugmenter? smallCrops = null, int smallCropCount = 0)
    {
        _smallCrops = smallCropCount > 0 ? smallCrops ?? throw new ArgumentNullException(nameof(smallCrops)) : null;
        _smallCropCount = smallCropCount;
        _parallel = parallel;
        _parameters = parameters ?? Array.Empty<Tensor>();
        _engine = engine;
        _optimizer = optimizer;
        _augmenter = augmenter;
        _telemetry = telemetry;
    }

    /// <summary>
    /// Augments <paramref name="images"/> (uint8, on the training device) twice, then into the small crops if multi-crop
    /// is on (drawn after the full views, so they do not change them), and trains on the views.
    /// </summary>
    /// <returns>The loss; when it is not finite nothing was updated and the caller should stop.</returns>
    internal double Run(Tensor images, Generator augmentGenerator, bool synthesize)
    {
        using var scope = NewDisposeScope();
        var view1 = _augmenter.Apply(images, augmentGenerator, _parallel?.Shard);
        var view2 = _augmenter.Apply(images, augmentGenerator, _parallel?.Shard);
        return RunOnViews(view1, view2, synthesize, SmallCropViews(images, augmentGenerator));
    }

    /// <summary>The multi-crop views (null when off): drawn crop by crop, laid out image-major (B·n rows) as <see cref="MoCoEngine"/> expects.</summary>
    internal Tensor? SmallCropViews(Tensor images, Generator augmentGenerator)
    {
        if (_smallCrops is null) return null;
        var crops = Enumerable.Range(0, _smallCropCount).Select(_ => _smallCrops.Apply(images, augmentGenerator, _parallel?.Shard)).ToArray();
        return stack(crops, 1).flatten(0, 1);
    }

    /// <summary>One optimisation step on ready views; temporaries are disposed before it returns.</summary>
    internal double RunOnViews(Tensor view1, Tensor view2, bool synthesize, Tensor? smallCrops = null)
    {
        using var scope = NewDisposeScope();
        var result = _engine.Forward(view1, view2, synthesize, smallCrops);
        double loss = result.Loss.item<float>();
        if (_parallel is not null) loss = _parallel.Average(loss); // NaN or ∞ on any rank reaches every rank: all stop at this step
        if (!double.IsFinite(loss)) return loss;
        _optimizer.zero_grad();
        result.Loss.backward();
        _parallel?.AverageGradients(_parameters);
        _optimizer.step();
        _engine.Queue.Enqueue(result.Keys);
        _telemetry.Add(result.Hardness);
        return loss;
    }
}
