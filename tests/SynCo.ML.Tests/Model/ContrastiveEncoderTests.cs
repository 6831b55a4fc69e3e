using SynCo.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Model;

/// <summary><see cref="ProjectionHead"/> and <see cref="ContrastiveEncoder"/>: MoCo naming, forward, cloning.</summary>
public class ContrastiveEncoderTests
{
    private static BackboneOptions Tiny => new() { WidthMultiplier = 0.0625 };

    [Fact]
    public void HeadUsesSequentialNames()
    {
        using var head = new ProjectionHead(32, 16, 8);
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, head.state_dict().Keys.ToArray());
        Assert.Equal(new long[] { 16, 32 }, head.state_dict()["0.weight"].shape);
        Assert.Equal(new long[] { 8, 16 }, head.state_dict()["2.weight"].shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProjectionHead(0, 4));
    }

    [Fact]
    public void EncoderStateDictIsMoCoEncoderLayout()
    {
        using var encoder = new ContrastiveEncoder(Tiny, 16, 16);
        using var plain = new SynCo.ML.Model.ResNet(Tiny, 16, 16);
        var keys = encoder.state_dict().Keys.ToArray();
        // TorchSharp lists all parameters before all buffers; compare as sets.
        Assert.Equal(plain.state_dict().Keys.Concat(new[] { "fc.0.weight", "fc.0.bias", "fc.2.weight", "fc.2.bias" })
            .OrderBy(k => k, StringComparer.Ordinal), keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(new long[] { 32, 32 }, encoder.state_dict()["fc.0.weight"].shape); // hidden = FeatureDim by default
        Assert.Equal(new long[] { 128, 32 }, encoder.state_dict()["fc.2.weight"].shape);
        Assert.Equal(32, encoder.FeatureDim);
        Assert.Equal(128, encoder.EmbeddingDim);
        // Same tensors, not copies: the backbone's state dict aliases the encoder's.
        Assert.Equal(encoder.state_dict()["layer1.0.conv1.weight"].Handle, encoder.Backbone.state_dict()["layer1.0.conv1.weight"].Handle);
        Assert.Equal(encoder.parameters().Count(), encoder.Backbone.parameters().Count() + 4);
    }

    [Fact]
    public void ForwardIsHeadOfBackboneAndFeaturesIsBackbone()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        using var encoder = new ContrastiveEncoder(Tiny, 16, 16, headHiddenDim: 24, embeddingDim: 12);
        encoder.eval();
        Assert.False(encoder.Backbone.training);
        using var _ = torch.no_grad();
        Tensor x = torch.randn(2, 3, 16, 16);
        Tensor z = encoder.call(x);
        Tensor h = encoder.Features(x);
        Assert.Equal(new long[] { 2, 12 }, z.shape);
        Assert.Equal(new long[] { 2, 32 }, h.shape);
        Assert.True(torch.allclose(encoder.Head.call(encoder.Backbone.call(x)), z));
        encoder.train();
        Assert.True(encoder.Backbone.training);
        Assert.True(encoder.Head.training);
    }

    [Fact]
    public void CloneArchitectureBuildsAnIdenticalFreshModuleThatCanTakeTheWeights()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(6);
        using var query = new ContrastiveEncoder(new BackboneOptions { WidthMultiplier = 0.0625, BatchNormSplits = 2 }, 8, 8, 20, 10);
        using var key = query.CloneArchitecture();
        var qd = query.state_dict();
        var kd = key.state_dict();
        Assert.Equal(qd.Keys.ToArray(), kd.Keys.ToArray());
        foreach (var k in qd.Keys) Assert.Equal(qd[k].shape, kd[k].shape);
        Assert.False(qd["conv1.weight"].Equals(kd["conv1.weight"])); // fresh weights
        Assert.IsType<SplitBatchNorm2d>(key.Backbone.Stem.Norm);
        Assert.Equal(query.Backbone.UsesSmallStem, key.Backbone.UsesSmallStem);

        key.load_state_dict(qd);
        query.eval();
        key.eval();
        using var _ = torch.no_grad();
        Tensor x = torch.randn(2, 3, 8, 8);
        Assert.True(query.call(x).Equals(key.call(x)));
        // The key's parameters are its own tensors.
        Assert.NotEqual(query.parameters().First().Handle, key.parameters().First().Handle);
    }

    [Fact]
    public void ConvertingTheEncoderAlsoConvertsTheSharedBackboneModules()
    {
        using var scope = torch.NewDisposeScope();
        using var encoder = new ContrastiveEncoder(Tiny, 8, 8, 8, 4);
        encoder.to(float64);
        Assert.Equal(float64, encoder.Backbone.Stem.Conv.weight.dtype);
        Assert.Equal(float64, encoder.Backbone.Blocks[^1].Branch[^1].Norm.running_var!.dtype);
        Assert.Equal(float64, encoder.Head.Output.weight.dtype);
        encoder.eval();
        using var _ = torch.no_grad();
        Tensor x = torch.randn(2, 3, 8, 8, float64);
        Assert.Equal(float64, encoder.Features(x).dtype);
        Assert.Equal(new long[] { 2, 4 }, encoder.call(x).shape);
    }
}
