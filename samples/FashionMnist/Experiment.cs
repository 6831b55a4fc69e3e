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
        _evaluation = new FewLabelEvaluation { Fractions = settings.LabelFractions, DrawSeeds = settings.DrawSeeds };
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

    /// <summary>Runs <paramref name="method"/> with <paramref name="seed"/>; saves the SynCo model and ONNX when asked.</summary>
    public MethodResult Run(Method method, int seed, string? saveModelTo, CancellationToken cancellationToken)
    {
        var ml = new MLContext(seed);
        double seconds = 0, imagesPerSecond = 0;
        IReadOnlyList<Training.EpochSummary> history = Array.Empty<Training.EpochSummary>();
        float[][] train, test;
        var probeClock = System.Diagnostics.Stopwatch.StartNew();   // features and probes; a pretrained method restarts it before featurizing
        switch (method)
        {
            case Method.RawPixels:
                train = FashionMnistData.RawPixels(_probeTrain);
                test = FashionMnistData.RawPixels(_data.Test);
                break;
            case Method.RandomInit:
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
                train = _terminal.Progress("featurize train", report => featurizer.Featurize(_probeTrain, new FeaturizeReporter(report), cancellationToken));
                test = _terminal.Progress("featurize test", report => featurizer.Featurize(_data.Test, new FeaturizeReporter(report), cancellationToken));
                break;
            }
            default:
            {
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
                history = model.History;
                seconds = history.Sum(h => h.Seconds);   // all epochs, also those of an earlier process when resumed
                imagesPerSecond = history.Average(h => h.ImagesPerSecond);
                if (saveModelTo is not null)
                {
                    Directory.CreateDirectory(saveModelTo);
                    var view = FashionMnistData.ToDataView(ml, _data.Test);
                    ml.Model.Save(model, view.Schema, Path.Combine(saveModelTo, "model.zip"));
                    model.ExportOnnx(Path.Combine(saveModelTo, "backbone.onnx"));
                }
                // Batched ONNX Runtime over the exported backbone (the same numbers as model.Transform, many times faster).
                probeClock.Restart();
                var featurize = new OnnxFeaturizerOptions { IntraOpThreads = _settings.Threads };
                train = _terminal.Progress("featurize train", report => model.Featurize(_probeTrain, featurize, new FeaturizeReporter(report), cancellationToken));
                test = _terminal.Progress("featurize test", report => model.Featurize(_data.Test, featurize, new FeaturizeReporter(report), cancellationToken));
                break;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        var scores = _evaluation.Evaluate(train, _probeLabels, test, _testLabels, Classes, cancellationToken);
        return new MethodResult(method, seed, scores, seconds, imagesPerSecond, history, test, probeClock.Elapsed.TotalSeconds);
    }

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
                CheckpointDirectory = s.CheckpointFolder is { } folder ? Path.Combine(folder, $"{method}-seed{seed}") : null,
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
