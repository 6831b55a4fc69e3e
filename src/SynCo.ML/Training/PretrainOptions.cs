using System.Globalization;
using SynCo.ML.Augmentation;
using SynCo.ML.Contrastive;
using SynCo.ML.Model;
using SynCo.ML.Negatives;

namespace SynCo.ML.Training;

/// <summary>
/// Everything that shapes a pretraining run, composed of one part per decision: the <see cref="Backbone"/>, the
/// MoCo objective (<see cref="MoCo"/>), the synthetic <see cref="Negatives"/>, the <see cref="Augmentation"/>, the
/// <see cref="Optimizer"/> and schedule, and how the run executes (<see cref="Run"/>: device, seed, checkpoints,
/// callbacks). A new instance holds the <see cref="PretrainRecipe.SmallImages"/> recipe with SynCo negatives scaled
/// to the queue; <see cref="ApplyRecipe"/> switches to another published recipe, and every value stays overridable.
/// </summary>
/// <example>
/// <code>
/// var options = new PretrainOptions { Epochs = 20, BatchSize = 128 }.ApplyRecipe(PretrainRecipe.SmallImages);
/// options.Backbone.WidthMultiplier = 0.25;
/// options.MoCo.QueueSize = 16384;
/// options.Negatives = NegativeOptions.MoCHi(options.MoCo.QueueSize);
/// options.Run.OnEpoch = e => Console.WriteLine($"epoch {e.Epoch + 1}: loss {e.Loss:F3}");
/// using var result = new Pretrainer(options).Train(dataset);
/// </code>
/// </example>
public class PretrainOptions
{
    /// <summary>Creates options holding the <see cref="PretrainRecipe.SmallImages"/> recipe.</summary>
    public PretrainOptions() => ApplyRecipe(PretrainRecipe.SmallImages);

    /// <summary>The recipe last applied (informational; the values below are what count).</summary>
    public PretrainRecipe Recipe { get; private set; }

    /// <summary>Passes over the data; positive. Default 100.</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Images per step (each seen as two views); positive. Default 256.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Backbone architecture, width multiplier, stem and split batch-norm. Input channels come from the data.</summary>
    public BackboneOptions Backbone { get; set; } = new();

    /// <summary>The MoCo v2 objective: K, m, T, the symmetric loss, key shuffling and the projection head.</summary>
    public MoCoOptions MoCo { get; set; } = new();

    /// <summary>SGD and the learning-rate schedule.</summary>
    public OptimizerOptions Optimizer { get; set; } = new();

    /// <summary>Synthetic hard negatives; null = SynCo's six types scaled to <see cref="MoCoOptions.QueueSize"/>; <see cref="NegativeOptions.None"/> = plain MoCo v2.</summary>
    public NegativeOptions? Negatives { get; set; }

    /// <summary>
    /// Augmentation; null = the recipe's preset. Either way it is sized to the training images when training starts: a
    /// null crop size or normalisation is taken from them (<see cref="AugmentationOptions.SizedTo"/>), so
    /// <c>AugmentationOptions.SmallImages()</c> with one value changed needs no image shape.
    /// </summary>
    public AugmentationOptions? Augmentation { get; set; }

    /// <summary>Multi-crop: small extra query crops per image (<see cref="SmallCropOptions.Count"/> 0, the default, is off).</summary>
    public SmallCropOptions SmallCrops { get; set; } = new();

    /// <summary>Device, seed, threads, checkpoints and callbacks.</summary>
    public RunOptions Run { get; set; } = new();

    /// <summary>
    /// Optional .pt/.pth or .safetensors backbone weights (torchvision keys, or a MoCo checkpoint's <c>encoder_q</c>; see
    /// <see cref="Interop.PyTorchWeights.LoadBackbone"/>) that initialise the query backbone before the key encoder copies it.
    /// Null (default) = fresh torchvision-style initialisation. A resumed checkpoint takes precedence.
    /// </summary>
    public string? InitialBackboneWeights { get; set; }

    /// <summary>Sets every recipe-dependent value to <paramref name="recipe"/>'s published setting; returns this.</summary>
    public PretrainOptions ApplyRecipe(PretrainRecipe recipe)
    {
        Recipe = recipe;
        switch (recipe)
        {
            case PretrainRecipe.SmallImages: // the official MoCo CIFAR-10 demo
                MoCo.QueueSize = 4096; MoCo.Momentum = 0.99; MoCo.Temperature = 0.1;
                Optimizer.LearningRate = Defaults.LearningRate; Optimizer.WeightDecay = 5e-4;
                Backbone.BatchNormSplits = 8;
                break;
            case PretrainRecipe.ImageNet: // MoCo v2: the defaults
                MoCo.QueueSize = Defaults.QueueSize; MoCo.Momentum = Defaults.KeyMomentum; MoCo.Temperature = Defaults.Temperature;
                Optimizer.LearningRate = Defaults.LearningRate; Optimizer.WeightDecay = Defaults.WeightDecay;
                Backbone.BatchNormSplits = 1;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(recipe), recipe, "recipe must be SmallImages or ImageNet.");
        }
        return this;
    }

    /// <summary>The negatives actually used: <see cref="Negatives"/> or SynCo scaled to the queue.</summary>
    public NegativeOptions ResolveNegatives() => Negatives ?? NegativeOptions.SynCo(MoCo.QueueSize);

    /// <summary>The augmentation actually used for images of the given shape: <see cref="Augmentation"/> or the recipe's preset, sized to them.</summary>
    public AugmentationOptions ResolveAugmentation(int channels, int height, int width) =>
        (Augmentation ?? (Recipe == PretrainRecipe.ImageNet ? AugmentationOptions.MoCoV2() : AugmentationOptions.SmallImages()))
        .SizedTo(channels, height, width);

    /// <summary>Checks every value; messages say what is legal and what to change.</summary>
    public virtual void Validate()
    {
        ArgumentNullException.ThrowIfNull(Backbone, nameof(Backbone));
        ArgumentNullException.ThrowIfNull(MoCo, nameof(MoCo));
        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        ArgumentNullException.ThrowIfNull(Run, nameof(Run));
        ArgumentNullException.ThrowIfNull(SmallCrops, nameof(SmallCrops));
        Guard.Positive(Epochs, nameof(Epochs));
        Guard.Positive(BatchSize, nameof(BatchSize));
        MoCo.Validate();
        Optimizer.Validate();
        SmallCrops.Validate();
        Run.Validate();
        if (InitialBackboneWeights is { } weights && !File.Exists(weights))
            throw new FileNotFoundException($"InitialBackboneWeights '{weights}' does not exist; give the path of a .pt, .pth or .safetensors " +
                "backbone state dict (torchvision keys), or null for fresh weights.", weights);
        int keysPerStep = MoCo.KeysPerStep(BatchSize);
        if (MoCo.QueueSize < keysPerStep)
            throw new ArgumentOutOfRangeException(nameof(MoCo.QueueSize), MoCo.QueueSize,
                $"QueueSize ({MoCo.QueueSize}) must be at least the keys enqueued per step ({keysPerStep}); raise QueueSize or lower BatchSize.");
        if (Backbone.BatchNormSplits > 1 && BatchSize % Backbone.BatchNormSplits != 0)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize,
                $"BatchSize ({BatchSize}) must be a multiple of Backbone.BatchNormSplits ({Backbone.BatchNormSplits}); change one of them.");
        ResolveNegatives().Validate(MoCo.QueueSize);
        Augmentation?.Validate();
        // Validation loads no native code: the device is only parsed here, and the CPU width rule is checked here when the
        // CPU is asked for by name, and by TrainingSession when "auto" resolves to it.
        if (DeviceSpec.Parse(Run.Device).Kind == DeviceKind.Cpu) CheckCpuWidths(Backbone);
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
