using System.Globalization;
using Microsoft.ML;
using SynCo.Hosting;
using SynCo.ML.Augmentation;
using SynCo.ML.Data;
using SynCo.ML.Evaluation;
using SynCo.ML.Featurization;
using SynCo.ML.Model;
using TorchSharp;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>
/// One method at one seed: pretrain on unlabelled images with <c>SynCoPretrain</c>, featurize the labelled sets
/// through the exported ONNX, then score a linear probe (ML.NET L-BFGS), a weighted kNN and a 5-NN on the test set,
/// trained on 1 %, 10 % and 100 % of the labels (<see cref="FewLabelEvaluation"/>: class-balanced draws).
/// </summary>
public sealed class Experiment
{
    private const int Classes = 10;
    private readonly SampleSettings _settings;
    private readonly Terminal _terminal;
    private readonly FashionMnistData _data;
    private readonly IdxImageDataset _probeTrain;
    private readonly int[] _probeLabels, _testLabels;
    private readonly FewLabelEvaluation _evaluation;

    /// <summary>Prepares the labelled sets shared by all methods; progress and epoch lines go to <paramref name="terminal"/>.</summary>
    public Experiment(SampleSettings settings, FashionMnistData data, Terminal terminal)
    {
        _settings = settings;
        _terminal = terminal;
        _data = data;
        _probeTrain = settings.ProbeImages >= data.Train.Count ? data.Train : data.Train.Subset(settings.ProbeImages, seed: 7);
        _probeLabels = FashionMnistData.Labels(_probeTrain);
        _testLabels = FashionMnistData.Labels(data.Test);
        _evaluation = settings.Evaluation();
        _evaluation.Validate();   // --fractions / --draw-seeds fail now, not after the first pretraining
        try
        {
            new BackboneOptions { SmallStem = settings.SmallStem }.CheckFeatureGrid(settings.ResolvedFeatureGrid, 28, 28, "--feature-grid");
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException(HostErrors.Describe(e).Replace("FeatureGrid", "--feature-grid"));
        }
    }

    /// <summary>
    /// Runs <paramref name="method"/> with <paramref name="seed"/>; saves the SynCo model and ONNX when asked. With
    /// <see cref="SampleSettings.CheckpointFolder"/> set, pretraining resumes from its checkpoint and a method and seed
    /// whose features and probes finished earlier under the same settings reads them back (<see cref="SavedEvaluation"/>).
    /// </summary>
    public MethodResult Run(Method method, int seed, string? saveModelTo, CancellationToken cancellationToken)
    {
        switch (method)
        {
            case Method.RawPixels:
                return Evaluate(method, seed, Array.Empty<Training.EpochSummary>(), cancellationToken,
                    () => (FashionMnistData.RawPixels(_probeTrain), FashionMnistData.RawPixels(_data.Test)));
            case Method.RandomInit:
                return Evaluate(method, seed, Array.Empty<Training.EpochSummary>(), cancellationToken, () =>
                {
                    var options = Options(method, seed, cancellationToken);
                    var backbone = options.Backbone.Clone();
                    backbone.InputChannels = 1;
                    torch.manual_seed(seed);
                    using var encoder = new ContrastiveEncoder(backbone, 28, 28, options.MoCo.HeadHiddenDim, options.MoCo.EmbeddingDim);
                    // Featurized like the pretrained methods: exported to ONNX (the training normalisation and the feature grid
                    // inside the graph) and run by batched ONNX Runtime, about 4× faster than TorchSharp's eval forward here.
                    var normalisation = options.Augmentation!.Normalization!;
                    var spec = new Onnx.OnnxExportSpec(1, 28, 28) { Mean = normalisation.Mean, Std = normalisation.Std, FeatureGrid = _settings.ResolvedFeatureGrid };
                    using var featurizer = new OnnxFeaturizer(Onnx.BackboneOnnxExporter.ExportToBytes(encoder.Backbone, null, spec),
                        new OnnxFeaturizerOptions { IntraOpThreads = _settings.Threads });
                    return (Featurize("train", _probeTrain, (d, r) => featurizer.Featurize(d, r, cancellationToken)),
                        Featurize("test", _data.Test, (d, r) => featurizer.Featurize(d, r, cancellationToken)));
                });
            default:
            {
                var ml = new MLContext(seed);
                var options = Options(method, seed, cancellationToken);
                var unlabelled = _data.Train.Subset(_settings.PretrainImages, seed);
                using var model = _terminal.Progress($"{method} seed {seed}", report =>
                {
                    options.Run.OnProgress = p => report((p.Epoch + (double)p.Step / p.StepsPerEpoch) / p.Epochs,
                        $"epoch {p.Epoch + 1}/{p.Epochs} loss {p.Loss:F3} {p.ImagesPerSecond:F0} img/s");
                    options.Run.OnEpoch = e => _terminal.Line(
                        $"  {method} seed {seed}: epoch {e.Epoch + 1}/{options.Epochs} done: loss {e.Loss:F3}, kNN {e.Monitor:P1}, {e.ImagesPerSecond:F0} img/s");
                    return ml.Transforms.SynCoPretrain(options).Fit(FashionMnistData.ToDataView(ml, unlabelled));
                });
                if (saveModelTo is not null)
                {
                    Directory.CreateDirectory(saveModelTo);
                    var view = FashionMnistData.ToDataView(ml, _data.Test);
                    ml.Model.Save(model, view.Schema, Path.Combine(saveModelTo, "model.zip"));
                    model.ExportOnnx(Path.Combine(saveModelTo, "backbone.onnx"));
                }
                // Batched ONNX Runtime over the exported backbone (the same numbers as model.Transform, many times faster).
                var featurize = new OnnxFeaturizerOptions { IntraOpThreads = _settings.Threads };
                return Evaluate(method, seed, model.History, cancellationToken,
                    () => (Featurize("train", _probeTrain, (d, r) => model.Featurize(d, featurize, r, cancellationToken)),
                        Featurize("test", _data.Test, (d, r) => model.Featurize(d, featurize, r, cancellationToken))));
            }
        }
    }

    /// <summary>
    /// The features and probes of one method and seed, timed (<see cref="MethodResult.ProbeSeconds"/>), or their saved
    /// result when they finished earlier under the same settings; a fresh result is saved when checkpoints are on.
    /// </summary>
    private MethodResult Evaluate(Method method, int seed, IReadOnlyList<Training.EpochSummary> history, CancellationToken cancellationToken,
        Func<(float[][] Train, float[][] Test)> features)
    {
        string? folder = CheckpointFolder(method, seed);
        // A saved result belongs to these settings, to the probes' protocol (so results of an earlier L2 grid are probed
        // again) and, for a pretrained method, to the training that wrote its checkpoint (each epoch's loss and seconds),
        // so a checkpoint deleted and trained again gets its features probed again.
        string fingerprint = _settings.EvaluationFingerprint + "; " + _evaluation.Describe() + string.Concat(history.Select(h =>
            string.Create(CultureInfo.InvariantCulture, $"; epoch {h.Epoch + 1}: loss {h.Loss:F6}, {h.Seconds:F6} s")));
        if (folder is not null && SavedEvaluation.Read(folder, fingerprint) is { } saved)
        {
            _terminal.Line($"  {method} seed {seed}: features and probes finished earlier; read from {Path.Combine(folder, SavedEvaluation.FileName)}");
            return new MethodResult(method, seed, saved.Scores, history, saved.TestProjection, saved.ProbeSeconds);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (train, test) = features();
        cancellationToken.ThrowIfCancellationRequested();
        var scores = _evaluation.Evaluate(train, _probeLabels, test, _testLabels, Classes, cancellationToken);
        double probeSeconds = clock.Elapsed.TotalSeconds;
        var projection = Projection.PrincipalPlane(test);
        if (folder is not null)
            new SavedEvaluation(fingerprint, scores, projection, probeSeconds).Write(folder);
        return new MethodResult(method, seed, scores, history, projection, probeSeconds);
    }

    private float[][] Featurize(string name, IImageDataset images, Func<IImageDataset, FeaturizeReporter, float[][]> featurize) =>
        _terminal.Progress($"featurize {name}", report => featurize(images, new FeaturizeReporter(report)));

    /// <summary>Where <paramref name="method"/> at <paramref name="seed"/> keeps its checkpoint and saved evaluation; null without --checkpoint.</summary>
    private string? CheckpointFolder(Method method, int seed) =>
        _settings.CheckpointFolder is { } folder ? Path.Combine(folder, $"{method}-seed{seed}") : null;

    /// <summary>
    /// Runs the library's own checks on the training options of every selected method that pretrains (for example that
    /// --batch is a multiple of --bn-splits, or that --lr is positive), so bad settings fail before the first method runs
    /// rather than after it, and settings no selected method uses are not judged.
    /// </summary>
    public void ValidateTrainingOptions()
    {
        foreach (var method in _settings.Methods.Where(MethodNegatives.Pretrains))
            Options(method, _settings.Seeds[0], CancellationToken.None).Validate();
    }

    private SynCoOptions Options(Method method, int seed, CancellationToken cancellationToken)
    {
        var s = _settings;
        var options = new SynCoOptions
        {
            Epochs = s.Epochs, BatchSize = s.BatchSize, OnnxThreads = s.Threads, CancellationToken = cancellationToken, FeatureGrid = s.ResolvedFeatureGrid,
            MoCo = { QueueSize = s.QueueSize, Symmetric = s.Symmetric },
            Optimizer = { LearningRate = s.LearningRate },
            Negatives = MethodNegatives.For(method, s.QueueSize, s.WarmupEpochs),
            Run =
            {
                Seed = seed, Device = s.Device, Threads = s.Threads,
                CheckpointDirectory = CheckpointFolder(method, seed),
            },
        };
        if (s.Temperature is { } temperature)
            options.MoCo.Temperature = temperature;
        if (s.KeyMomentum is { } m)
            options.MoCo.Momentum = m;
        options.MoCo.HeadHiddenDim = s.HeadHiddenDim;
        if (s.EmbeddingDim is { } dim)
            options.MoCo.EmbeddingDim = dim;
        options.Optimizer.WarmupEpochs = s.LearningRateWarmupEpochs;
        options.Backbone.Architecture = s.Architecture;
        options.Backbone.WidthMultiplier = s.Width;
        options.Backbone.SmallStem = s.SmallStem;
        if (s.BatchNormSplits is { } splits)
            options.Backbone.BatchNormSplits = splits;
        options.Augmentation = AugmentationOptions.SmallImages(28, 28, 1);
        options.Augmentation.Crop.MinScale = s.MinCropScale;
        if (s.SmallCropScale.Count != 2)
            throw new UsageException($"--small-crop-scale takes two area fractions (smallest, largest), not {s.SmallCropScale.Count}.");
        options.SmallCrops.Count = s.SmallCrops;
        options.SmallCrops.Height = options.SmallCrops.Width = s.SmallCropSize;
        (options.SmallCrops.MinScale, options.SmallCrops.MaxScale) = (s.SmallCropScale[0], s.SmallCropScale[1]);
        var bank = _data.Train.Subset(2_000, seed: 11);
        var held = _data.Test.Subset(1_000, seed: 12);
        options.Run.Monitor = new KnnMonitor(bank, bank.Labels!, held, held.Labels!, Classes, options.Augmentation).Measure;
        return options;
    }
}
