using SynCo.ML.Model;
using SynCo.ML.Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static SynCo.ML.Tests.Onnx.OnnxTestSupport;
using Tensor = TorchSharp.torch.Tensor;

namespace SynCo.ML.Tests.Onnx;

/// <summary>ONNX Runtime output of the exported model against the TorchSharp eval forward on the same raw pixels.</summary>
public class OnnxExportParityTests
{
    private const double Tolerance = 1e-4;
    private readonly ITestOutputHelper _output;

    public OnnxExportParityTests(ITestOutputHelper output) => _output = output;

    [Theory]
    //          architecture                  width    ch  h   w   small  output                       l2     batch splits grid
    [InlineData(ResNetArchitecture.ResNet18, 0.125,   3,  32, 32, true,  OnnxOutputKind.Features,   false, 2, 1, 1)]
    [InlineData(ResNetArchitecture.ResNet18, 0.125,   3,  40, 24, false, OnnxOutputKind.Projection, true,  3, 1, 1)]
    [InlineData(ResNetArchitecture.ResNet18, 0.0625,  1,  20, 12, true,  OnnxOutputKind.Features,   true,  2, 2, 1)]
    [InlineData(ResNetArchitecture.ResNet34, 0.0625,  1,  28, 28, false, OnnxOutputKind.Features,   true,  1, 1, 1)]
    [InlineData(ResNetArchitecture.ResNet34, 0.0625,  3,  16, 20, true,  OnnxOutputKind.Projection, false, 2, 1, 1)]
    [InlineData(ResNetArchitecture.ResNet50, 0.0625,  3,  32, 32, true,  OnnxOutputKind.Projection, true,  2, 1, 1)]
    [InlineData(ResNetArchitecture.ResNet50, 0.0625,  1,  48, 32, false, OnnxOutputKind.Features,   false, 3, 1, 1)]
    // Feature grids: 28 px small stem -> 4x4 map, grid 2 (cells of 2x2) and 3 (overlapping cells, as torch's adaptive
    // pooling); 40x24 -> 5x3 map, grid 3 (rows overlap, columns do not); 64x48 standard stem -> 2x2 map, grid 2 (cells of one).
    [InlineData(ResNetArchitecture.ResNet18, 0.125,   1,  28, 28, true,  OnnxOutputKind.Features,   false, 3, 1, 2)]
    [InlineData(ResNetArchitecture.ResNet18, 0.125,   1,  28, 28, true,  OnnxOutputKind.Features,   true,  2, 2, 3)]
    [InlineData(ResNetArchitecture.ResNet34, 0.0625,  3,  40, 24, true,  OnnxOutputKind.Features,   false, 2, 1, 3)]
    [InlineData(ResNetArchitecture.ResNet50, 0.0625,  3,  64, 48, false, OnnxOutputKind.Features,   false, 2, 1, 2)]
    [InlineData(ResNetArchitecture.ResNet10, 0.25,    1,  28, 28, true,  OnnxOutputKind.Features,   false, 2, 2, 4)]   // the Fashion-MNIST sample's backbone and grid
    [InlineData(ResNetArchitecture.ResNet10, 0.125,   3,  40, 24, false, OnnxOutputKind.Projection, true,  3, 1, 1)]
    public void OrtMatchesTorchSharpEvalForward(ResNetArchitecture architecture, double width, int channels, int h, int w,
        bool smallStem, OnnxOutputKind output, bool l2, int batch, int splits, int grid)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        var options = new BackboneOptions
        {
            Architecture = architecture, WidthMultiplier = width, InputChannels = channels, SmallStem = smallStem, BatchNormSplits = splits,
        };
        using var encoder = new ContrastiveEncoder(options, h, w, headHiddenDim: 48, embeddingDim: 16);
        PerturbBatchNorm(encoder);
        encoder.train(); // the exporter must not depend on the module's mode

        var spec = new OnnxExportSpec(channels, h, w) { Output = output, L2Normalize = l2, FeatureGrid = grid };
        if (channels == 3) spec.WithImageNetNormalization();
        else { spec.Mean = new[] { 0.45f }; spec.Std = new[] { 0.27f }; }

        byte[] model = BackboneOnnxExporter.ExportToBytes(encoder.Backbone, encoder.Head, spec);
        Assert.True(encoder.training, "export must not change the training mode");

        Tensor raw = RawPixels(batch, channels, h, w);
        float[] expected = Reference(encoder.Backbone, encoder.Head, spec, raw);
        using var session = Session(model);
        var (actual, shape) = RunOrt(session, spec, raw);
        long dim = output == OnnxOutputKind.Projection ? 16 : encoder.FeatureDim * grid * grid;
        Assert.Equal(new[] { (long)batch, dim }, shape);

        double diff = MaxAbsDiff(expected, actual);
        double scale = expected.Max(v => Math.Abs(v));
        _output.WriteLine($"{architecture} w={width} C={channels} {h}x{w} {(smallStem ? "small" : "standard")} stem, {output}{(l2 ? "+L2" : "")}, " +
            $"N={batch}, splits={splits}, grid {grid}: max abs diff {diff:E2} (output max |v| {scale:F3}, {model.Length} bytes)");
        Assert.True(scale > 1e-3, "the reference output should not be trivially zero");
        // float32 rounding grows with the values: grid cells of one position are not averaged down (|v| up to ~50).
        double tolerance = Tolerance * Math.Max(1, scale / 10);
        Assert.True(diff <= tolerance, $"max abs difference {diff} exceeds {tolerance}");
    }

    [Fact]
    public void SymbolicBatchDimensionAcceptsDifferentBatchSizesInOneSession()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(12);
        using var backbone = new ResNet(new BackboneOptions { WidthMultiplier = 0.0625 }, 16, 16);
        PerturbBatchNorm(backbone);
        var spec = OnnxExportSpec.ForBackbone(backbone).WithImageNetNormalization();
        spec.InputName = "Pixels";
        spec.OutputName = "Embedding";
        using var session = Session(BackboneOnnxExporter.ExportToBytes(backbone, null, spec));

        var meta = session.InputMetadata["Pixels"];
        Assert.Equal(new[] { -1, 3, 16, 16 }, meta.Dimensions);
        Assert.Equal("N", meta.SymbolicDimensions[0]);
        Assert.Equal(new[] { -1, 32 }, session.OutputMetadata["Embedding"].Dimensions);

        Tensor raw = RawPixels(5, 3, 16, 16);
        var (all, shape) = RunOrt(session, spec, raw);
        Assert.Equal(new long[] { 5, 32 }, shape);
        var (one, _) = RunOrt(session, spec, raw.narrow(0, 3, 1));
        Assert.True(MaxAbsDiff(all.Skip(3 * 32).Take(32).ToArray(), one) < 1e-5, "row 3 of the batch equals the single-image run");
        Assert.True(MaxAbsDiff(Reference(backbone, null, spec, raw), all) < Tolerance);
    }

    [Fact]
    public void L2NormalisationOfAnAllZeroRowGivesNoNaN()
    {
        using var scope = torch.NewDisposeScope();
        using var encoder = new ContrastiveEncoder(new BackboneOptions { WidthMultiplier = 0.0625 }, 8, 8, 8, 4);
        using (torch.no_grad())
        {
            encoder.Head.Output.weight.zero_();
            encoder.Head.Output.bias!.zero_();
        }
        var spec = new OnnxExportSpec(3, 8, 8) { Output = OnnxOutputKind.Projection, L2Normalize = true };
        using var session = Session(BackboneOnnxExporter.ExportToBytes(encoder, spec));
        var (values, _) = RunOrt(session, spec, RawPixels(2, 3, 8, 8));
        _output.WriteLine("ORT LpNormalization of a zero row: [" + string.Join(", ", values) + "]");
        Assert.All(values, v => Assert.False(float.IsNaN(v)));
    }
}
