using Onnx;
using SynCo.ML.Model;
using SynCo.ML.Onnx;
using TorchSharp;

namespace SynCo.ML.Tests.Onnx;

/// <summary>What the exported ONNX message contains: versions, I/O, ops, initializers, metadata.</summary>
public class OnnxGraphStructureTests
{
    private static readonly HashSet<string> AllowedOps = new()
    {
        "Sub", "Mul", "Conv", "Relu", "MaxPool", "Add", "GlobalAveragePool", "Flatten", "Gemm", "LpNormalization",
    };

    [Fact]
    public void ModelHasIr8Opset17SymbolicBatchAndFoldedBatchNorm()
    {
        using var scope = torch.NewDisposeScope();
        using var encoder = new ContrastiveEncoder(new BackboneOptions { WidthMultiplier = 0.0625, SmallStem = false }, 24, 32, 20, 10);
        var spec = new OnnxExportSpec(3, 24, 32) { Output = OnnxOutputKind.Projection, L2Normalize = true }.WithImageNetNormalization();
        ModelProto model = ModelProto.Parser.ParseFrom(BackboneOnnxExporter.ExportToBytes(encoder, spec));

        Assert.Equal(8, model.IrVersion);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);
        Assert.Equal("SynCo.ML", model.ProducerName);

        GraphProto g = model.Graph;
        var input = Assert.Single(g.Input); // initializers are not graph inputs
        Assert.Equal("input", input.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Float, input.Type.TensorType.ElemType);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal("N", dims[0].DimParam);
        Assert.Equal(new long[] { 3, 24, 32 }, dims.Skip(1).Select(d => d.DimValue));
        var output = Assert.Single(g.Output);
        Assert.Equal("output", output.Name);
        Assert.Equal("N", output.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(10, output.Type.TensorType.Shape.Dim[1].DimValue);

        var ops = g.Node.Select(n => n.OpType).ToList();
        Assert.All(ops, op => Assert.Contains(op, AllowedOps));
        Assert.DoesNotContain("BatchNormalization", ops);
        Assert.Equal(20, ops.Count(o => o == "Conv")); // stem + 16 block convs + 3 downsample convs
        Assert.Equal(1, ops.Count(o => o == "MaxPool"));
        Assert.Equal(8, ops.Count(o => o == "Add"));
        Assert.Equal(2, ops.Count(o => o == "Gemm"));
        Assert.Equal(new[] { "Sub", "Mul", "Conv" }, ops.Take(3)); // normalisation stays in front of conv1 (not folded)
        Assert.Equal("LpNormalization", ops[^1]);
        Assert.Equal("output", g.Node[^1].Output.Single());
        Assert.All(g.Node.Where(n => n.OpType == "Gemm"), n => Assert.Equal(1, n.Attribute.Single(a => a.Name == "transB").I));
        var lp = g.Node[^1].Attribute.ToDictionary(a => a.Name, a => a.I);
        Assert.Equal(1, lp["axis"]);
        Assert.Equal(2, lp["p"]);

        // The stem conv keeps torchvision's 7x7 stride-2 pad-3 geometry.
        var conv1 = g.Node.First(n => n.OpType == "Conv").Attribute.ToDictionary(a => a.Name);
        Assert.Equal(new long[] { 7, 7 }, conv1["kernel_shape"].Ints);
        Assert.Equal(new long[] { 2, 2 }, conv1["strides"].Ints);
        Assert.Equal(new long[] { 3, 3, 3, 3 }, conv1["pads"].Ints);

        // Initializers: float32 raw_data with matching sizes, unique names, every node input defined.
        Assert.Equal(g.Initializer.Count, g.Initializer.Select(t => t.Name).Distinct().Count());
        foreach (TensorProto t in g.Initializer)
        {
            Assert.Equal((int)TensorProto.Types.DataType.Float, t.DataType);
            Assert.Empty(t.FloatData);
            Assert.Equal(4 * t.Dims.Aggregate(1L, (a, b) => a * b), t.RawData.Length);
        }
        var pre = g.Initializer.Where(t => t.Name.StartsWith("preprocess.")).ToList();
        Assert.Equal(2, pre.Count);
        Assert.All(pre, t => Assert.Equal(new long[] { 1, 3, 1, 1 }, t.Dims));
        var defined = new HashSet<string>(g.Initializer.Select(t => t.Name)) { "input" };
        foreach (NodeProto n in g.Node)
        {
            Assert.All(n.Input, i => Assert.Contains(i, defined));
            foreach (string o in n.Output) Assert.True(defined.Add(o), $"value {o} defined twice");
        }
        Assert.Equal(g.Node.Count, g.Node.Select(n => n.Name).Distinct().Count());
    }

    [Fact]
    public void MetadataDescribesProducerArchitectureAndPreprocessing()
    {
        using var scope = torch.NewDisposeScope();
        using var backbone = new ResNet(new BackboneOptions
        {
            Architecture = ResNetArchitecture.ResNet50, WidthMultiplier = 0.0625, InputChannels = 1,
        }, 16, 16);
        var spec = new OnnxExportSpec(1, 16, 16) { Mean = new[] { 0.5f }, Std = new[] { 0.25f }, PixelScale = 1.0 / 255 };
        ModelProto model = ModelProto.Parser.ParseFrom(BackboneOnnxExporter.ExportToBytes(backbone, null, spec));
        var meta = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("SynCo.ML", meta[OnnxMetadataKeys.Producer]);
        Assert.False(string.IsNullOrEmpty(meta[OnnxMetadataKeys.ProducerVersion]));
        Assert.Equal("ResNet50", meta[OnnxMetadataKeys.Architecture]);
        Assert.Equal("0.0625", meta[OnnxMetadataKeys.WidthMultiplier]);
        Assert.Equal("small", meta[OnnxMetadataKeys.Stem]);
        Assert.Equal("N,1,16,16", meta[OnnxMetadataKeys.InputShape]);
        Assert.Equal("0.5", meta[OnnxMetadataKeys.ChannelMean]);
        Assert.Equal("0.25", meta[OnnxMetadataKeys.ChannelStd]);
        Assert.Equal((1.0 / 255).ToString("R", System.Globalization.CultureInfo.InvariantCulture), meta[OnnxMetadataKeys.PixelScale]);
        Assert.Equal("features", meta[OnnxMetadataKeys.OutputKind]);
        Assert.Equal("128", meta[OnnxMetadataKeys.OutputDim]);
        Assert.Equal("false", meta[OnnxMetadataKeys.L2Normalized]);
        Assert.Equal("input", meta[OnnxMetadataKeys.InputName]);
        Assert.Equal("output", meta[OnnxMetadataKeys.OutputName]);
        Assert.Contains(OnnxMetadataKeys.InputLayout, meta.Keys);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "MaxPool"); // small stem
    }

    [Fact]
    public void StreamAndByteOverloadsWriteTheSameBytesAndLeaveTheStreamOpen()
    {
        using var scope = torch.NewDisposeScope();
        using var backbone = new ResNet(new BackboneOptions { WidthMultiplier = 0.0625 }, 8, 8);
        var spec = OnnxExportSpec.ForBackbone(backbone);
        byte[] bytes = BackboneOnnxExporter.ExportToBytes(backbone, null, spec);
        using var stream = new MemoryStream();
        BackboneOnnxExporter.Export(backbone, null, spec, stream);
        Assert.True(stream.CanWrite);
        Assert.Equal(bytes, stream.ToArray());
    }
}
