using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SynCo.ML.Augmentation;
using SynCo.ML.Contrastive;
using SynCo.ML.Data;
using SynCo.ML.Interop;
using SynCo.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Training;

/// <summary>
/// Self-supervised pretraining on unlabelled images: MoCo v2 with the configured synthetic hard negatives.
/// Each step draws a batch, makes two augmented views on the training device, runs <see cref="MoCoEngine"/>, steps
/// SGD with a cosine schedule and enqueues the keys. Checkpoints after every epoch; resumes from one.
/// </summary>
/// <example>
/// <code>
/// var data = IdxImageDataset.LoadFashionMnist(train: true);
/// var options = new PretrainOptions { Epochs = 5, BatchSize = 128, OnProgress = p => Console.Write($"\r{p.Loss:F3}") };
/// options.Backbone.WidthMultiplier = 0.25;
/// using var result = new Pretrainer(options).Train(data);
/// </code>
/// </example>
public sealed class Pretrainer
{
    private readonly PretrainOptions _o;

    /// <summary>Creates a trainer; validates the options.</summary>
    public Pretrainer(PretrainOptions options)
    {
        _o = options ?? throw new ArgumentNullException(nameof(options));
        _o.Validate();
    }

    /// <summary>Trains on <paramref name="data"/>; honours <paramref name="cancellationToken"/> between steps.</summary>
    /// <exception cref="ArgumentException">The data is empty, smaller than one batch, or its channel count mismatches.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the last epoch's checkpoint (if any) is kept.</exception>
    public PretrainResult Train(IImageDataset data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckData(data);
        using var session = TrainingSession.Create(_o, data.Channels, data.Height, data.Width);
        try
        {
            return Train(data, session, cancellationToken);
        }
        catch (Exception e) when (session.Parallel is { } parallel && e is not TrainingDivergedException)
        {
            // The other ranks wait in a collective that this rank will never reach (a divergence is seen by all at the
            // same step; anything else, cancellation included, may be this rank's alone): end the job with its message.
            parallel.World.Abort($"{e.GetType().Name}: {e.Message}");
            throw;
        }
    }

    private PretrainResult Train(IImageDataset data, TrainingSession session, CancellationToken cancellationToken)
    {
        // In a data-parallel job rank 0 alone reports, monitors and checkpoints; every rank trains.
        var run = session.IsRoot ? _o.Run : new RunOptions();   // callbacks only; checkpoints below read _o.Run
        var log = run.Log;
        var parallel = session.Parallel;
        if (parallel is not null)
            log?.Invoke($"data-parallel: {parallel.World}; global batch {_o.BatchSize} = {parallel.World.Size} x {parallel.LocalBatch}, " +
                $"{_o.Backbone.BatchNormSplits} batch-norm groups = {parallel.World.Size} x {_o.Backbone.BatchNormSplits / parallel.World.Size}");
        log?.Invoke(session.DeviceReason);
        if (_o.InitialBackboneWeights is { } weights) log?.Invoke($"query backbone initialised from {weights}");
        var (query, key, engine, optimizer) = (session.Query, session.Key, session.Engine, session.Optimizer);
        int seed = session.Seed;

        var loader = new BatchLoader(data, _o.BatchSize, seed: seed, dropLast: true);
        if (parallel is not null) loader = loader.ForRank(parallel.Part);
        int steps = loader.StepsPerEpoch;
        var schedule = TrainingSession.Schedule(_o, steps);
        string fingerprint = Fingerprint(data, session.Backbone, session.Negatives, session.Augmentation, session.SmallCropAugmentation);
        var history = new List<EpochSummary>();
        int firstEpoch = 0;
        long globalStep = 0;
        if (_o.Run.CheckpointDirectory is { } dir && _o.Run.Resume && Checkpoint.ReadMeta(dir) is not null)
        {
            var meta = Checkpoint.Load(dir, fingerprint, query, key, engine.Queue, optimizer);
            firstEpoch = meta.NextEpoch;
            globalStep = meta.GlobalStep;
            history.AddRange(meta.History);
            log?.Invoke($"resumed from {Path.Combine(dir, Checkpoint.FileName)} at epoch {firstEpoch}");
        }
        log?.Invoke($"pretraining {session.Backbone} on {data.Count} images {data.Channels}x{data.Height}x{data.Width}, " +
            $"{steps} steps/epoch, negatives: {session.Negatives}");

        var telemetry = session.Telemetry;
        for (int epoch = firstEpoch; epoch < _o.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool synthesize = engine.Synthesizer is not null && epoch >= session.Negatives.WarmupEpochs;   // plain MoCo v2 never does
            using var augmentGenerator = new Generator(SplitMix64.StreamSeed(seed, epoch, 1));
            engine.Generator.manual_seed((long)SplitMix64.StreamSeed(seed, epoch, 2));
            query.train();
            key.train();
            telemetry.Clear();
            double lossSum = 0, lr = 0;
            int step = 0;
            var waited = TimeSpan.Zero;
            var clock = Stopwatch.StartNew();
            foreach (var batch in loader.GetBatches(epoch, cancellationToken: cancellationToken))
            {
                using var scope = NewDisposeScope();
                lr = schedule.At(globalStep);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                waited += batch.Waited;
                var images = batch.Images.to(session.Device);
                batch.Images.Dispose();
                double loss = session.Step.Run(images, augmentGenerator, synthesize);
                step++;
                if (!double.IsFinite(loss)) throw new TrainingDivergedException(epoch, step, loss);
                lossSum += loss;
                globalStep++;
                run.OnProgress?.Invoke(new TrainingProgress(epoch, _o.Epochs, step, steps, loss, lr,
                    step * _o.BatchSize / clock.Elapsed.TotalSeconds, synthesize));
                cancellationToken.ThrowIfCancellationRequested();
            }
            double seconds = clock.Elapsed.TotalSeconds;
            if (data is ISequentialImageDataset)   // streamed input: did decoding keep up with the steps?
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1} input: the steps waited {waited.TotalSeconds:F2} s for streamed images ({100 * waited.TotalSeconds / seconds:F1} % of the epoch)"));
            if (parallel is not null && step > 0)
            {
                var (reduce, gather, bytes) = parallel.TakeTraffic();
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1} collectives per step: all-reduce {reduce.TotalMilliseconds / step:F1} ms, " +
                    $"all-gather {gather.TotalMilliseconds / step:F1} ms, {bytes / step / 1e6:F2} MB sent by this rank; {100 * (reduce + gather).TotalSeconds / seconds:F0} % of the epoch"));
            }
            session.SynchronizeStatistics();
            query.eval();
            double? monitor = run.Monitor?.Invoke(query, epoch);
            var summary = new EpochSummary(epoch, lossSum / Math.Max(1, step), lr, step * _o.BatchSize / seconds, seconds, synthesize,
                telemetry.Summary(), monitor);
            history.Add(summary);
            if (session.IsRoot && _o.Run.CheckpointDirectory is { } ckpt)
                Checkpoint.Save(ckpt, fingerprint, epoch + 1, globalStep, query, key, engine.Queue, optimizer, history, session.Description);
            run.OnEpoch?.Invoke(summary);
        }
        query.eval();
        return new PretrainResult(session.ReleaseQuery(), history, session.DeviceReason, session.Description);
    }

    private void CheckData(IImageDataset data)
    {
        if (data.Count == 0)
            throw new ArgumentException("The dataset is empty: pretraining needs unlabelled images. Check the folder, file or IDataView you passed.", nameof(data));
        if (data.Count < _o.BatchSize)
            throw new ArgumentException($"The dataset has {data.Count} images, fewer than one batch ({_o.BatchSize}); lower BatchSize to at most {data.Count}.", nameof(data));
        if (_o.Augmentation?.Channels is { } channels && channels != data.Channels)
            throw new ArgumentException($"Augmentation normalises {channels} channel(s) but the images have {data.Channels}; set Augmentation.Normalization for {data.Channels} channel(s), " +
                "or leave it null for the preset's values.", nameof(data));
    }

    // Everything that changes the trained weights; a checkpoint written under another fingerprint is refused.
    // Multi-crop adds its part only when on, so checkpoints written before it existed still resume.
    private string Fingerprint(IImageDataset data, BackboneOptions backbone, Negatives.NegativeOptions negatives, AugmentationOptions augmentation,
        AugmentationOptions? smallCrops) => string.Create(CultureInfo.InvariantCulture,
        $"{backbone}; head {_o.MoCo.HeadHiddenDim?.ToString() ?? "auto"}->{_o.MoCo.EmbeddingDim}; data {data.Count}x{data.Channels}x{data.Height}x{data.Width}; " +
        $"batch {_o.BatchSize}; epochs {_o.Epochs}; K {_o.MoCo.QueueSize}; m {_o.MoCo.Momentum}; T {_o.MoCo.Temperature}; sym {_o.MoCo.Symmetric}; " +
        $"shuffle {_o.MoCo.ShuffleKeys}; lr {_o.Optimizer.LearningRate}; warm-up {_o.Optimizer.WarmupEpochs}; sgd m {_o.Optimizer.Momentum}; wd {_o.Optimizer.WeightDecay}; " +
        $"seed {_o.Run.Seed ?? 0}; init {_o.InitialBackboneWeights ?? "random"}; negatives {JsonSerializer.Serialize(negatives)}; augmentation {JsonSerializer.Serialize(augmentation)}") +
        (smallCrops is null ? "" : $"; small crops {_o.SmallCrops.Count} x {JsonSerializer.Serialize(smallCrops.Crop)}");
}
