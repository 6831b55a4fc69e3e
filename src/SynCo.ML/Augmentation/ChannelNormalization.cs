namespace SynCo.ML.Augmentation;

/// <summary>
/// Per-channel normalisation, the last step of every view and of evaluation: pixels scaled to [0, 1], then
/// <c>(x − Mean[c]) / Std[c]</c>. The presets live here once, for training and for the ONNX export
/// (<see cref="Onnx.OnnxExportSpec"/>), which must agree. A new instance holds ImageNet's RGB values.
/// </summary>
public sealed class ChannelNormalization
{
    /// <summary>ImageNet channel means (R, G, B), as MoCo v2 and torchvision use them.</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = Array.AsReadOnly(new[] { 0.485f, 0.456f, 0.406f });

    /// <summary>ImageNet channel standard deviations (R, G, B).</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = Array.AsReadOnly(new[] { 0.229f, 0.224f, 0.225f });

    /// <summary>CIFAR-10 channel means (R, G, B), as the official MoCo CIFAR-10 demo uses them.</summary>
    public static IReadOnlyList<float> CifarMean { get; } = Array.AsReadOnly(new[] { 0.4914f, 0.4822f, 0.4465f });

    /// <summary>CIFAR-10 channel standard deviations (R, G, B).</summary>
    public static IReadOnlyList<float> CifarStd { get; } = Array.AsReadOnly(new[] { 0.2023f, 0.1994f, 0.2010f });

    /// <summary>Per-channel mean subtracted after scaling to [0, 1]; one finite entry per channel. Its length is the channel count.</summary>
    public float[] Mean { get; set; } = ImageNetMean.ToArray();

    /// <summary>Per-channel standard deviation the centred pixels are divided by; one positive finite entry per channel.</summary>
    public float[] Std { get; set; } = ImageNetStd.ToArray();

    /// <summary>The channel count these values describe: the length of <see cref="Mean"/>.</summary>
    public int Channels => Mean.Length;

    /// <summary>ImageNet's values for 3 channels; for another count, the RGB averages (mean 0.449, std 0.226) on every channel.</summary>
    public static ChannelNormalization ImageNet(int channels) =>
        new() { Mean = ForChannels(ImageNetMean, channels), Std = ForChannels(ImageNetStd, channels) };

    /// <summary>CIFAR-10's values for 3 channels; for another count, the RGB averages (mean 0.4734, std 0.2009) on every channel.</summary>
    public static ChannelNormalization Cifar(int channels) =>
        new() { Mean = ForChannels(CifarMean, channels), Std = ForChannels(CifarStd, channels) };

    /// <summary>
    /// The small-image recipe's values (<see cref="AugmentationOptions.SmallImages()"/>): mean 0.5 and std 0.5 for one
    /// channel (for example Fashion-MNIST), which maps [0, 1] to [−1, 1]; <see cref="Cifar"/> for any other count (3 channels:
    /// CIFAR-10's; otherwise its RGB averages, mean 0.4734 and std 0.2009, on every channel).
    /// </summary>
    public static ChannelNormalization SmallImages(int channels) =>
        channels == 1 ? new() { Mean = new[] { 0.5f }, Std = new[] { 0.5f } } : Cifar(channels);

    /// <summary>
    /// <paramref name="rgb"/> for 3 channels; for any other count the RGB average (rounded to 4 decimals) on every channel.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> is not positive.</exception>
    public static float[] ForChannels(IReadOnlyList<float> rgb, int channels)
    {
        Guard.Positive(channels, nameof(channels));
        if (channels == rgb.Count) return rgb.ToArray();
        float average = (float)Math.Round(rgb.Average(), 4);
        return Enumerable.Repeat(average, channels).ToArray();
    }

    /// <summary>Checks both vectors and that they have one entry per channel each.</summary>
    public void Validate()
    {
        Guard.Vector(Mean, nameof(Mean), positive: false);
        Guard.Vector(Std, nameof(Std), positive: true);
        if (Mean.Length != Std.Length)
            throw new ArgumentException($"Mean has {Mean.Length} entries but Std has {Std.Length}; both need one entry per image channel.", nameof(Std));
    }

    /// <summary>An independent copy (the arrays are copied).</summary>
    public ChannelNormalization Clone() => new() { Mean = (float[])Mean.Clone(), Std = (float[])Std.Clone() };
}
