using SynCo.ML.Negatives;

namespace SynCo.ML.Tests.Negatives;

public class NegativeOptionsTests
{
    [Fact]
    public void SynCoPresetIsTheOfficialRecipeAtTheOfficialQueueSize()
    {
        var o = NegativeOptions.SynCo();
        Assert.Equal((1024, 256, 256, 256, 64, 64, 64), (o.HardPoolSize, o.Interpolated, o.Extrapolated, o.Mixup, o.NoiseInjected, o.Perturbed, o.Adversarial));
        Assert.Equal(960, o.TotalCount);
        Assert.Equal(10, o.WarmupEpochs);
        Assert.Equal(new CoefficientRange(0, 0.5), o.ExtrapolationBeta);
        Assert.Equal((0.01, 0.01, 0.01), (o.Sigma, o.Delta, o.Eta));
    }

    [Fact]
    public void SynCoPresetKeepsTheRatiosForSmallQueues()
    {
        var o = NegativeOptions.SynCo(4096);
        Assert.Equal((64, 16, 16, 16, 4, 4, 4), (o.HardPoolSize, o.Interpolated, o.Extrapolated, o.Mixup, o.NoiseInjected, o.Perturbed, o.Adversarial));
    }

    [Fact]
    public void ScaledMoCHiUsesTheSameHardPoolAsSynCoWithMoCHisRatio()
    {
        var o = NegativeOptions.MoCHi(4096);
        Assert.Equal((64, 64, 16, 0), (o.HardPoolSize, o.Mixup, o.Interpolated, o.Extrapolated));
        Assert.Equal((1024, 16, 10), (NegativeOptions.HardPoolFor(65536), NegativeOptions.HardPoolFor(512), NegativeOptions.HardPoolFor(10)));
        Assert.Contains("queueSize", Assert.Throws<ArgumentOutOfRangeException>(() => NegativeOptions.HardPoolFor(0)).Message);
    }

    [Fact]
    public void EachCountControlsOnlyItsOwnType()
    {
        // The reference code ties type 5 to --n4 and type 4 to --n5; here each count is independent.
        var o = new NegativeOptions { HardPoolSize = 8, NoiseInjected = 0, Perturbed = 3 };
        var synth = o.CreateSynthesizer(16)!;
        Assert.Equal(new[] { "perturbed" }, synth.Generators.Select(g => g.Name));
        o = new NegativeOptions { HardPoolSize = 8, NoiseInjected = 2, Perturbed = 0 };
        Assert.Equal(new[] { "noise" }, o.CreateSynthesizer(16)!.Generators.Select(g => g.Name));
    }

    [Fact]
    public void MoCHiUsesMixupAndQueryMixing()
    {
        var synth = NegativeOptions.MoCHi(128, 1024, 512).CreateSynthesizer(65536)!;
        Assert.Equal(new[] { ("interpolated", 512), ("mixup", 1024) }, synth.Generators.Select(g => (g.Name, g.Count)));
        Assert.Equal(128, synth.HardPoolSize);
    }

    [Fact]
    public void NoneMeansPlainMoCo() => Assert.Null(NegativeOptions.None().CreateSynthesizer(4096));

    [Fact]
    public void InvalidCombinationsNameTheFix()
    {
        var noPool = new NegativeOptions { HardPoolSize = 0, Mixup = 9 };
        Assert.Contains("positive", Assert.Throws<ArgumentOutOfRangeException>(() => noPool.Validate(64)).Message);
        var poolTooBig = new NegativeOptions { HardPoolSize = 128, Mixup = 4 };
        Assert.Contains("raise QueueSize", Assert.Throws<ArgumentOutOfRangeException>(() => poolTooBig.Validate(64)).Message);
        var negative = new NegativeOptions { Interpolated = -1 };
        Assert.Throws<ArgumentOutOfRangeException>(() => negative.Validate(4096));
        var badSigma = new NegativeOptions { HardPoolSize = 8, NoiseInjected = 2, Sigma = 0 };
        Assert.Throws<ArgumentOutOfRangeException>(() => badSigma.Validate(64));
    }
}
