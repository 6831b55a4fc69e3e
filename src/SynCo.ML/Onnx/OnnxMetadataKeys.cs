namespace SynCo.ML.Onnx;

/// <summary>Keys of the <c>metadata_props</c> entries the exporter writes (values are invariant-culture strings).</summary>
public static class OnnxMetadataKeys
{
    /// <summary>Library that wrote the model ("SynCo.ML"), also in <c>producer_name</c>.</summary>
    public const string Producer = "producer";

    /// <summary>Library version, also in <c>producer_version</c>.</summary>
    public const string ProducerVersion = "producer_version";

    /// <summary>Backbone layout: ResNet10, ResNet18, ResNet34 or ResNet50.</summary>
    public const string Architecture = "synco.architecture";

    /// <summary>Width multiplier of the backbone, e.g. "0.25".</summary>
    public const string WidthMultiplier = "synco.width_multiplier";

    /// <summary>Stem: "small" (3×3 stride 1, no max-pool) or "standard" (7×7 stride 2 + max-pool).</summary>
    public const string Stem = "synco.stem";

    /// <summary>Input tensor name.</summary>
    public const string InputName = "synco.input_name";

    /// <summary>Input shape, e.g. "N,3,32,32" (N is the symbolic batch dimension).</summary>
    public const string InputShape = "synco.input_shape";

    /// <summary>Input layout: always "NCHW planar, raw pixel values (ML.NET ExtractPixels order: R,G,B planes for colour)".</summary>
    public const string InputLayout = "synco.input_layout";

    /// <summary>Pixel scale applied inside the graph before normalisation, e.g. "0.003921569" (1/255).</summary>
    public const string PixelScale = "synco.pixel_scale";

    /// <summary>Comma-separated per-channel mean subtracted after scaling.</summary>
    public const string ChannelMean = "synco.channel_mean";

    /// <summary>Comma-separated per-channel standard deviation divided by after subtracting the mean.</summary>
    public const string ChannelStd = "synco.channel_std";

    /// <summary>Output tensor name.</summary>
    public const string OutputName = "synco.output_name";

    /// <summary>Output kind: "features" or "projection".</summary>
    public const string OutputKind = "synco.output_kind";

    /// <summary>Length of the output vector.</summary>
    public const string OutputDim = "synco.output_dim";

    /// <summary>"true" when the output is L2-normalised per row, else "false".</summary>
    public const string L2Normalized = "synco.l2_normalized";

    /// <summary>Cells per side of the grid the features are averaged over ("1" = global average pooling).</summary>
    public const string FeatureGrid = "synco.feature_grid";
}
