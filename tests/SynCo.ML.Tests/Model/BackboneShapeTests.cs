using SynCo.ML.Model;
using TorchSharp;
using static TorchSharp.torch;
using ResNet = SynCo.ML.Model.ResNet;

namespace SynCo.ML.Tests.Model;

/// <summary>Width multiplier, input channels, stems and the structural view of <see cref="ResNet"/>.</summary>
public class BackboneShapeTests
{
    [Theory]
    [InlineData(1.0, new[] { 64, 128, 256, 512 })]
    [InlineData(0.25, new[] { 16, 32, 64, 128 })]
    [InlineData(0.0625, new[] { 4, 8, 16, 32 })]
    [InlineData(0.01, new[] { 1, 1, 3, 5 })]   // 0.64 -> 1, 1.28 -> 1, 2.56 -> 3, 5.12 -> 5
    [InlineData(0.0390625, new[] { 3, 5, 10, 20 })] // 2.5 -> 3 (halves away from zero), 5, 10, 20
    public void StageWidthsAreRoundedAndAtLeastOne(double w, int[] expected)
    {
        var options = new BackboneOptions { WidthMultiplier = w };
        Assert.Equal(expected, options.StageWidths);
        Assert.Equal(expected[3], options.FeatureDim);
        options.Architecture = ResNetArchitecture.ResNet50;
        Assert.Equal(expected[3] * 4, options.FeatureDim);
    }

    [Fact]
    public void QuarterWidthResNet18HasScaledShapesAndReturnsPooledFeatures()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new ResNet(new BackboneOptions { WidthMultiplier = 0.25, SmallStem = false }, 32, 32);
        var sd = net.state_dict();
        Assert.Equal(new long[] { 16, 3, 7, 7 }, sd["conv1.weight"].shape);
        Assert.Equal(new long[] { 16 }, sd["bn1.running_mean"].shape);
        Assert.Equal(new long[] { 32, 16, 3, 3 }, sd["layer2.0.conv1.weight"].shape);
        Assert.Equal(new long[] { 32, 16, 1, 1 }, sd["layer2.0.downsample.0.weight"].shape);
        Assert.Equal(new long[] { 128, 128, 3, 3 }, sd["layer4.1.conv2.weight"].shape);
        Assert.False(sd.ContainsKey("layer1.0.downsample.0.weight"));
        Assert.False(sd.ContainsKey("fc.weight"));
        Assert.Equal(0L, sd["bn1.num_batches_tracked"].item<long>());
        Assert.Equal(128, net.FeatureDim);
        Assert.True(net.UsesMaxPool);
        Assert.Null(net.Classifier);

        net.eval();
        using var _ = torch.no_grad();
        Assert.Equal(new long[] { 2, 128 }, net.call(torch.randn(2, 3, 32, 32)).shape);
        Assert.Equal(new long[] { 1, 128 }, net.call(torch.randn(1, 3, 24, 40)).shape); // non-square
    }

    [Fact]
    public void OneChannelSmallStemResNet50HasBottleneckShapes()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new ResNet(new BackboneOptions
        {
            Architecture = ResNetArchitecture.ResNet50, WidthMultiplier = 0.0625, InputChannels = 1,
        }, 16, 16);
        Assert.True(net.UsesSmallStem); // automatic: 16 px <= 64 px
        Assert.False(net.UsesMaxPool);
        var sd = net.state_dict();
        Assert.Equal(new long[] { 4, 1, 3, 3 }, sd["conv1.weight"].shape);
        Assert.Equal(new long[] { 4, 4, 1, 1 }, sd["layer1.0.conv1.weight"].shape);
        Assert.Equal(new long[] { 4, 4, 3, 3 }, sd["layer1.0.conv2.weight"].shape);
        Assert.Equal(new long[] { 16, 4, 1, 1 }, sd["layer1.0.conv3.weight"].shape);
        Assert.Equal(new long[] { 16, 4, 1, 1 }, sd["layer1.0.downsample.0.weight"].shape); // channels change in layer1
        Assert.Equal(new long[] { 128, 64, 1, 1 }, sd["layer4.0.downsample.0.weight"].shape);
        Assert.Equal(128, net.FeatureDim);
        Assert.Equal(16, net.Blocks.Count);
        Assert.All(net.Blocks, b => Assert.IsType<Bottleneck>(b));
        // v1.5: the stride sits on the 3x3 conv of the first block of layers 2-4.
        Assert.Equal(new long[] { 2, 2 }, net.Blocks[3].Branch[1].Conv.stride);
        Assert.Equal(new long[] { 1, 1 }, net.Blocks[3].Branch[0].Conv.stride);

        net.eval();
        using var _ = torch.no_grad();
        Assert.Equal(new long[] { 3, 128 }, net.call(torch.randn(3, 1, 16, 16)).shape);
        Assert.Throws<ArgumentException>(() => net.call(torch.randn(1, 3, 16, 16)));
    }

    [Fact]
    public void StructuralViewListsTheBlocksInOrderWithTorchVisionPaths()
    {
        using var net = new ResNet(new BackboneOptions { Architecture = ResNetArchitecture.ResNet34, WidthMultiplier = 0.0625 }, 8, 8);
        Assert.Equal("conv1", net.Stem.ConvPath);
        Assert.Equal("bn1", net.Stem.NormPath);
        Assert.Equal(new long[] { 3, 3 }, net.Stem.Conv.kernel_size);
        Assert.Equal(new[] { "layer1.0", "layer1.1", "layer1.2", "layer2.0", "layer2.1", "layer2.2", "layer2.3",
            "layer3.0", "layer3.1", "layer3.2", "layer3.3", "layer3.4", "layer3.5", "layer4.0", "layer4.1", "layer4.2" },
            net.Blocks.Select(b => b.Path));
        Assert.Equal(new[] { 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1 }, net.Blocks.Select(b => b.Stride));
        Assert.All(net.Blocks, b => Assert.Equal(2, b.Branch.Count));
        Assert.Equal("layer2.0.downsample.0", net.Blocks[3].Downsample!.ConvPath);
        Assert.Equal("layer2.0.downsample.1", net.Blocks[3].Downsample!.NormPath);
        Assert.Null(net.Blocks[4].Downsample);

        // Every convolution of the state dict is reachable from the view (no hidden modules).
        var viewed = new List<string> { net.Stem.ConvPath + ".weight" };
        foreach (var b in net.Blocks)
            foreach (var u in b.Branch.Append(b.Downsample).OfType<ConvBatchNorm>())
                viewed.Add(u.ConvPath + ".weight");
        var convKeys = net.state_dict().Where(kv => kv.Value.ndim == 4).Select(kv => kv.Key);
        Assert.Equal(convKeys.OrderBy(k => k, StringComparer.Ordinal), viewed.OrderBy(k => k, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(null, 64, 64, true)]
    [InlineData(null, 32, 65, false)]
    [InlineData(null, 96, 96, false)]
    [InlineData(true, 224, 224, true)]
    [InlineData(false, 8, 8, false)]
    public void AutomaticStemPicksTheSmallStemUpTo64Pixels(bool? smallStem, int h, int w, bool expected)
    {
        var options = new BackboneOptions { SmallStem = smallStem };
        Assert.Equal(expected, options.UsesSmallStem(h, w));
    }

    [Fact]
    public void OptionsRejectIllegalValuesWithMessagesThatSayWhatIsLegal()
    {
        var o = new BackboneOptions();
        Assert.Contains("greater than 0", Assert.Throws<ArgumentOutOfRangeException>(() => o.WidthMultiplier = 0).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.WidthMultiplier = double.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.WidthMultiplier = 17);
        Assert.Contains("at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => o.InputChannels = 0).Message);
        Assert.Contains("at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => o.BatchNormSplits = 0).Message);
        Assert.Contains("ResNet18, ResNet34, ResNet50",
            Assert.Throws<ArgumentOutOfRangeException>(() => o.Architecture = (ResNetArchitecture)7).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.UsesSmallStem(0, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResNet(o, 8, 8, numClasses: -1));
        Assert.Throws<ArgumentNullException>(() => new ResNet(null!, 8, 8));
        // Defaults
        Assert.Equal(ResNetArchitecture.ResNet18, o.Architecture);
        Assert.Equal(1.0, o.WidthMultiplier);
        Assert.Equal(3, o.InputChannels);
        Assert.Null(o.SmallStem);
        Assert.Equal(1, o.BatchNormSplits);
    }

    [Fact]
    public void ResNetCopiesItsOptions()
    {
        var o = new BackboneOptions { WidthMultiplier = 0.0625 };
        using var net = new ResNet(o, 8, 8);
        o.WidthMultiplier = 0.5;
        Assert.Equal(0.0625, net.WidthMultiplier);
        Assert.Equal(32, net.FeatureDim);
    }

    [Fact]
    public void ConvolutionsAreKaimingNormalFanOutAndBatchNormIsOneZero()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var net = new ResNet(new BackboneOptions { WidthMultiplier = 0.25 }, 32, 32);
        var sd = net.state_dict();
        Tensor w = sd["layer3.0.conv2.weight"]; // 64 x 64 x 3 x 3: fan_out = 64*9
        double expectedStd = Math.Sqrt(2.0 / (64 * 9));
        double std = w.std().item<float>();
        Assert.InRange(std, expectedStd * 0.9, expectedStd * 1.1);
        Assert.True(torch.all(sd["layer3.0.bn2.weight"] == 1).item<bool>());
        Assert.True(torch.all(sd["layer3.0.bn2.bias"] == 0).item<bool>());
    }

    [Theory]
    [InlineData(ResNetArchitecture.ResNet18, 28, 28, true, 4, 4)]
    [InlineData(ResNetArchitecture.ResNet10, 28, 28, true, 4, 4)]
    [InlineData(ResNetArchitecture.ResNet18, 37, 45, true, 5, 6)]     // odd sides: every stride-2 step rounds up
    [InlineData(ResNetArchitecture.ResNet50, 33, 17, true, 5, 3)]
    [InlineData(ResNetArchitecture.ResNet18, 224, 224, false, 7, 7)]
    [InlineData(ResNetArchitecture.ResNet50, 97, 70, false, 4, 3)]
    public void FeatureMapSizeIsTheShapeTheBlocksProduce(ResNetArchitecture architecture, int h, int w, bool smallStem, int mapH, int mapW)
    {
        using var scope = torch.NewDisposeScope();
        var options = new BackboneOptions { Architecture = architecture, WidthMultiplier = 0.0625, SmallStem = smallStem };
        using var net = new ResNet(options, h, w);
        net.eval();
        using var noGrad = torch.no_grad();
        Assert.Equal((mapH, mapW), options.FeatureMapSize(h, w));
        Assert.Equal((mapH, mapW), net.FeatureMapSize);
        Assert.Equal(new long[] { 2, net.FeatureDim, mapH, mapW }, net.FeatureMap(torch.randn(2, 3, h, w)).shape);
    }

    [Fact]
    public void ResNet10IsResNet18WithOnlyTheFirstBlockOfEachStage()
    {
        using var scope = torch.NewDisposeScope();
        using var r10 = new ResNet(new BackboneOptions { Architecture = ResNetArchitecture.ResNet10, WidthMultiplier = 0.125 }, 16, 16);
        using var r18 = new ResNet(new BackboneOptions { Architecture = ResNetArchitecture.ResNet18, WidthMultiplier = 0.125 }, 16, 16);
        Assert.Equal(new[] { 1, 1, 1, 1 }, r10.Options.BlocksPerStage);
        Assert.Equal(4, r10.Blocks.Count);
        Assert.Equal(r18.FeatureDim, r10.FeatureDim);
        // The same keys and shapes as ResNet-18 minus its second block of each stage (layerN.1.*), in the same order.
        var r18Dict = r18.state_dict();
        var expected = r18Dict.Keys.Where(k => !System.Text.RegularExpressions.Regex.IsMatch(k, @"^layer\d\.1\.")).ToArray();
        var r10Dict = r10.state_dict();
        Assert.Equal(expected, r10Dict.Keys.ToArray());
        foreach (string key in expected) Assert.Equal(r18Dict[key].shape, r10Dict[key].shape);
        Assert.Equal(new long[] { 2, r10.FeatureDim }, r10.call(torch.randn(2, 3, 16, 16)).shape);
    }

    [Fact]
    public void GridFeaturesAverageEachCellOfTheFeatureMapChannelMajor()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        using var net = new ResNet(new BackboneOptions { WidthMultiplier = 0.0625, InputChannels = 1 }, 28, 28);
        net.eval();
        using var noGrad = torch.no_grad();
        var x = torch.randn(3, 1, 28, 28);
        var map = net.FeatureMap(x);                       // (3, 32, 4, 4)
        Assert.Equal(new long[] { 3, 32, 4, 4 }, map.shape);

        Assert.True((net.call(x) == net.GridFeatures(x, 1)).all().item<bool>(), "grid 1 is the pooled forward");
        Assert.True(torch.allclose(map.flatten(1), net.GridFeatures(x, 4)), "grid 4 on a 4x4 map is the map itself");

        var grid2 = net.GridFeatures(x, 2);
        Assert.Equal(new long[] { 3, 32 * 4 }, grid2.shape);
        for (int c = 0; c < 32; c += 7)
        for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
        {
            var cell = map[.., c, (2 * i)..(2 * i + 2), (2 * j)..(2 * j + 2)].mean(new long[] { 1, 2 });
            Assert.True(torch.allclose(cell, grid2[.., c * 4 + i * 2 + j], rtol: 1e-5, atol: 1e-6), $"channel {c}, cell ({i}, {j})");
        }

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => net.GridFeatures(x, 5));
        Assert.Contains("between 1 (global average pooling) and 4", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.GridFeatures(x, 0));
    }
}
