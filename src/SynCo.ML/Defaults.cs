namespace SynCo.ML;

/// <summary>The one place where SynCo.ML's public defaults live (catalog parameters, options and the CLI use these).</summary>
public static class Defaults
{
    /// <summary>Default output column: the embedding vector.</summary>
    public const string OutputColumnName = "Features";

    /// <summary>Default input column: the pixel vector produced by <c>ExtractPixels</c>.</summary>
    public const string InputColumnName = "Pixels";

    /// <summary>Default passes over the data.</summary>
    public const int Epochs = 100;

    /// <summary>Default images per step.</summary>
    public const int BatchSize = 256;

    /// <summary>Default queue length K (MoCo v2, ImageNet).</summary>
    public const int QueueSize = 65536;

    /// <summary>Default momentum m of the key encoder (MoCo v2, ImageNet).</summary>
    public const double KeyMomentum = 0.999;

    /// <summary>Default InfoNCE temperature T (MoCo v2, ImageNet).</summary>
    public const double Temperature = 0.2;

    /// <summary>Default SGD weight decay (MoCo v2, ImageNet).</summary>
    public const double WeightDecay = 1e-4;

    /// <summary>Default contrastive embedding size (MoCo v2's 128).</summary>
    public const int EmbeddingDim = 128;

    /// <summary>Default base learning rate per 256 images (MoCo v2's 0.03; the CIFAR demo's 0.06 per 512 is the same).</summary>
    public const double LearningRate = 0.03;

    /// <summary>Default SGD momentum.</summary>
    public const double SgdMomentum = 0.9;

    /// <summary>Default device choice.</summary>
    public const string Device = "auto";

    /// <summary>Default epochs of plain MoCo v2 before synthetic negatives start (both papers use 10).</summary>
    public const int NegativeWarmupEpochs = 10;

    /// <summary>Default feature grid of the fitted featurizer: 1 = global average pooling, the SSL literature's protocol.</summary>
    public const int FeatureGrid = 1;

    /// <summary>Default images per ONNX Runtime call in batched featurization.</summary>
    public const int FeaturizeBatchSize = 256;

    /// <summary>Default memory bound of the fitted transformer's embedding cache, in MB.</summary>
    public const int EmbeddingCacheMegabytes = 1024;

    /// <summary>
    /// Default share of the memory the .NET runtime says it may use (<see cref="GC.GetGCMemoryInfo()"/>'s
    /// <c>TotalAvailableMemoryBytes</c>: the heap hard limit when one is set, else the machine's or container's memory)
    /// up to which <see cref="SynCoEstimator.Fit"/> caches its input in memory as bytes instead of streaming it: a quarter.
    /// </summary>
    public const double InMemoryShareOfAvailableMemory = 0.25;

    /// <summary>
    /// Default memory bound of the decoded images <see cref="SynCoEstimator.Fit"/> holds when it streams its input (two
    /// read-ahead windows of the epoch's order together), as a share of the memory the runtime may use: a sixteenth,
    /// within [<see cref="StreamingBufferMinMegabytes"/>, <see cref="StreamingBufferMaxMegabytes"/>].
    /// </summary>
    public const double StreamingBufferShareOfAvailableMemory = 1.0 / 16;

    /// <summary>Smallest default streaming buffer, in MB.</summary>
    public const int StreamingBufferMinMegabytes = 16;

    /// <summary>Largest default streaming buffer, in MB (3,500 ImageNet-size images of 3×224×224 per window).</summary>
    public const int StreamingBufferMaxMegabytes = 1024;

    /// <summary>Default side of a multi-crop small crop as a share of the full view's: SwAV's 96 of 224 px.</summary>
    public const double SmallCropSizeRatio = 96.0 / 224.0;

    /// <summary>Default smallest area fraction of a multi-crop small crop (SwAV's 0.05).</summary>
    public const double SmallCropMinScale = 0.05;

    /// <summary>Default largest area fraction of a multi-crop small crop (SwAV's 0.14).</summary>
    public const double SmallCropMaxScale = 0.14;

    /// <summary>Default label fractions of few-label evaluation: 1 %, 10 % and 100 % of the labelled training set.</summary>
    public static readonly IReadOnlyList<double> LabelFractions = Array.AsReadOnly(new[] { 0.01, 0.1, 1.0 });

    /// <summary>Default seeds of few-label evaluation's class-balanced draws (one draw per seed and fraction).</summary>
    public static readonly IReadOnlyList<int> LabelDrawSeeds = Array.AsReadOnly(new[] { 1, 2, 3 });
}
