using System.Globalization;
using System.Text.RegularExpressions;
using SynCo.ML.Model;
using SynCo.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Training;

/// <summary>
/// <see cref="PretrainOptions.CpuChannelMultiple"/> exists because libtorch's oneDNN convolution backward intermittently
/// returns NaN input gradients at 4, 8 or 12 channels. This checks that the channel counts the rule allows stay finite, so
/// a libtorch upgrade that breaks them too is caught here rather than as a diverged training run, and that the rule's
/// error names multipliers it really accepts.
/// </summary>
public class CpuChannelRuleTests
{
    private static readonly double[] SmallLegalMultipliers = { 0.25, 0.5, 0.75 };

    /// <summary>
    /// Every stage width of ResNet-18 at the small legal multipliers, with the side that stage has on a 16-px image with the
    /// small stem (16, 8, 4, 2), as the tests' training runs see them.
    /// </summary>
    public static TheoryData<int, int> AllowedChannelCounts()
    {
        var data = new TheoryData<int, int>();
        var seen = new HashSet<(int, int)>();
        foreach (double m in SmallLegalMultipliers)
        {
            var widths = new BackboneOptions { WidthMultiplier = m }.StageWidths;
            for (int stage = 0; stage < widths.Count; stage++)
                if (seen.Add((widths[stage], 16 >> stage))) data.Add(widths[stage], 16 >> stage);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllowedChannelCounts))]
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
    }

    private static PretrainOptions Cpu(double widthMultiplier)
    {
        var o = new PretrainOptions { Run = { Device = "cpu" } };
        o.Backbone.WidthMultiplier = widthMultiplier;
        return o;
    }

    [Theory]
    [InlineData(0.125)]    // 8/16/32/64
    [InlineData(0.1875)]   // 12/24/48/96
    [InlineData(0.3)]      // 19/38/77/154
    [InlineData(0.875)]    // 56/112/224/448: only the first stage is off
    public void ValidateRejectsOtherWidthsNamingMultipliersItAccepts(double widthMultiplier)
    {
        var o = Cpu(widthMultiplier);
        var e = Assert.Throws<ArgumentOutOfRangeException>(o.Validate);
        Assert.Contains(string.Join("/", o.Backbone.StageWidths), e.Message);
        Assert.Contains($"multiples of {PretrainOptions.CpuChannelMultiple}", e.Message);
        var named = Regex.Match(e.Message, @"\(WidthMultiplier ([0-9., ]+), \.\.\.\)");
        Assert.True(named.Success, $"the message should name the legal multipliers: {e.Message}");
        var multipliers = named.Groups[1].Value.Split(", ").Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(SmallLegalMultipliers, multipliers.Take(3));
        foreach (double m in multipliers)
        {
            Cpu(m).Validate();   // each multiplier the message offers is accepted
            Assert.All(new BackboneOptions { WidthMultiplier = m }.StageWidths, w => Assert.Equal(0, w % PretrainOptions.CpuChannelMultiple));
        }
    }
}
