using SynCo.ML.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Model;

[Collection(GlobalGeneratorCollection.Name)]
public class WeightInitializerTests
{
    private static ContrastiveEncoder Encoder() => new(new BackboneOptions { WidthMultiplier = 0.25 }, 16, 16, 64, 32);

    private static float[] Weights(nn.Module m) => m.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

    [Fact]
    public void TheSameSeedGivesTheSameWeightsWhateverTheGlobalGeneratorDid()
    {
        using var a = Encoder();
        using var b = Encoder();
        using (var g = new Generator(5)) WeightInitializer.Apply(a, g);
        using (randn(1000)) { }                      // other code consuming the process-wide generator
        using (var g = new Generator(5)) WeightInitializer.Apply(b, g);
        Assert.Equal(Weights(a), Weights(b));
        using var c = Encoder();
        using (var g = new Generator(6)) WeightInitializer.Apply(c, g);
        Assert.NotEqual(Weights(a), Weights(c));
    }

    [Fact]
    public void ConstructorsInitialiseFromTheGivenGeneratorOrElseFromTheGlobalSeed()
    {
        ContrastiveEncoder Seeded(ulong seed) { using var g = new Generator(seed); return new(new BackboneOptions { WidthMultiplier = 0.25 }, 16, 16, 64, 32, g); }
        using var a = Seeded(5);
        using (randn(1000)) { }
        using var b = Seeded(5);
        Assert.Equal(Weights(a), Weights(b));

        manual_seed(9);
        using var c = Encoder();
        manual_seed(9);
        using var d = Encoder();
        Assert.Equal(Weights(c), Weights(d));
        Assert.NotEqual(Weights(a), Weights(c));
    }

    [Fact]
    public void DistributionsAreTorchvisionsAndPyTorchDefaults()
    {
        using var encoder = Encoder();
        using (var g = new Generator(1)) WeightInitializer.Apply(encoder, g);
        foreach (var (name, module) in encoder.named_modules())
        {
            if (module is Conv2d conv && conv.weight!.numel() > 2000)
            {
                double expected = Math.Sqrt(2.0 / (conv.weight.shape[0] * conv.weight.shape[2] * conv.weight.shape[3]));
                double std = conv.weight.std().item<float>();
                Assert.InRange(std / expected, 0.9, 1.1);
            }
            else if (module is Linear linear)
            {
                double bound = 1 / Math.Sqrt(linear.weight!.shape[1]);
                Assert.True(linear.weight.abs().max().item<float>() <= bound, name);
                Assert.True(linear.weight.abs().max().item<float>() > 0.9 * bound, name);
            }
            else if (module is BatchNorm bn)
            {
                Assert.True(bn.weight!.eq(1).all().item<bool>() && bn.bias!.eq(0).all().item<bool>(), name);
            }
        }
    }
}
