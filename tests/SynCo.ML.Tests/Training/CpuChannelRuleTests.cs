using SynCo.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Training;

/// <summary>
/// <see cref="PretrainOptions.CpuChannelMultiple"/> exists because libtorch's oneDNN convolution backward intermittently
/// returns NaN input gradients at 4, 8 or 12 channels. This checks the channel counts the rule allows stay finite, so a
/// libtorch upgrade that breaks them too is caught here rather than as a diverged training run.
/// </summary>
public class CpuChannelRuleTests
{
    [Theory]
    [InlineData(16, 8)]
    [InlineData(32, 8)]
    [InlineData(16, 16)]
    public void ConvolutionInputGradientsAreFiniteAtAllowedChannelCounts(int channels, int side)
    {
        manual_seed(4);
        using var conv = nn.Conv2d(channels, channels, 3, padding: 1, bias: false);
        for (int i = 0; i < 150; i++)
        {
            using var scope = NewDisposeScope();
            var x = randn(16, channels, side, side, requires_grad: true);
            conv.call(x).pow(2).sum().backward();
            Assert.False(x.grad!.isnan().any().item<bool>(), $"NaN input gradient at iteration {i}");
            conv.zero_grad();
        }
        Assert.Equal(0, channels % PretrainOptions.CpuChannelMultiple);
    }
}
