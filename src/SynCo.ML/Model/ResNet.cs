using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SynCo.ML.Model;

/// <summary>
/// ResNet-10/18/34/50 backbone with torchvision's layer layout and state-dict names, plus a width multiplier, any number of
/// input channels, an optional CIFAR-style small stem and optional split batch norm (<see cref="BackboneOptions"/>).
/// </summary>
/// <remarks>
/// <para>State-dict keys are torchvision's: <c>conv1.weight</c>, <c>bn1.{weight,bias,running_mean,running_var,num_batches_tracked}</c>,
/// <c>layer1.0.conv1.weight</c>, …, <c>layer2.0.downsample.0.weight</c>, <c>layer2.0.downsample.1.*</c>, and
/// <c>fc.weight</c>/<c>fc.bias</c> when a classifier is requested. At width 1 with the standard stem and 3 channels the
/// shapes equal torchvision's too, so torchvision weights load with <c>load_state_dict</c>.</para>
/// <para><see cref="forward"/> returns the globally average-pooled features (B, <see cref="FeatureDim"/>),
/// or the classifier logits (B, numClasses) when built with <c>numClasses</c> &gt; 0.</para>
/// <para>Initialisation follows torchvision: convolutions kaiming-normal (fan-out, ReLU gain), batch norm weight 1 and
/// bias 0, the classifier PyTorch's default <c>Linear</c> initialisation.</para>
/// </remarks>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    // Field names are the state-dict names; keep torchvision's order. Only Module/Tensor fields are registered.
    private readonly Conv2d conv1;
    private readonly BatchNorm bn1;
    private readonly MaxPool2d? maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly Linear? fc;

    private readonly BackboneOptions _options;
    private readonly ConvBatchNorm _stem;
    private readonly ResidualBlock[] _blocks;

    /// <summary>Builds a freshly initialised backbone.</summary>
    /// <param name="options">Architecture, width, channels, stem and batch-norm splits (copied; later changes have no effect).</param>
    /// <param name="imageHeight">Height of the images the backbone is meant for (≥ 1); decides the automatic stem.</param>
    /// <param name="imageWidth">Width of the images the backbone is meant for (≥ 1); decides the automatic stem.</param>
    /// <param name="numClasses">0 (default) for a feature extractor; &gt; 0 adds torchvision's classifier <c>fc</c>.</param>
    /// <param name="initialization">
    /// Generator of the initial weights (torchvision's distributions, see <see cref="WeightInitializer"/>); null draws its
    /// seed from libtorch's global generator, so <c>torch.manual_seed</c> still decides.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An image side is less than 1 or <paramref name="numClasses"/> is negative.</exception>
    public ResNet(BackboneOptions options, int imageHeight, int imageWidth, int numClasses = 0, Generator? initialization = null)
        : base(nameof(ResNet))
    {
        ArgumentNullException.ThrowIfNull(options);
        BackboneOptions.CheckImageSize(imageHeight, imageWidth);
        if (numClasses < 0)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses,
                "numClasses must be 0 (no classifier, forward returns pooled features) or a positive number of classes.");

        _options = options.Clone();
        ImageHeight = imageHeight;
        ImageWidth = imageWidth;
        UsesSmallStem = _options.UsesSmallStem(imageHeight, imageWidth);
        NumClasses = numClasses;
        FeatureDim = _options.FeatureDim;

        int splits = _options.BatchNormSplits;
        Func<long, BatchNorm> norm = splits == 1
            ? c => nn.BatchNorm2d(c)
            : c => new SplitBatchNorm2d(c, splits);

        IReadOnlyList<int> widths = _options.StageWidths;
        long stemChannels = widths[0];
        conv1 = UsesSmallStem
            ? nn.Conv2d(_options.InputChannels, stemChannels, kernel_size: 3, stride: 1, padding: 1, bias: false)
            : nn.Conv2d(_options.InputChannels, stemChannels, kernel_size: 7, stride: 2, padding: 3, bias: false);
        bn1 = norm(stemChannels);
        maxpool = UsesSmallStem ? null : nn.MaxPool2d(kernel_size: 3, stride: 2, padding: 1);
        _stem = new ConvBatchNorm("conv1", conv1, "bn1", bn1);

        var blocks = new List<ResidualBlock>();
        long inChannels = stemChannels;
        var stages = new Sequential[4];
        for (int s = 0; s < 4; s++)
        {
            stages[s] = nn.Sequential();
            for (int b = 0; b < _options.BlocksPerStage[s]; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                string path = $"layer{s + 1}.{b}";
                ResidualBlock block = _options.Architecture == ResNetArchitecture.ResNet50
                    ? new Bottleneck(path, inChannels, widths[s], stride, norm)
                    : new BasicBlock(path, inChannels, widths[s], stride, norm);
                stages[s].append(block);
                blocks.Add(block);
                inChannels = block.OutChannels;
            }
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        _blocks = blocks.ToArray();
        if (numClasses > 0) fc = nn.Linear(FeatureDim, numClasses);

        RegisterComponents();

        WeightInitializer.Apply(this, initialization);
    }

    /// <summary>A copy of the options the backbone was built with.</summary>
    public BackboneOptions Options => _options.Clone();

    /// <summary>The residual layout.</summary>
    public ResNetArchitecture Architecture => _options.Architecture;

    /// <summary>The width multiplier.</summary>
    public double WidthMultiplier => _options.WidthMultiplier;

    /// <summary>Channels of the input images.</summary>
    public int InputChannels => _options.InputChannels;

    /// <summary>Image height the backbone was built for.</summary>
    public int ImageHeight { get; }

    /// <summary>Image width the backbone was built for.</summary>
    public int ImageWidth { get; }

    /// <summary>Whether the stem is the small one (3×3 stride-1 conv, no max-pool).</summary>
    public bool UsesSmallStem { get; }

    /// <summary>Whether the stem ends in torchvision's 3×3 stride-2 pad-1 max-pool (the standard stem).</summary>
    public bool UsesMaxPool => maxpool is not null;

    /// <summary>Number of classifier outputs, or 0 when <see cref="forward"/> returns features.</summary>
    public int NumClasses { get; }

    /// <summary>Length of the pooled feature vector.</summary>
    public int FeatureDim { get; }

    /// <summary>Size of the last stage's feature map for <see cref="ImageHeight"/>×<see cref="ImageWidth"/> images (<see cref="BackboneOptions.FeatureMapSize"/>).</summary>
    public (int Height, int Width) FeatureMapSize => _options.FeatureMapSize(ImageHeight, ImageWidth);

    /// <summary>The stem convolution (<c>conv1</c>) and its batch norm (<c>bn1</c>); a ReLU follows.</summary>
    public ConvBatchNorm Stem => _stem;

    /// <summary>The stem max-pool, or <c>null</c> for the small stem.</summary>
    public MaxPool2d? StemPool => maxpool;

    /// <summary>All residual blocks in execution order (<c>layer1.0</c>, <c>layer1.1</c>, …, <c>layer4.*</c>).</summary>
    public IReadOnlyList<ResidualBlock> Blocks => _blocks;

    /// <summary>The classifier <c>fc</c>, or <c>null</c> when <see cref="NumClasses"/> is 0.</summary>
    public Linear? Classifier => fc;

    /// <summary>Pooled features (B, <see cref="FeatureDim"/>), or logits (B, <see cref="NumClasses"/>) with a classifier.</summary>
    /// <param name="input">Images (B, <see cref="InputChannels"/>, H, W), already normalised.</param>
    /// <exception cref="ArgumentException">The input is not 4-D or has the wrong number of channels.</exception>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = nn.functional.adaptive_avg_pool2d(FeatureMap(input), 1).flatten(1);
        if (fc is not null) x = fc.call(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>The last stage's output before pooling: (B, <see cref="FeatureDim"/>, h, w).</summary>
    /// <inheritdoc cref="forward"/>
    public Tensor FeatureMap(Tensor input)
    {
        if (input.ndim != 4 || input.shape[1] != InputChannels)
            throw new ArgumentException(
                $"ResNet expects a (B, {InputChannels}, H, W) input, but got ({string.Join(", ", input.shape)}).", nameof(input));

        using var scope = NewDisposeScope();
        Tensor x = nn.functional.relu(bn1.call(conv1.call(input)));
        if (maxpool is not null) x = maxpool.call(x);
        x = layer1.call(x);
        x = layer2.call(x);
        x = layer3.call(x);
        x = layer4.call(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Features averaged over a <paramref name="grid"/>×<paramref name="grid"/> grid of the feature map (torch's
    /// <c>adaptive_avg_pool2d</c>), flattened channel-major: (B, <see cref="FeatureDim"/>·grid²). Grid 1 is the
    /// <see cref="forward"/> features; a finer grid keeps where in the image a feature fired, which is what the exported
    /// ONNX returns with <see cref="Onnx.OnnxExportSpec.FeatureGrid"/> &gt; 1.
    /// </summary>
    /// <param name="input">Images (B, <see cref="InputChannels"/>, <see cref="ImageHeight"/>, <see cref="ImageWidth"/>), already normalised.</param>
    /// <param name="grid">Cells per side, from 1 to the feature map's shorter side (<see cref="BackboneOptions.CheckFeatureGrid"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The grid is outside its range.</exception>
    public Tensor GridFeatures(Tensor input, int grid)
    {
        _options.CheckFeatureGrid(grid, ImageHeight, ImageWidth, nameof(grid));
        using var scope = NewDisposeScope();
        return nn.functional.adaptive_avg_pool2d(FeatureMap(input), grid).flatten(1).MoveToOuterDisposeScope();
    }
}
