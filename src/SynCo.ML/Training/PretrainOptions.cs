using System.Globalization;
using SynCo.ML.Augmentation;
using SynCo.ML.Contrastive;
using SynCo.ML.Model;
using SynCo.ML.Negatives;

namespace SynCo.ML.Training;

/// <summary>
/// Everything that shapes a pretraining run. Defaults are the <see cref="PretrainRecipe.SmallImages"/> recipe with
/// SynCo negatives scaled to the queue; <see cref="ApplyRecipe"/> switches to another published recipe, and every
/// value stays overridable.
/// </summary>
/// <example>
/// <code>
/// var options = new PretrainOptions { Epochs = 20, BatchSize = 128 }.ApplyRecipe(PretrainRecipe.SmallImages);
/// options.Backbone.WidthMultiplier = 0.25;
/// options.Negatives = NegativeOptions.MoCHi(hardPoolSize: 64, mixed: 32, queryMixed: 16);
/// using var result = new Pretrainer(options).Train(dataset);
/// </code>
/// </example>
public class PretrainOptions
{
    /// <summary>Creates options holding the <see cref="PretrainRecipe.SmallImages"/> recipe.</summary>
    public PretrainOptions() => ApplyRecipe(PretrainRecipe.SmallImages);

    /// <summary>The recipe last applied (informational; the values below are what count).</summary>
    public PretrainRecipe Recipe { get; private set; }

    /// <summary>Backbone architecture, width multiplier, stem and split batch-norm. Input channels come from the data.</summary>
    public BackboneOptions Backbone { get; set; } = new();

    /// <summary>Hidden width of the MoCo v2 projection head; null = the backbone's feature size.</summary>
    public int? HeadHiddenDim { get; set; }

    /// <summary>Size of the contrastive embedding (projection output, queue keys). Default 128.</summary>
    public int EmbeddingDim { get; set; } = Defaults.EmbeddingDim;

    /// <summary>Passes over the data. Default 100.</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Images per step (each seen as two views). Default 256.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>K, keys in the queue; must be at least the keys enqueued per step (BatchSize, or 2·BatchSize when symmetric).</summary>
    public int QueueSize { get; set; }

    /// <summary>m, momentum of the key encoder, in [0, 1].</summary>
    public double Momentum { get; set; }

    /// <summary>T, the InfoNCE temperature; &gt; 0.</summary>
    public double Temperature { get; set; }

    /// <summary>Symmetric loss (both views as query); about twice the cost per step.</summary>
    public bool Symmetric { get; set; }

    /// <summary>Shuffle the key batch (the single-device stand-in for shuffle-BN; pair with split batch-norm).</summary>
    public bool ShuffleKeys { get; set; } = true;

    /// <summary>Base learning rate per 256 images; the SGD rate is <c>LearningRate · BatchSize / 256</c>. Default 0.03.</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>SGD momentum. Default 0.9.</summary>
    public double SgdMomentum { get; set; } = Defaults.SgdMomentum;

    /// <summary>SGD weight decay.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Epochs of linear learning-rate warm-up before the cosine decay. Default 0 (as in MoCo v2).</summary>
    public int LearningRateWarmupEpochs { get; set; }

    /// <summary>Synthetic hard negatives; null = SynCo's six types scaled to <see cref="QueueSize"/>; <see cref="NegativeOptions.None"/> = plain MoCo v2.</summary>
    public NegativeOptions? Negatives { get; set; }

    /// <summary>Augmentation; null = the recipe's preset at the data's image size.</summary>
    public AugmentationOptions? Augmentation { get; set; }

    /// <summary>"auto" (default; CUDA when available), "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; set; } = Defaults.Device;

    /// <summary>Seed of weights, data order, augmentation and negatives. Null = 0 (the ML.NET estimator uses the MLContext's seed).</summary>
    public int? Seed { get; set; }

    /// <summary>TorchSharp intra-op threads; null leaves libtorch's default (the core count).</summary>
    public int? Threads { get; set; }

    /// <summary>Folder for the per-epoch checkpoint; null disables checkpoints.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>
    /// Resume from the checkpoint in <see cref="CheckpointDirectory"/> when one exists. Default true. A checkpoint written
    /// under other training options (augmentation and negatives included) or for data of another image count or size is
    /// refused with <see cref="InvalidOperationException"/>; <see cref="Threads"/> may change.
    /// </summary>
    public bool Resume { get; set; } = true;

    /// <summary>
    /// Optional .pt/.pth or .safetensors backbone weights (torchvision keys, or a MoCo checkpoint's <c>encoder_q</c>; see
    /// <see cref="Interop.PyTorchWeights.LoadBackbone"/>) that initialise the query backbone before the key encoder copies it.
    /// Null (default) = fresh torchvision-style initialisation. A resumed checkpoint takes precedence.
    /// </summary>
    public string? InitialBackboneWeights { get; set; }

    /// <summary>Called after every step (on the training thread; keep it cheap).</summary>
    public Action<TrainingProgress>? OnProgress { get; set; }

    /// <summary>Called after every epoch with its summary.</summary>
    public Action<EpochSummary>? OnEpoch { get; set; }

    /// <summary>Optional per-epoch monitor (e.g. kNN accuracy on a labelled subset) given the query encoder in eval mode and the epoch.</summary>
    public Func<ContrastiveEncoder, int, double>? Monitor { get; set; }

    /// <summary>Receives one-line log messages (device choice, resume, checkpoints).</summary>
    public Action<string>? Log { get; set; }

    /// <summary>Sets every recipe-dependent value to <paramref name="recipe"/>'s published setting; returns this.</summary>
    public PretrainOptions ApplyRecipe(PretrainRecipe recipe)
    {
        Recipe = recipe;
        switch (recipe)
        {
            case PretrainRecipe.SmallImages:
                QueueSize = 4096; Momentum = 0.99; Temperature = 0.1; LearningRate = Defaults.LearningRate; WeightDecay = 5e-4;
                Backbone.BatchNormSplits = 8;
                break;
            case PretrainRecipe.ImageNet:
                QueueSize = 65536; Momentum = 0.999; Temperature = 0.2; LearningRate = Defaults.LearningRate; WeightDecay = 1e-4;
                Backbone.BatchNormSplits = 1;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(recipe), recipe, "recipe must be SmallImages or ImageNet.");
        }
        return this;
    }

    /// <summary>The negatives actually used: <see cref="Negatives"/> or SynCo scaled to the queue.</summary>
    public NegativeOptions ResolveNegatives() => Negatives ?? NegativeOptions.SynCo(QueueSize);

    /// <summary>The augmentation actually used for images of the given size.</summary>
    public AugmentationOptions ResolveAugmentation(int channels, int height, int width) => Augmentation ?? (Recipe == PretrainRecipe.ImageNet
        ? AugmentationOptions.MoCoV2(height, width, channels)
        : AugmentationOptions.SmallImages(height, width, channels));

    /// <summary>The MoCo objective's settings.</summary>
    public MoCoEngineOptions EngineOptions() => new()
    {
        QueueSize = QueueSize, EmbeddingDim = EmbeddingDim, Momentum = Momentum, Temperature = Temperature,
        Symmetric = Symmetric, ShuffleKeys = ShuffleKeys,
    };

    /// <summary>Checks every value; messages say what is legal and what to change.</summary>
    public virtual void Validate()
    {
        ArgumentNullException.ThrowIfNull(Backbone, nameof(Backbone));
        Guard.Positive(Epochs, nameof(Epochs));
        Guard.Positive(BatchSize, nameof(BatchSize));
        Guard.Positive(EmbeddingDim, nameof(EmbeddingDim));
        if (HeadHiddenDim is { } h) Guard.Positive(h, nameof(HeadHiddenDim));
        Guard.Positive(LearningRate, nameof(LearningRate));
        Guard.InRange(SgdMomentum, 0, 1, nameof(SgdMomentum));
        Guard.NonNegative(WeightDecay, nameof(WeightDecay));
        Guard.NonNegative(LearningRateWarmupEpochs, nameof(LearningRateWarmupEpochs));
        if (Threads is { } t) Guard.Positive(t, nameof(Threads));
        if (InitialBackboneWeights is { } weights && !File.Exists(weights))
            throw new FileNotFoundException($"InitialBackboneWeights '{weights}' does not exist; give the path of a .pt, .pth or .safetensors " +
                "backbone state dict (torchvision keys), or null for fresh weights.", weights);
        EngineOptions().Validate();
        int keysPerStep = Symmetric ? 2 * BatchSize : BatchSize;
        if (QueueSize < keysPerStep)
            throw new ArgumentOutOfRangeException(nameof(QueueSize), QueueSize,
                $"QueueSize ({QueueSize}) must be at least the keys enqueued per step ({keysPerStep}); raise QueueSize or lower BatchSize.");
        if (Backbone.BatchNormSplits > 1 && BatchSize % Backbone.BatchNormSplits != 0)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize,
                $"BatchSize ({BatchSize}) must be a multiple of Backbone.BatchNormSplits ({Backbone.BatchNormSplits}); change one of them.");
        ResolveNegatives().Validate(QueueSize);
        Augmentation?.Validate();
        // Validation loads no native code: the device is only parsed here, and the CPU width rule is checked here when the
        // CPU is asked for by name, and by TrainingSession when "auto" resolves to it.
        if (DeviceSpec.Parse(Device, nameof(Device)).Kind == DeviceKind.Cpu) CheckCpuWidths(Backbone);
    }

    /// <summary>The CPU training rule: every stage width a multiple of <see cref="CpuChannelMultiple"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A stage width is not; the message names the legal multipliers.</exception>
    internal static void CheckCpuWidths(BackboneOptions backbone)
    {
        if (backbone.StageWidths.Any(w => w % CpuChannelMultiple != 0))
            throw new ArgumentOutOfRangeException(nameof(Backbone),
                $"Backbone.WidthMultiplier {backbone.WidthMultiplier.ToString(CultureInfo.InvariantCulture)} gives stage widths " +
                $"{string.Join("/", backbone.StageWidths)}; training on the CPU needs multiples of {CpuChannelMultiple} " +
                "(WidthMultiplier 0.25, 0.5, 0.75, 1, ...), because libtorch's oneDNN convolution backward intermittently returns NaN " +
                "gradients for other channel counts. Export and inference accept any width.");
    }

    /// <summary>
    /// Channel counts CPU training accepts are multiples of this. Measured on libtorch 2.10 (TorchSharp 0.107): the oneDNN
    /// convolution's input gradient came back partly NaN in 2–7 % of steps at 4, 8 or 12 channels and never in 2,700
    /// steps at 16, 24 or 32, across 8–32 px inputs.
    /// </summary>
    public const int CpuChannelMultiple = 16;
}
