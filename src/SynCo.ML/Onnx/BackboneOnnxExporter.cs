using System.Globalization;
using System.Reflection;
using Google.Protobuf;
using Onnx;
using SynCo.ML.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using G = SynCo.ML.Onnx.OnnxGraphBuilder;

namespace SynCo.ML.Onnx;

/// <summary>
/// Writes the eval-mode behaviour of a <see cref="ResNet"/> backbone (optionally followed by its
/// <see cref="ProjectionHead"/> and an L2 normalisation) as an ONNX model for ONNX Runtime / ML.NET's ApplyOnnxModel.
/// </summary>
/// <remarks>
/// <para>The model has IR version 8 and imports the default domain at opset 17 (ONNX 1.12). Its single input is float32
/// [N, C, H, W] of raw pixels with a symbolic batch dimension <c>N</c>; the graph scales and normalises them per channel
/// with Sub/Mul nodes over [1, C, 1, 1] initializers (the normalisation is not folded into the first convolution, whose zero
/// padding would then differ), runs the backbone as Conv/Relu/MaxPool/Add/GlobalAveragePool/Flatten (Flatten/MatMul/Reshape
/// for a <see cref="OnnxExportSpec.FeatureGrid"/> above 1) with every batch norm folded into its convolution (running
/// statistics and ε: the eval-mode result whatever the module's current mode), then
/// optionally Gemm(transB = 1)/Relu/Gemm for the head and LpNormalization (p = 2, axis 1; ONNX Runtime returns an
/// all-zero row unchanged, as torch's <c>normalize</c> does).</para>
/// <para>Weights are float32 little-endian <c>raw_data</c> initializers that are not listed as graph inputs.
/// <c>metadata_props</c> describe the producer, backbone and pre-processing (<see cref="OnnxMetadataKeys"/>).</para>
/// <para>The modules are only read (no forward pass, no change of training mode); split batch norm exports like plain batch norm.</para>
/// </remarks>
public static class BackboneOnnxExporter
{
    /// <summary>ONNX IR version written (8 = ONNX 1.12).</summary>
    public const long IrVersion = 8;

    /// <summary>Opset version of the default ONNX domain.</summary>
    public const long OpsetVersion = 17;

    /// <summary>Producer name written into the model.</summary>
    public const string ProducerName = "SynCo.ML";

    /// <summary>Writes the ONNX model to <paramref name="destination"/> (left open).</summary>
    /// <param name="backbone">The backbone; its classifier (if any) is not exported.</param>
    /// <param name="head">The projection head; required for <see cref="OnnxOutputKind.Projection"/>, ignored for <see cref="OnnxOutputKind.Features"/>.</param>
    /// <param name="spec">Input size, pre-processing, output kind and names.</param>
    /// <param name="destination">A writable stream.</param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="head"/> is null.</exception>
    /// <exception cref="ArgumentException">The arguments do not fit together (channels, missing head, head input size, unwritable stream, same input and output name).</exception>
    /// <exception cref="NotSupportedException">A convolution uses a padding mode other than explicit zero padding.</exception>
    public static void Export(ResNet backbone, ProjectionHead? head, OnnxExportSpec spec, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
            throw new ArgumentException("destination must be a writable stream.", nameof(destination));
        ModelProto model = BuildModel(backbone, head, spec);
        model.WriteTo(destination);
    }

    /// <summary>Returns the ONNX model as bytes (e.g. for <c>ApplyOnnxModel(new MemoryStream(bytes))</c>).</summary>
    /// <inheritdoc cref="Export(ResNet, ProjectionHead?, OnnxExportSpec, Stream)"/>
    public static byte[] ExportToBytes(ResNet backbone, ProjectionHead? head, OnnxExportSpec spec) =>
        BuildModel(backbone, head, spec).ToByteArray();

    /// <summary>Writes an encoder's backbone and head; same as <c>Export(encoder.Backbone, encoder.Head, spec, destination)</c>.</summary>
    /// <param name="encoder">The encoder.</param>
    /// <param name="spec">Input size, pre-processing, output kind and names.</param>
    /// <param name="destination">A writable stream.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">See <see cref="Export(ResNet, ProjectionHead?, OnnxExportSpec, Stream)"/>.</exception>
    public static void Export(ContrastiveEncoder encoder, OnnxExportSpec spec, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        Export(encoder.Backbone, encoder.Head, spec, destination);
    }

    /// <summary>Returns an encoder's backbone and head as ONNX bytes.</summary>
    /// <param name="encoder">The encoder.</param>
    /// <param name="spec">Input size, pre-processing, output kind and names.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">See <see cref="Export(ResNet, ProjectionHead?, OnnxExportSpec, Stream)"/>.</exception>
    public static byte[] ExportToBytes(ContrastiveEncoder encoder, OnnxExportSpec spec)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        return ExportToBytes(encoder.Backbone, encoder.Head, spec);
    }

    /// <summary>Builds the ONNX message (tests inspect it directly).</summary>
    internal static ModelProto BuildModel(ResNet backbone, ProjectionHead? head, OnnxExportSpec spec)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(spec);
        Validate(backbone, head, spec);
        bool projection = spec.Output == OnnxOutputKind.Projection;

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();

        var g = new OnnxGraphBuilder();
        g.Reserve(spec.InputName);
        g.Reserve(spec.OutputName);

        // Pre-processing: (raw - mean/scale) * (scale/std) == (raw * scale - mean) / std.
        int c = spec.Channels;
        float[] offset = new float[c], factor = new float[c];
        for (int i = 0; i < c; i++)
        {
            offset[i] = (float)(spec.Mean[i] / spec.PixelScale);
            factor[i] = (float)(spec.PixelScale / spec.Std[i]);
        }
        string x = g.Node("Sub", "preprocess.subtract_mean", new[] { spec.InputName, g.Initializer("preprocess.offset", offset, 1, c, 1, 1) });
        x = g.Node("Mul", "preprocess.scale", new[] { x, g.Initializer("preprocess.factor", factor, 1, c, 1, 1) });

        // Stem.
        x = ConvBn(g, backbone.Stem, x);
        x = g.Node("Relu", "relu", new[] { x });
        if (backbone.StemPool is MaxPool2d pool)
        {
            x = g.Node("MaxPool", "maxpool", new[] { x },
                G.Ints("kernel_shape", pool.kernel_size),
                G.Ints("strides", pool.stride),
                G.Ints("pads", Pads(pool.padding)),
                G.Ints("dilations", pool.dilation),
                G.Int("ceil_mode", pool.ceil_mode ? 1 : 0));
        }

        // Residual blocks: relu(branch(x) + shortcut(x)).
        foreach (ResidualBlock block in backbone.Blocks)
        {
            string input = x;
            string y = input;
            for (int i = 0; i < block.Branch.Count; i++)
            {
                y = ConvBn(g, block.Branch[i], y);
                if (i < block.Branch.Count - 1)
                    y = g.Node("Relu", $"{block.Branch[i].NormPath}.relu", new[] { y });
            }
            string shortcut = block.Downsample is null ? input : ConvBn(g, block.Downsample, input);
            x = g.Node("Add", $"{block.Path}.add", new[] { y, shortcut });
            x = g.Node("Relu", $"{block.Path}.relu", new[] { x });
        }

        long outputDim = backbone.FeatureDim;
        if (spec.FeatureGrid == 1)
        {
            x = g.Node("GlobalAveragePool", "avgpool", new[] { x });
            x = g.Node("Flatten", "flatten", new[] { x }, G.Int("axis", 1));
        }
        else
        {
            x = GridAveragePool(g, x, backbone, spec.FeatureGrid);
            outputDim *= spec.FeatureGrid * spec.FeatureGrid;
        }

        if (projection)
        {
            x = Gemm(g, "fc.0", head!.Hidden, x);
            x = g.Node("Relu", "fc.1", new[] { x });
            x = Gemm(g, "fc.2", head.Output, x);
            outputDim = head.OutputDim;
        }
        if (spec.L2Normalize)
            x = g.Node("LpNormalization", "l2_normalize", new[] { x }, G.Int("axis", 1), G.Int("p", 2));
        g.RenameLastOutput(spec.OutputName);

        var graph = new GraphProto
        {
            Name = "synco_" + backbone.Architecture.ToString().ToLowerInvariant() + (projection ? "_projection" : "_features"),
            DocString = $"SynCo.ML {backbone.Architecture} backbone (eval mode, batch norm folded); {spec}.",
        };
        graph.Node.AddRange(g.Nodes);
        graph.Initializer.AddRange(g.Initializers);
        graph.Input.Add(FloatTensorInfo(spec.InputName, c, spec.Height, spec.Width));
        graph.Output.Add(FloatTensorInfo(spec.OutputName, outputDim));

        string version = typeof(BackboneOnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(BackboneOnnxExporter).Assembly.GetName().Version?.ToString() ?? "0";
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = version,
            DocString = graph.DocString,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });

        string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        void Meta(string key, string value) => model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        Meta(OnnxMetadataKeys.Producer, ProducerName);
        Meta(OnnxMetadataKeys.ProducerVersion, version);
        Meta(OnnxMetadataKeys.Architecture, backbone.Architecture.ToString());
        Meta(OnnxMetadataKeys.WidthMultiplier, R(backbone.WidthMultiplier));
        Meta(OnnxMetadataKeys.Stem, backbone.UsesSmallStem ? "small" : "standard");
        Meta(OnnxMetadataKeys.InputName, spec.InputName);
        Meta(OnnxMetadataKeys.InputShape, $"N,{c},{spec.Height},{spec.Width}");
        Meta(OnnxMetadataKeys.InputLayout, "NCHW planar, raw pixel values (ML.NET ExtractPixels order: R,G,B planes for colour)");
        Meta(OnnxMetadataKeys.PixelScale, R(spec.PixelScale));
        Meta(OnnxMetadataKeys.ChannelMean, string.Join(",", spec.Mean.Select(v => R(v))));
        Meta(OnnxMetadataKeys.ChannelStd, string.Join(",", spec.Std.Select(v => R(v))));
        Meta(OnnxMetadataKeys.OutputName, spec.OutputName);
        Meta(OnnxMetadataKeys.OutputKind, projection ? "projection" : "features");
        Meta(OnnxMetadataKeys.OutputDim, outputDim.ToString(CultureInfo.InvariantCulture));
        Meta(OnnxMetadataKeys.L2Normalized, spec.L2Normalize ? "true" : "false");
        Meta(OnnxMetadataKeys.FeatureGrid, spec.FeatureGrid.ToString(CultureInfo.InvariantCulture));
        return model;
    }

    private static void Validate(ResNet backbone, ProjectionHead? head, OnnxExportSpec spec)
    {
        if (spec.Channels != backbone.InputChannels)
            throw new ArgumentException(
                $"spec.Channels ({spec.Channels}) must equal the backbone's input channels ({backbone.InputChannels}).", nameof(spec));
        if (string.Equals(spec.InputName, spec.OutputName, StringComparison.Ordinal))
            throw new ArgumentException($"spec.InputName and spec.OutputName must differ (both are '{spec.InputName}').", nameof(spec));
        backbone.Options.CheckFeatureGrid(spec.FeatureGrid, backbone.ImageHeight, backbone.ImageWidth, nameof(spec));
        if (spec.Output == OnnxOutputKind.Projection)
        {
            if (spec.FeatureGrid != 1)
                throw new ArgumentException(
                    $"spec.FeatureGrid is {spec.FeatureGrid}, but the projection head takes the globally pooled features; set spec.FeatureGrid = 1 or spec.Output = Features.", nameof(spec));
            if (head is null)
                throw new ArgumentException(
                    "spec.Output is Projection, which needs a projection head; pass the head or set spec.Output = Features.", nameof(head));
            if (head.InputDim != backbone.FeatureDim)
                throw new ArgumentException(
                    $"The head takes {head.InputDim} features but the backbone produces {backbone.FeatureDim}; pass the head trained with this backbone.", nameof(head));
        }
    }

    /// <summary>
    /// torch's <c>adaptive_avg_pool2d(x, grid).flatten(1)</c> as Flatten → MatMul → Reshape: the pooling is linear, so a
    /// (h·w, grid²) matrix whose column for cell (i, j) holds 1/|cell| on the cell's positions maps each channel's h·w
    /// values to its grid² cell means. Cell i spans rows ⌊i·h/grid⌋ to ⌈(i+1)·h/grid⌉ (exclusive), as in torch, so cells
    /// overlap when grid does not divide the side.
    /// </summary>
    private static string GridAveragePool(OnnxGraphBuilder g, string x, ResNet backbone, int grid)
    {
        var (h, w) = backbone.FeatureMapSize;
        float[] weights = new float[h * w * grid * grid];
        for (int i = 0; i < grid; i++)
        for (int j = 0; j < grid; j++)
        {
            int r0 = i * h / grid, r1 = ((i + 1) * h + grid - 1) / grid;
            int c0 = j * w / grid, c1 = ((j + 1) * w + grid - 1) / grid;
            float share = 1f / ((r1 - r0) * (c1 - c0));
            for (int r = r0; r < r1; r++)
            for (int c = c0; c < c1; c++)
                weights[(r * w + c) * grid * grid + i * grid + j] = share;
        }
        x = g.Node("Flatten", "gridpool.flatten", new[] { x }, G.Int("axis", 2));   // (N·C, h·w)
        x = g.Node("MatMul", "gridpool.average", new[] { x, g.Initializer("gridpool.cells", weights, h * w, grid * grid) });
        long dim = (long)backbone.FeatureDim * grid * grid;
        return g.Node("Reshape", "gridpool.flatten_cells", new[] { x, g.Int64Initializer("gridpool.shape", -1, dim) });
    }

    private static string ConvBn(OnnxGraphBuilder g, ConvBatchNorm unit, string input)
    {
        Conv2d conv = unit.Conv;
        if (conv.padding_mode != PaddingModes.Zeros || conv.padding is null || conv.padding.Length != 2)
            throw new NotSupportedException($"{unit.ConvPath}: only explicit zero padding can be exported.");
        var (weight, shape, bias) = BatchNormFolding.Fold(unit);
        string w = g.Initializer($"{unit.ConvPath}.weight", weight, shape);
        string b = g.Initializer($"{unit.ConvPath}.bias", bias, shape[0]);
        return g.Node("Conv", unit.ConvPath, new[] { input, w, b },
            G.Ints("kernel_shape", conv.kernel_size),
            G.Ints("strides", conv.stride),
            G.Ints("pads", Pads(conv.padding)),
            G.Ints("dilations", conv.dilation),
            G.Int("group", conv.groups));
    }

    private static string Gemm(OnnxGraphBuilder g, string path, Linear linear, string input)
    {
        string w = g.Initializer($"{path}.weight", BatchNormFolding.ToFloats(linear.weight), linear.weight.shape);
        var nodeInputs = new List<string> { input, w };
        if (linear.bias is not null)
            nodeInputs.Add(g.Initializer($"{path}.bias", BatchNormFolding.ToFloats(linear.bias), linear.bias.shape));
        return g.Node("Gemm", path, nodeInputs, G.Int("transB", 1));
    }

    /// <summary>torch's symmetric (pad_h, pad_w) as ONNX [h_begin, w_begin, h_end, w_end].</summary>
    private static long[] Pads(long[] padding) => new[] { padding[0], padding[1], padding[0], padding[1] };

    /// <summary>float32 tensor [N, fixedDims...] with the symbolic batch dimension N.</summary>
    private static ValueInfoProto FloatTensorInfo(string name, params long[] fixedDims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (long d in fixedDims)
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}
