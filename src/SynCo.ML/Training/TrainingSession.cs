using SynCo.ML.Augmentation;
using SynCo.ML.Contrastive;
using SynCo.ML.Distributed;
using SynCo.ML.Interop;
using SynCo.ML.Model;
using SynCo.ML.Negatives;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Training;

/// <summary>
/// Everything one pretraining run trains with, built in one place from the options and the images' shape: the
/// device, the query and key encoders, the MoCo engine (queue and synthetic negatives), the SGD optimiser, the
/// augmenter and one training step over them, and the <see cref="EncoderDescription"/> that checkpoints and the ONNX
/// export use. <see cref="Pretrainer"/>, the benchmarks and the tests all build their runs through it, so a setting
/// means the same everywhere.
/// </summary>
/// <example>
/// <code>
/// var options = new PretrainOptions { BatchSize = 64 };
/// using var session = TrainingSession.Create(options, channels: 3, height: 32, width: 32);
/// double loss = session.Step.Run(images.to(session.Device), augmentGenerator, synthesize: true);
/// </code>
/// </example>
public sealed class TrainingSession : IDisposable
{
    private ContrastiveEncoder? _query;

    private TrainingSession(PretrainOptions options, int channels, int height, int width)
    {
        options.Validate();
        (Device, DeviceReason) = DeviceSelector.Resolve(options.Run.Device);
        if (Device.type == DeviceType.CPU) PretrainOptions.CheckCpuWidths(options.Backbone);
        if (options.Run.Threads is { } threads) set_num_threads(threads);
        if (options.Run.TuneNativeAllocator) GlibcMalloc.KeepFreedMemory();
        Seed = options.Run.Seed ?? 0;

        Backbone = options.Backbone.Clone();
        Backbone.InputChannels = channels;
        var rankBackbone = Backbone;
        if (MpiWorld.Current(options.Run.Distributed) is { } world)
        {
            CheckDivisible(options, world.Size);
            Parallel = new DataParallel(world, options.BatchSize);
            rankBackbone = Backbone.Clone();
            rankBackbone.BatchNormSplits = Backbone.BatchNormSplits / world.Size;   // each rank runs its share of the groups
        }
        using (var init = new Generator(SplitMix64.StreamSeed(Seed, 0, 0)))
            _query = new ContrastiveEncoder(rankBackbone, height, width, options.MoCo.HeadHiddenDim, options.MoCo.EmbeddingDim, init);
        if (options.InitialBackboneWeights is { } weights)
            PyTorchWeights.LoadBackbone(_query.Backbone, weights);
        Key = _query.CloneArchitecture();
        _query.to(Device);
        Key.to(Device);
        Negatives = options.ResolveNegatives();
        Augmentation = options.ResolveAugmentation(channels, height, width);
        Augmenter = new BatchAugmenter(Augmentation);
        SmallCropAugmentation = options.SmallCrops.Enabled ? options.SmallCrops.Resolve(Augmentation) : null;
        Engine = new MoCoEngine(_query, Key, options.MoCo, Negatives.CreateSynthesizer(options.MoCo.QueueSize), Device, (ulong)Seed, Parallel);
        var parameters = _query.parameters().ToList();
        Optimizer = optim.SGD(parameters, options.Optimizer.LearningRate, momentum: options.Optimizer.Momentum, weight_decay: options.Optimizer.WeightDecay);
        Telemetry = new HardnessTelemetry();
        Step = new PretrainStep(Engine, Optimizer, Augmenter, Telemetry, Parallel, parameters,
            SmallCropAugmentation is null ? null : new BatchAugmenter(SmallCropAugmentation), options.SmallCrops.Count);
        Description = EncoderDescription.Of(_query, Backbone, Augmentation.Normalization!.Mean, Augmentation.Normalization.Std);
    }

    /// <summary>Builds the run for images of (<paramref name="channels"/>, <paramref name="height"/>, <paramref name="width"/>).</summary>
    /// <exception cref="ArgumentException">An option is invalid, the device is unusable, or the backbone's widths do not suit the CPU.</exception>
    public static TrainingSession Create(PretrainOptions options, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(options);
        Data.ImageDatasetChecks.CheckShape(channels, height, width);
        return new TrainingSession(options, channels, height, width);
    }

    /// <summary>This rank's part in a data-parallel job, or null when training alone.</summary>
    internal DataParallel? Parallel { get; }

    /// <summary>Whether this process reports, checkpoints and exports: always when training alone, rank 0 of a job.</summary>
    public bool IsRoot => Parallel?.World.IsRoot ?? true;

    /// <summary>"rank R/N, OpenMPI|MPICH" in a data-parallel job, else null.</summary>
    public string? World => Parallel?.World.ToString();

    /// <summary>The training device.</summary>
    public Device Device { get; }

    /// <summary>Which device was chosen and why (one log line).</summary>
    public string DeviceReason { get; }

    /// <summary>The run's seed (weights, data order, augmentation, negatives).</summary>
    public int Seed { get; }

    /// <summary>The backbone settings actually built (input channels from the data).</summary>
    public BackboneOptions Backbone { get; }

    /// <summary>The query encoder f_q (trained by <see cref="Optimizer"/>); owned by the session until <see cref="ReleaseQuery"/>.</summary>
    public ContrastiveEncoder Query => _query ?? throw new ObjectDisposedException(nameof(TrainingSession), "The query encoder was released.");

    /// <summary>The key encoder f_k (momentum-updated).</summary>
    public ContrastiveEncoder Key { get; }

    /// <summary>The MoCo objective with its queue and synthesizer.</summary>
    public MoCoEngine Engine { get; }

    /// <summary>SGD over the query encoder's parameters (its rate is set per step from the schedule).</summary>
    public TorchSharp.Modules.SGD Optimizer { get; }

    /// <summary>The random view generator.</summary>
    public BatchAugmenter Augmenter { get; }

    /// <summary>The negatives actually used (the options' or SynCo scaled to the queue).</summary>
    public NegativeOptions Negatives { get; }

    /// <summary>The augmentation actually used (the options' or the recipe's preset at the images' size).</summary>
    public AugmentationOptions Augmentation { get; }

    /// <summary>The small crops' augmentation when multi-crop is on (<see cref="PretrainOptions.SmallCrops"/>), else null.</summary>
    public AugmentationOptions? SmallCropAugmentation { get; }

    /// <summary>Hardness telemetry of the negative groups, filled by <see cref="Step"/>.</summary>
    public HardnessTelemetry Telemetry { get; }

    /// <summary>One training step: two augmented views, the engine, backward, SGD, enqueue, telemetry.</summary>
    internal PretrainStep Step { get; }

    /// <summary>What checkpoints store and the ONNX export is built from: architecture, image size, normalisation.</summary>
    public EncoderDescription Description { get; }

    /// <summary>The cosine schedule (with the options' linear warm-up) over <paramref name="stepsPerEpoch"/> × epochs steps.</summary>
    public static LearningRateSchedule Schedule(PretrainOptions options, int stepsPerEpoch) =>
        new(options.Optimizer.LearningRate * options.BatchSize / 256.0, (long)stepsPerEpoch * options.Epochs, (long)stepsPerEpoch * options.Optimizer.WarmupEpochs);

    /// <summary>
    /// Makes every rank's batch-norm running statistics the job's (their mean over the ranks, which is what one process
    /// with all the groups keeps); collective, a no-op when training alone. Call before evaluating, checkpointing or exporting.
    /// </summary>
    public void SynchronizeStatistics()
    {
        if (Parallel is null) return;
        Parallel.AverageBuffers(Query);
        Parallel.AverageBuffers(Key);
    }

    private static void CheckDivisible(PretrainOptions options, int ranks)
    {
        if (options.BatchSize % ranks != 0)
            throw new ArgumentException($"BatchSize ({options.BatchSize}) is the global batch and must divide by the {ranks} ranks; " +
                $"use a multiple of {ranks} (e.g. {(options.BatchSize / ranks + 1) * ranks}) or another number of ranks.", nameof(options));
        if (options.Backbone.BatchNormSplits % ranks != 0)
            throw new ArgumentException($"Backbone.BatchNormSplits ({options.Backbone.BatchNormSplits}) is the global number of batch-norm groups " +
                $"and must divide by the {ranks} ranks; use a multiple of {ranks} (each rank runs its share of the groups).", nameof(options));
    }

    /// <summary>Hands the trained query encoder to the caller (who disposes it); the session no longer owns it.</summary>
    public ContrastiveEncoder ReleaseQuery()
    {
        var query = Query;
        _query = null;
        return query;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Optimizer.Dispose();
        Engine.Dispose();
        Parallel?.Dispose();
        Key.Dispose();
        _query?.Dispose();
        _query = null;
    }
}
