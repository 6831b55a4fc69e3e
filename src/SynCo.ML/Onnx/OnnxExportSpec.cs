using System.Globalization;
using SynCo.ML.Model;

namespace SynCo.ML.Onnx;

/// <summary>
/// What an exported ONNX model takes and returns: input size, in-graph pixel scaling and per-channel normalisation,
/// output kind, L2 normalisation and tensor names.
/// </summary>
/// <remarks>
/// The model input is float32 [N, <see cref="Channels"/>, <see cref="Height"/>, <see cref="Width"/>] of raw pixel values
/// (0–255, planar, as ML.NET's <c>ExtractPixels</c> produces with its default offset 0 and scale 1). Inside the graph each
/// channel c becomes <c>(raw · PixelScale − Mean[c]) / Std[c]</c>, which must be the normalisation the backbone was trained
/// with. Setters check their values and throw <see cref="ArgumentException"/>s whose messages say what is legal.
/// </remarks>
public sealed class OnnxExportSpec
{
    /// <summary>Default input tensor name.</summary>
    public const string DefaultInputName = "input";

    /// <summary>Default output tensor name.</summary>
    public const string DefaultOutputName = "output";

    private double _pixelScale = 1.0 / 255.0;
    private float[] _mean;
    private float[] _std;
    private OnnxOutputKind _output = OnnxOutputKind.Features;
    private int _featureGrid = 1;
    private string _inputName = DefaultInputName;
    private string _outputName = DefaultOutputName;

    /// <summary>
    /// Creates a spec for images of the given size, with pixel scale 1/255, mean 0 and standard deviation 1 for every
    /// channel, <see cref="OnnxOutputKind.Features"/> output without L2 normalisation, and tensors "input"/"output".
    /// </summary>
    /// <param name="channels">Image channels (≥ 1); must equal the backbone's input channels.</param>
    /// <param name="height">Image height in pixels (≥ 1).</param>
    /// <param name="width">Image width in pixels (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is less than 1.</exception>
    public OnnxExportSpec(int channels, int height, int width)
    {
        if (channels < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be at least 1 (3 for RGB, 1 for grey-scale).");
        if (height < 1)
            throw new ArgumentOutOfRangeException(nameof(height), height, "height must be at least 1 pixel.");
        if (width < 1)
            throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 1 pixel.");
        Channels = channels;
        Height = height;
        Width = width;
        _mean = new float[channels];
        _std = Enumerable.Repeat(1f, channels).ToArray();
    }

    /// <summary>A spec with the backbone's channels and image size and the defaults of the main constructor.</summary>
    /// <param name="backbone">The backbone to be exported.</param>
    /// <exception cref="ArgumentNullException"><paramref name="backbone"/> is null.</exception>
    public static OnnxExportSpec ForBackbone(ResNet backbone)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        return new OnnxExportSpec(backbone.InputChannels, backbone.ImageHeight, backbone.ImageWidth);
    }

    /// <summary>Image channels of the input.</summary>
    public int Channels { get; }

    /// <summary>Image height of the input.</summary>
    public int Height { get; }

    /// <summary>Image width of the input.</summary>
    public int Width { get; }

    /// <summary>Factor applied to the raw pixels before the mean is subtracted (default 1/255; 1 when pixels are already scaled).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a finite number greater than 0.</exception>
    public double PixelScale
    {
        get => _pixelScale;
        set
        {
            if (!double.IsFinite(value) || value <= 0)
                throw new ArgumentOutOfRangeException(nameof(value), value,
                    $"{nameof(PixelScale)} must be a finite number greater than 0 (1/255 for 0-255 pixels, 1 for pixels already in [0, 1]).");
            _pixelScale = value;
        }
    }

    /// <summary>Per-channel mean subtracted after scaling (one finite value per channel; default all 0).</summary>
    /// <exception cref="ArgumentException">The list is null, has the wrong length or holds a non-finite value.</exception>
    public IReadOnlyList<float> Mean
    {
        get => Array.AsReadOnly(_mean);
        set
        {
            float[] v = CheckPerChannel(value, nameof(Mean));
            if (v.Any(x => !float.IsFinite(x)))
                throw new ArgumentException($"{nameof(Mean)} values must be finite numbers.", nameof(value));
            _mean = v;
        }
    }

    /// <summary>Per-channel standard deviation divided by after subtracting the mean (one finite value &gt; 0 per channel; default all 1).</summary>
    /// <exception cref="ArgumentException">The list is null, has the wrong length or holds a value that is not finite and &gt; 0.</exception>
    public IReadOnlyList<float> Std
    {
        get => Array.AsReadOnly(_std);
        set
        {
            float[] v = CheckPerChannel(value, nameof(Std));
            if (v.Any(x => !float.IsFinite(x) || x <= 0))
                throw new ArgumentException($"{nameof(Std)} values must be finite numbers greater than 0.", nameof(value));
            _std = v;
        }
    }

    /// <summary>What the model returns (default <see cref="OnnxOutputKind.Features"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a member of <see cref="OnnxOutputKind"/>.</exception>
    public OnnxOutputKind Output
    {
        get => _output;
        set
        {
            if (!Enum.IsDefined(value))
                throw new ArgumentOutOfRangeException(nameof(value), value,
                    $"{nameof(Output)} must be one of {string.Join(", ", Enum.GetNames<OnnxOutputKind>())}.");
            _output = value;
        }
    }

    /// <summary>
    /// Cells per side of the grid the <see cref="OnnxOutputKind.Features"/> output averages the last feature map over
    /// (default 1: global average pooling, [N, FeatureDim]). A grid g returns [N, FeatureDim·g²], channel-major as torch's
    /// <c>adaptive_avg_pool2d(x, g).flatten(1)</c>, and keeps where in the image each feature fired: on Fashion-MNIST
    /// this lifts few-label accuracy (docs/benchmarks.md). At most the feature map's shorter side
    /// (<see cref="Model.BackboneOptions.FeatureMapSize"/>: 4 for 28–32 px images with the small stem); the exporter checks it.
    /// Only 1 is legal with <see cref="OnnxOutputKind.Projection"/>, whose head takes the globally pooled features.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int FeatureGrid
    {
        get => _featureGrid;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value,
                    $"{nameof(FeatureGrid)} must be at least 1 (1 = global average pooling; g > 1 averages over a g×g grid).");
            _featureGrid = value;
        }
    }

    /// <summary>Whether each output row is divided by its L2 norm (ONNX LpNormalization, p = 2; default false).</summary>
    public bool L2Normalize { get; set; }

    /// <summary>Name of the input tensor (default "input"; non-empty, different from <see cref="OutputName"/>).</summary>
    /// <exception cref="ArgumentException">The name is null, empty or white space.</exception>
    public string InputName
    {
        get => _inputName;
        set => _inputName = CheckName(value, nameof(InputName));
    }

    /// <summary>Name of the output tensor (default "output"; non-empty, different from <see cref="InputName"/>).</summary>
    /// <exception cref="ArgumentException">The name is null, empty or white space.</exception>
    public string OutputName
    {
        get => _outputName;
        set => _outputName = CheckName(value, nameof(OutputName));
    }

    /// <summary>Sets <see cref="Mean"/> and <see cref="Std"/> to ImageNet's values (3-channel specs only).</summary>
    /// <returns>This spec.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Channels"/> is not 3.</exception>
    public OnnxExportSpec WithImageNetNormalization()
    {
        if (Channels != 3)
            throw new InvalidOperationException($"ImageNet normalisation needs 3 channels, but this spec has {Channels}; set {nameof(Mean)} and {nameof(Std)} instead.");
        Mean = Augmentation.ChannelNormalization.ImageNetMean;
        Std = Augmentation.ChannelNormalization.ImageNetStd;
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"[N,{Channels},{Height},{Width}] '{InputName}' -> {Output}{(FeatureGrid > 1 ? $" ({FeatureGrid}x{FeatureGrid} grid)" : "")}{(L2Normalize ? " (L2)" : "")} '{OutputName}', scale {PixelScale}, mean [{string.Join(",", _mean)}], std [{string.Join(",", _std)}]");

    private float[] CheckPerChannel(IReadOnlyList<float>? value, string name)
    {
        if (value is null)
            throw new ArgumentNullException(nameof(value), $"{name} must list one value per channel ({Channels}).");
        if (value.Count != Channels)
            throw new ArgumentException($"{name} must list one value per channel: {Channels} value(s), but got {value.Count}.", nameof(value));
        return value.ToArray();
    }

    private static string CheckName(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"{name} must be a non-empty tensor name.", nameof(value));
        return value;
    }
}
