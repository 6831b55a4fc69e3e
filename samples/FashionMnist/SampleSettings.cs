using System.Text.Json;
using System.Text.Json.Serialization;
using SynCo.ML.Evaluation;
using SynCo.ML.Model;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>
/// What one run of the sample does. The defaults are sized for 2 CPU cores: the pretraining takes what ResNet-18 on
/// 15,000 images took (6 min 52 s end to end on the fastest machine seen), and the whole run took 22 minutes on the
/// slowest (docs/benchmarks.md).
/// </summary>
public sealed record SampleSettings
{
    /// <summary>Folder with the four IDX files (gzipped or not); null for Debian's dataset-fashion-mnist location.</summary>
    public string? DataFolder { get; init; }

    /// <summary>Where results, plots and the model go.</summary>
    public string OutputFolder { get; init; } = "artifacts/fashion-mnist";

    /// <summary>
    /// Methods to run; the default is SynCo beside the two baselines every learned feature must beat (raw pixels and the
    /// same backbone at random initialisation); <c>--compare</c> adds MoCo v2 and MoCHi.
    /// </summary>
    public IReadOnlyList<Method> Methods { get; init; } = new[] { Method.RawPixels, Method.RandomInit, Method.SynCo };

    /// <summary>Seeds; with several, the table reports mean ± spread.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = new[] { 1 };

    /// <summary>
    /// Unlabelled training images used for pretraining (a seeded subset of the 60,000). 27,000 × 6 epochs with ResNet-10
    /// takes about as long as the earlier 15,000 × 6 with ResNet-18 (which kept the main command inside 10 minutes on 2
    /// cores that trained ResNet-18 at 400–640 images/s), since ResNet-10 runs about 1.9 times as many images per second.
    /// </summary>
    public int PretrainImages { get; init; } = 27_000;

    /// <summary>Pretraining epochs over that subset.</summary>
    public int Epochs { get; init; } = 6;

    /// <summary>Epochs of plain MoCo before synthetic negatives start (the papers use 10 of 200).</summary>
    public int WarmupEpochs { get; init; } = 1;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>
    /// Backbone layout. ResNet-10 (one block per stage) rather than the literature's ResNet-18: in the same pretraining
    /// time on 2 cores it sees about 1.9 times the images and its features score 0.5–1.6 points higher on every few-label
    /// probe (seed 1: linear 81.3 / 86.5 % against 79.7 / 85.0 % at 1 / 10 % of the labels; docs/benchmarks.md).
    /// </summary>
    public ResNetArchitecture Architecture { get; init; } = ResNetArchitecture.ResNet10;

    /// <summary>Backbone width multiplier (CPU training needs 0.25, 0.5, 0.75, 1, ...).</summary>
    public double Width { get; init; } = 0.25;

    /// <summary>
    /// Stem: true for the CIFAR-style small stem (3×3 stride 1, no max-pool: stage 1 runs at 28×28), false for the
    /// ImageNet stem (7×7 stride 2 and a max-pool: stage 1 at 7×7, about a sixteenth of the work per layer).
    /// </summary>
    public bool SmallStem { get; init; } = true;

    /// <summary>Queue length K.</summary>
    public int QueueSize { get; init; } = 4096;

    /// <summary>
    /// Base learning rate per 256 images (scaled linearly with the batch). 0.06, twice the library's default: ResNet-10's
    /// shorter run learns faster with it. At 27,000 × 6, paired over seeds 1–3, it scored +0.3 linear at 10 % of the
    /// labels on every seed and +1.4 / +0.5 on the weighted kNN at 1 / 10 %, and within 0.2 of 0.03 on the other cells
    /// (docs/benchmarks.md).
    /// </summary>
    public double LearningRate { get; init; } = 0.06;

    /// <summary>
    /// Smallest area fraction kept by the random resized crop. 0.8 rather than the small-image recipe's 0.08: at this
    /// budget (20,000 images × 6 epochs, seed 1, one thread) linear / 5-NN accuracy rose with every step from 0.2
    /// (81.6 / 82.3 %) through 0.4 and 0.6 to 0.8 (84.4 / 85.5 %). Longer runs gain less from it (60,000 × 40 epochs:
    /// 5-NN +0.5, linear −0.2 against 0.2); see docs/benchmarks.md.
    /// </summary>
    public double MinCropScale { get; init; } = 0.8;

    /// <summary>InfoNCE temperature T; null keeps the small-images recipe's 0.1 (MoCo v2 on ImageNet uses 0.2).</summary>
    public double? Temperature { get; init; }

    /// <summary>
    /// Split batch-norm groups; null keeps the small-images recipe's 8 (16 images per group at batch 128). At the default
    /// budget 1 and 2 groups scored no better (see docs/benchmarks.md).
    /// </summary>
    public int? BatchNormSplits { get; init; }

    /// <summary>Key-encoder momentum m; null keeps the small-images recipe's 0.99.</summary>
    public double? KeyMomentum { get; init; }

    /// <summary>Epochs of linear learning-rate warm-up before the cosine schedule; 0 for none.</summary>
    public int LearningRateWarmupEpochs { get; init; }

    /// <summary>Hidden width of the projection head; null for the backbone's feature width.</summary>
    public int? HeadHiddenDim { get; init; }

    /// <summary>Contrastive embedding size (the head's output); null for MoCo's 128.</summary>
    public int? EmbeddingDim { get; init; }

    /// <summary>Multi-crop: small extra query crops per image (<see cref="SynCo.ML.Augmentation.SmallCropOptions"/>); 0 is off.</summary>
    public int SmallCrops { get; init; }

    /// <summary>Side of a small crop in pixels; null for the library's default (96/224 of the full view).</summary>
    public int? SmallCropSize { get; init; }

    /// <summary>Area range of a small crop (two fractions); SwAV's 0.05–0.14 by default.</summary>
    public IReadOnlyList<double> SmallCropScale { get; init; } = new[] { Defaults.SmallCropMinScale, Defaults.SmallCropMaxScale };

    /// <summary>Symmetric loss: both views act as query and key (about twice the cost per step).</summary>
    public bool Symmetric { get; init; }

    /// <summary>
    /// Cells per side of the grid the learned and random-init backbones' features are averaged over
    /// (<see cref="SynCoOptions.FeatureGrid"/>): 4, the whole 4×4 feature map of the 28 px image (16 × 128 values), keeps
    /// where each feature fired, which lifts the few-label probes by 2–3 points over global pooling and about 1 over a
    /// 2×2 grid (docs/benchmarks.md); 1 is the SSL literature's global average pooling. Null (default): the feature map's
    /// shorter side, so 4 with the small stem and 1 with the ImageNet stem, whose 28 px feature map is 1×1.
    /// </summary>
    public int? FeatureGrid { get; init; }

    /// <summary>The grid the run uses: <see cref="FeatureGrid"/>, or its default for the stem.</summary>
    public int ResolvedFeatureGrid => FeatureGrid ?? new BackboneOptions { SmallStem = SmallStem }.FeatureMapSize(28, 28).Height;   // square map

    /// <summary>Label fractions the probes are trained on (class-balanced draws of the probe images); 1 %, 10 % and 100 %.</summary>
    public IReadOnlyList<double> LabelFractions { get; init; } = Defaults.LabelFractions;

    /// <summary>Seeds of the class-balanced label draws (one draw each per fraction below 100 %).</summary>
    public IReadOnlyList<int> DrawSeeds { get; init; } = Defaults.LabelDrawSeeds;

    /// <summary>
    /// Cross-validate the linear probe's L2 weight on every label draw instead of on each fraction's first draw
    /// (<see cref="FewLabelEvaluation.CrossValidateEachDraw"/>).
    /// </summary>
    public bool CrossValidateEachDraw { get; init; }

    /// <summary>The few-label evaluation these settings ask for; its <see cref="FewLabelEvaluation.Describe"/> is the report's protocol line.</summary>
    public FewLabelEvaluation Evaluation() =>
        new() { Fractions = LabelFractions, DrawSeeds = DrawSeeds, CrossValidateEachDraw = CrossValidateEachDraw };

    /// <summary>Labelled training images used for the linear probe and the kNN bank (all 60,000 by default).</summary>
    public int ProbeImages { get; init; } = 60_000;

    /// <summary>Device: auto, cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>
    /// Folder for a checkpoint per pretrained method and seed (<c>&lt;folder&gt;/&lt;method&gt;-seed&lt;seed&gt;</c>), written after
    /// every epoch, and for each finished method and seed's features-and-probes result (<see cref="SavedEvaluation"/>).
    /// Re-running the same command resumes after the last finished epoch and reuses finished results, so a long run can
    /// be stopped and continued, and separate processes (one seed each) can share the folder. Null: no checkpoints.
    /// </summary>
    public string? CheckpointFolder { get; init; }

    /// <summary>Intra-op threads for TorchSharp and ONNX Runtime; null for the default (all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Every setting one method and seed's result depends on, as one string: all of these but where output goes
    /// (<see cref="OutputFolder"/>, <see cref="CheckpointFolder"/>), which methods and seeds run, the data folder, and the
    /// device and thread count (which change only the rounding). A <see cref="SavedEvaluation"/> is reused only under the
    /// same string.
    /// </summary>
    [JsonIgnore]
    public string EvaluationFingerprint => JsonSerializer.Serialize(this with
    {
        OutputFolder = "", CheckpointFolder = null, Methods = Array.Empty<Method>(), Seeds = Array.Empty<int>(), DataFolder = null, Device = "", Threads = null,
    });
}
