using SynCo.ML.Augmentation;
using SynCo.ML.Contrastive;
using SynCo.ML.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Training;

/// <summary>
/// The body of one <see cref="Pretrainer"/> step: two augmented views, <see cref="MoCoEngine.Forward"/>, the loss
/// check, zero_grad/backward/step, enqueue and telemetry. Kept separate so the benchmark times exactly this code.
/// </summary>
internal sealed class PretrainStep
{
    private readonly MoCoEngine _engine;
    private readonly optim.Optimizer _optimizer;
    private readonly BatchAugmenter _augmenter;
    private readonly HardnessTelemetry _telemetry;
    private readonly DataParallel? _parallel;
    private readonly IReadOnlyList<Tensor> _parameters;

    internal PretrainStep(MoCoEngine engine, optim.Optimizer optimizer, BatchAugmenter augmenter, HardnessTelemetry telemetry,
        DataParallel? parallel = null, IReadOnlyList<Tensor>? parameters = null)
    {
        _parallel = parallel;
        _parameters = parameters ?? Array.Empty<Tensor>();
        _engine = engine;
        _optimizer = optimizer;
        _augmenter = augmenter;
        _telemetry = telemetry;
    }

    /// <summary>Augments <paramref name="images"/> (uint8, on the training device) twice and trains on the views.</summary>
    /// <returns>The loss; when it is not finite nothing was updated and the caller should stop.</returns>
    internal double Run(Tensor images, Generator augmentGenerator, bool synthesize)
    {
        using var scope = NewDisposeScope();
        var view1 = _augmenter.Apply(images, augmentGenerator, _parallel?.Shard);
        var view2 = _augmenter.Apply(images, augmentGenerator, _parallel?.Shard);
        return RunOnViews(view1, view2, synthesize);
    }

    /// <summary>One optimisation step on ready views; temporaries are disposed before it returns.</summary>
    internal double RunOnViews(Tensor view1, Tensor view2, bool synthesize)
    {
        using var scope = NewDisposeScope();
        var result = _engine.Forward(view1, view2, synthesize);
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
