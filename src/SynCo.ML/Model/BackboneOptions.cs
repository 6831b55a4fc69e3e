using System.Globalization;

namespace SynCo.ML.Model;

/// <summary>
/// Shape of the ResNet backbone: architecture, width, input channels, stem and batch-norm splitting.
/// </summary>
/// <remarks>
/// Every setter checks its value and throws <see cref="ArgumentOutOfRangeException"/> with a message that says which
/// values are legal. A <see cref="ResNet"/> copies the options when it is built, so changing an options object later
/// does not change existing modules.
/// </remarks>
public sealed class BackboneOptions
{
    /// <summary>Largest input side (in pixels) for which <see cref="SmallStem"/> = <c>null</c> picks the small stem.</summary>
    public const int AutomaticSmallStemMaxSide = 64;

    /// <summary>Largest accepted <see cref="WidthMultiplier"/>.</summary>
    public const double MaxWidthMultiplier = 16.0;

    private static readonly int[] BaseStageWidths = { 64, 128, 256, 512 };

    private ResNetArchitecture _architecture = ResNetArchitecture.ResNet18;
    private double _widthMultiplier = 1.0;
    private int _inputChannels = 3;
    private int _batchNormSplits = 1;

    /// <summary>The residual layout (default <see cref="ResNetArchitecture.ResNet18"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a member of <see cref="ResNetArchitecture"/>.</exception>
    public ResNetArchitecture Architecture
    {
        get => _architecture;
        set
        {
            if (!Enum.IsDefined(value))
                throw new ArgumentOutOfRangeException(nameof(value), value,
                    $"{nameof(Architecture)} must be one of {string.Join(", ", Enum.GetNames<ResNetArchitecture>())}.");
            _architecture = value;
        }
    }

    /// <summary>
    /// Multiplies the four stage widths 64, 128, 256 and 512 (default 1.0, torchvision's widths). Each product is rounded
    /// to the nearest integer (halves away from zero) and is at least 1. Use 1/16 to 1/4 for quick experiments.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a finite number in (0, <see cref="MaxWidthMultiplier"/>].</exception>
    public double WidthMultiplier
    {
        get => _widthMultiplier;
        set
        {
            if (!double.IsFinite(value) || value <= 0 || value > MaxWidthMultiplier)
                throw new ArgumentOutOfRangeException(nameof(value), value,
                    $"{nameof(WidthMultiplier)} must be a finite number greater than 0 and at most {MaxWidthMultiplier.ToString(CultureInfo.InvariantCulture)} (1.0 = torchvision widths; 0.0625 to 0.25 for small models).");
            _widthMultiplier = value;
        }
    }

    /// <summary>Number of image channels the first convolution takes (default 3, RGB; 1 for grey-scale).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int InputChannels
    {
        get => _inputChannels;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value,
                    $"{nameof(InputChannels)} must be at least 1 (3 for RGB, 1 for grey-scale).");
            _inputChannels = value;
        }
    }

    /// <summary>
    /// Stem choice. <c>true</c>: CIFAR-style small stem (3×3 stride-1 conv, BN, ReLU, no max-pool). <c>false</c>: the
    /// ImageNet stem (7×7 stride-2 conv, BN, ReLU, 3×3 stride-2 max-pool). <c>null</c> (default): automatic, see
    /// <see cref="UsesSmallStem"/>.
    /// </summary>
    public bool? SmallStem { get; set; }

    /// <summary>
    /// Number of groups the batch is split into by every batch-norm layer in training mode (default 1: plain batch norm).
    /// With <c>k</c> &gt; 1 the batch of <c>B</c> samples is cut into <c>k</c> consecutive groups of <c>B/k</c> samples, each
    /// normalised with its own statistics, and the running statistics of the groups are averaged (the SplitBatchNorm of
    /// the official MoCo CIFAR demo, which imitates per-GPU batch norm on one device). Evaluation mode is plain batch norm.
    /// The training batch size must then be a multiple of <c>k</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int BatchNormSplits
    {
        get => _batchNormSplits;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value,
                    $"{nameof(BatchNormSplits)} must be at least 1 (1 = plain batch norm; k > 1 needs training batches whose size is a multiple of k).");
            _batchNormSplits = value;
        }
    }

    /// <summary>
    /// Whether a backbone for images of the given size uses the small stem: <see cref="SmallStem"/> when it is set,
    /// otherwise <c>true</c> exactly when the longer side is at most <see cref="AutomaticSmallStemMaxSide"/> pixels.
    /// </summary>
    /// <param name="height">Image height in pixels (at least 1).</param>
    /// <param name="width">Image width in pixels (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A side is less than 1.</exception>
    public bool UsesSmallStem(int height, int width)
    {
        CheckImageSize(height, width);
        return SmallStem ?? Math.Max(height, width) <= AutomaticSmallStemMaxSide;
    }

    /// <summary>Channel expansion of the residual blocks: 1 for ResNet-10/18/34 (BasicBlock), 4 for ResNet-50 (Bottleneck).</summary>
    public int BlockExpansion => Architecture == ResNetArchitecture.ResNet50 ? 4 : 1;

    /// <summary>Number of residual blocks in each of the four stages (<c>layer1</c> … <c>layer4</c>).</summary>
    public IReadOnlyList<int> BlocksPerStage => Architecture switch
    {
        ResNetArchitecture.ResNet10 => new[] { 1, 1, 1, 1 },
        ResNetArchitecture.ResNet18 => new[] { 2, 2, 2, 2 },
        _ => new[] { 3, 4, 6, 3 },
    };

    /// <summary>
    /// The "planes" of the four stages after the width multiplier: round(64·w), round(128·w), round(256·w), round(512·w),
    /// each at least 1. The stem has as many channels as the first stage; a stage outputs planes × <see cref="BlockExpansion"/>.
    /// </summary>
    public IReadOnlyList<int> StageWidths =>
        BaseStageWidths.Select(b => (int)Math.Max(1, Math.Round(b * WidthMultiplier, MidpointRounding.AwayFromZero))).ToArray();

    /// <summary>Length of the pooled feature vector: last stage planes × <see cref="BlockExpansion"/>.</summary>
    public int FeatureDim => StageWidths[3] * BlockExpansion;

    /// <summary>
    /// Size of the last stage's feature map for images of the given size: every stride-2 step (the standard stem's
    /// convolution and max-pool, the first block of stages 2–4) maps a side n to ⌈n / 2⌉, so a side shrinks 3 times with
    /// the small stem and 5 times with the standard one (28 px → 4, 32 px → 4, 224 px → 7).
    /// </summary>
    /// <param name="height">Image height in pixels (at least 1).</param>
    /// <param name="width">Image width in pixels (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A side is less than 1.</exception>
    public (int Height, int Width) FeatureMapSize(int height, int width)
    {
        int halvings = UsesSmallStem(height, width) ? 3 : 5;
        int Shrink(int side)
        {
            for (int i = 0; i < halvings; i++) side = (side + 1) / 2;
            return side;
        }
        return (Shrink(height), Shrink(width));
    }

    /// <summary>
    /// Checks a feature grid (<see cref="Onnx.OnnxExportSpec.FeatureGrid"/>) against the feature map of images of the
    /// given size: it must be at least 1 and at most the map's shorter side.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The grid is outside [1, shorter side of <see cref="FeatureMapSize"/>].</exception>
    public void CheckFeatureGrid(int grid, int height, int width, string parameterName)
    {
        var (h, w) = FeatureMapSize(height, width);
        if (grid < 1 || grid > Math.Min(h, w))
            throw new ArgumentOutOfRangeException(parameterName, grid,
                $"FeatureGrid is {grid}, but it must be between 1 (global average pooling) and {Math.Min(h, w)}: {height}x{width} images give a {h}x{w} feature map, and every grid cell averages at least one of its positions.");
    }

    /// <summary>Returns an independent copy of these options.</summary>
    public BackboneOptions Clone() => (BackboneOptions)MemberwiseClone();

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Architecture} width×{WidthMultiplier} in={InputChannels} stem={(SmallStem is null ? "auto" : SmallStem.Value ? "small" : "standard")} bnSplits={BatchNormSplits}");

    internal static void CheckImageSize(int height, int width)
    {
        if (height < 1)
            throw new ArgumentOutOfRangeException(nameof(height), height, "Image height must be at least 1 pixel.");
        if (width < 1)
            throw new ArgumentOutOfRangeException(nameof(width), width, "Image width must be at least 1 pixel.");
    }
}
