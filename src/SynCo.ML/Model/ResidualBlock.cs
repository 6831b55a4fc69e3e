using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SynCo.ML.Model;

/// <summary>
/// A residual block of a <see cref="ResNet"/>: <see cref="BasicBlock"/> or <see cref="Bottleneck"/>.
/// </summary>
/// <remarks>
/// Both kinds compute <c>relu(branch(x) + shortcut(x))</c>, where <c>branch</c> runs the units of <see cref="Branch"/> in
/// order with a ReLU after every unit except the last, and <c>shortcut</c> is <see cref="Downsample"/> or the identity.
/// The exporter relies on exactly this description.
/// </remarks>
public abstract class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private protected ResidualBlock(string name, string path, int stride, long inChannels, long outChannels) : base(name)
    {
        Path = path;
        Stride = stride;
        InChannels = inChannels;
        OutChannels = outChannels;
    }

    /// <summary>State-dict prefix of the block, e.g. <c>layer3.1</c>.</summary>
    public string Path { get; }

    /// <summary>Spatial stride of the block (1 or 2).</summary>
    public int Stride { get; }

    /// <summary>Channels the block takes.</summary>
    public long InChannels { get; }

    /// <summary>Channels the block returns.</summary>
    public long OutChannels { get; }

    /// <summary>The conv + batch-norm units of the residual branch, in order.</summary>
    public abstract IReadOnlyList<ConvBatchNorm> Branch { get; }

    /// <summary>The 1×1 projection shortcut (<c>downsample.0</c>, <c>downsample.1</c>), or <c>null</c> for the identity.</summary>
    public abstract ConvBatchNorm? Downsample { get; }

    /// <summary>Builds the shortcut torchvision uses when the stride or the channel count changes.</summary>
    private protected static (Sequential? Module, ConvBatchNorm? View) MakeDownsample(
        string path, long inChannels, long outChannels, int stride, Func<long, BatchNorm> norm)
    {
        if (stride == 1 && inChannels == outChannels) return (null, null);
        Conv2d conv = nn.Conv2d(inChannels, outChannels, kernel_size: 1, stride: stride, bias: false);
        BatchNorm bn = norm(outChannels);
        return (nn.Sequential(conv, bn), new ConvBatchNorm($"{path}.downsample.0", conv, $"{path}.downsample.1", bn));
    }
}
