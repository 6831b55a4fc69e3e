namespace SynCo.ML.Augmentation;

/// <summary>
/// The per-channel normalisation presets (pixels scaled to [0, 1], then <c>(x − mean) / std</c>), in one place for
/// training (<see cref="AugmentationOptions"/>) and export (<see cref="Onnx.OnnxExportSpec"/>), which must agree.
/// </summary>
public static class ChannelNormalization
{
    /// <summary>ImageNet channel means (R, G, B), as MoCo v2 and torchvision use them.</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = Array.AsReadOnly(new[] { 0.485f, 0.456f, 0.406f });

    /// <summary>ImageNet channel standard deviations (R, G, B).</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = Array.AsReadOnly(new[] { 0.229f, 0.224f, 0.225f });

    /// <summary>CIFAR-10 channel means (R, G, B), as the official MoCo CIFAR-10 demo uses them.</summary>
    public static IReadOnlyList<float> CifarMean { get; } = Array.AsReadOnly(new[] { 0.4914f, 0.4822f, 0.4465f });

    /// <summary>CIFAR-10 channel standard deviations (R, G, B).</summary>
    public static IReadOnlyList<float> CifarStd { get; } = Array.AsReadOnly(new[] { 0.2023f, 0.1994f, 0.2010f });

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
}
