using SynCo.ML.Interop;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SynCo.ML.Model;

/// <summary>
/// torchvision's BasicBlock (ResNet-18/34): 3×3 conv (stride s) → BN → ReLU → 3×3 conv → BN, plus the shortcut, then ReLU.
/// State-dict names: <c>conv1</c>, <c>bn1</c>, <c>conv2</c>, <c>bn2</c>, <c>downsample.0</c>, <c>downsample.1</c>.
/// </summary>
public sealed class BasicBlock : ResidualBlock
{
    // Field names are the state-dict names; keep torchvision's order.
    private readonly Conv2d conv1;
    private readonly BatchNorm bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm bn2;
    private readonly Sequential? downsample;

    private readonly ConvBatchNorm[] _branch;
    private readonly ConvBatchNorm? _downsampleView;

    internal BasicBlock(string path, long inChannels, long planes, int stride, Func<long, BatchNorm> norm)
        : base(nameof(BasicBlock), path, stride, inChannels, planes)
    {
        conv1 = nn.Conv2d(inChannels, planes, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn1 = norm(planes);
        conv2 = nn.Conv2d(planes, planes, kernel_size: 3, stride: 1, padding: 1, bias: false);
        bn2 = norm(planes);
        (downsample, _downsampleView) = MakeDownsample(path, inChannels, planes, stride, norm);
        _branch = new[]
        {
            new ConvBatchNorm($"{path}.conv1", conv1, $"{path}.bn1", bn1),
            new ConvBatchNorm($"{path}.conv2", conv2, $"{path}.bn2", bn2),
        };
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<ConvBatchNorm> Branch => _branch;

    /// <inheritdoc/>
    public override ConvBatchNorm? Downsample => _downsampleView;

    /// <summary>Runs the block on (N, C, H, W).</summary>
    public override Tensor forward(Tensor input)
    {
        Tensor x = nn.functional.relu(bn1.call(conv1.call(input)));
        x = bn2.call(conv2.call(x));
        Tensor identity = downsample is null ? input : downsample.call(input);
        return x.add_(identity, ScalarOne.Value).relu_();
    }
}
