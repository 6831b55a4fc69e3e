namespace SynCo.ML.Augmentation;

/// <summary>
/// Settings of the random view generator used for contrastive pretraining (<see cref="BatchAugmenter"/>).
/// </summary>
/// <remarks>
/// <para>
/// The pipeline follows MoCo v2's "aug+" recipe (facebookresearch/moco <c>main_moco.py</c>), applied independently
/// to every image of a batch: random resized crop → colour jitter (with probability
/// <see cref="ColorJitterProbability"/>) → random grayscale → Gaussian blur (with probability
/// <see cref="BlurProbability"/>) → horizontal flip → per-channel normalisation.
/// </para>
/// <para>
/// Setters reject values that can never be valid (for example a negative probability) with an
/// <see cref="ArgumentOutOfRangeException"/> whose message states the legal range. Relations between members
/// (minimum ≤ maximum, <see cref="Mean"/> and <see cref="Std"/> of equal length) are checked by
/// <see cref="Validate"/>, which <see cref="BatchAugmenter"/> calls when it is constructed.
/// </para>
/// <para>
/// A new instance holds the MoCo v2 ImageNet recipe at 224×224 with 3 channels, the same as
/// <see cref="MoCoV2(int, int, int)"/> with those arguments.
/// </para>
/// </remarks>
public sealed class AugmentationOptions
{
    private int _height = 224;
    private int _width = 224;
    private double _minScale = 0.2;
    private double _maxScale = 1.0;
    private double _minAspectRatio = 3.0 / 4.0;
    private double _maxAspectRatio = 4.0 / 3.0;
    private double _brightness = 0.4;
    private double _contrast = 0.4;
    private double _saturation = 0.4;
    private double _hue = 0.1;
    private double _colorJitterProbability = 0.8;
    private double _grayscaleProbability = 0.2;
    private double _blurProbability = 0.5;
    private double _blurSigmaMin = 0.1;
    private double _blurSigmaMax = 2.0;
    private double _horizontalFlipProbability = 0.5;
    private float[] _mean = ChannelNormalization.ImageNetMean.ToArray();
    private float[] _std = ChannelNormalization.ImageNetStd.ToArray();

    /// <summary>Height in pixels of every output view. Must be positive. Default 224.</summary>
    public int Height
    {
        get => _height;
        set => _height = Guard.Pixels(value, nameof(Height));
    }

    /// <summary>Width in pixels of every output view. Must be positive. Default 224.</summary>
    public int Width
    {
        get => _width;
        set => _width = Guard.Pixels(value, nameof(Width));
    }

    /// <summary>
    /// Smallest fraction of the input image area covered by a random crop, in (0, 1].
    /// MoCo v2 (ImageNet) uses 0.2; torchvision's default and the MoCo CIFAR-10 demo use 0.08.
    /// Must not exceed <see cref="MaxScale"/> (checked by <see cref="Validate"/>).
    /// </summary>
    public double MinScale
    {
        get => _minScale;
        set => _minScale = CheckUnitInterval(value, nameof(MinScale), allowZero: false);
    }

    /// <summary>Largest fraction of the input image area covered by a random crop, in (0, 1]. Default 1.</summary>
    public double MaxScale
    {
        get => _maxScale;
        set => _maxScale = CheckUnitInterval(value, nameof(MaxScale), allowZero: false);
    }

    /// <summary>
    /// Smallest width/height ratio of a random crop, a positive finite number. Default 3/4 (torchvision).
    /// The ratio is drawn log-uniformly between this and <see cref="MaxAspectRatio"/>.
    /// </summary>
    public double MinAspectRatio
    {
        get => _minAspectRatio;
        set => _minAspectRatio = CheckPositive(value, nameof(MinAspectRatio));
    }

    /// <summary>Largest width/height ratio of a random crop, a positive finite number. Default 4/3 (torchvision).</summary>
    public double MaxAspectRatio
    {
        get => _maxAspectRatio;
        set => _maxAspectRatio = CheckPositive(value, nameof(MaxAspectRatio));
    }

    /// <summary>
    /// Colour-jitter brightness strength b ≥ 0: the image is multiplied by a factor drawn uniformly from
    /// [max(0, 1 − b), 1 + b]. Default 0.4. Applies to any channel count.
    /// </summary>
    public double Brightness
    {
        get => _brightness;
        set => _brightness = CheckNonNegative(value, nameof(Brightness));
    }

    /// <summary>
    /// Colour-jitter contrast strength c ≥ 0: the image is blended with its mean grey level by a factor drawn
    /// uniformly from [max(0, 1 − c), 1 + c]. Default 0.4. Applies to any channel count.
    /// </summary>
    public double Contrast
    {
        get => _contrast;
        set => _contrast = CheckNonNegative(value, nameof(Contrast));
    }

    /// <summary>
    /// Colour-jitter saturation strength s ≥ 0: the image is blended with its grayscale version by a factor drawn
    /// uniformly from [max(0, 1 − s), 1 + s]. Default 0.4. Only 3-channel (RGB) images are affected.
    /// </summary>
    public double Saturation
    {
        get => _saturation;
        set => _saturation = CheckNonNegative(value, nameof(Saturation));
    }

    /// <summary>
    /// Colour-jitter hue strength h in [0, 0.5]: the hue is rotated by a fraction of a full turn drawn uniformly
    /// from [−h, h]. Default 0.1. Only 3-channel (RGB) images are affected.
    /// </summary>
    public double Hue
    {
        get => _hue;
        set => _hue = value is >= 0 and <= 0.5
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Hue), value, "Hue must be in [0, 0.5] (a fraction of a full hue turn).");
    }

    /// <summary>Probability in [0, 1] that an image gets colour jitter at all. Default 0.8.</summary>
    public double ColorJitterProbability
    {
        get => _colorJitterProbability;
        set => _colorJitterProbability = CheckUnitInterval(value, nameof(ColorJitterProbability), allowZero: true);
    }

    /// <summary>
    /// When true (the default, like torchvision's <c>ColorJitter</c>), the four jitter operations run in a random
    /// order drawn per image; when false they run in the fixed order brightness, contrast, saturation, hue.
    /// </summary>
    public bool RandomColorJitterOrder { get; set; } = true;

    /// <summary>
    /// Probability in [0, 1] that an image is converted to grayscale (luma 0.299 R + 0.587 G + 0.114 B,
    /// replicated to the three channels). Default 0.2. Has no effect on images that do not have 3 channels.
    /// </summary>
    public double GrayscaleProbability
    {
        get => _grayscaleProbability;
        set => _grayscaleProbability = CheckUnitInterval(value, nameof(GrayscaleProbability), allowZero: true);
    }

    /// <summary>
    /// Probability in [0, 1] that an image is blurred with a Gaussian kernel. Default 0.5 (MoCo v2);
    /// the MoCo CIFAR-10 demo uses no blur (0).
    /// </summary>
    public double BlurProbability
    {
        get => _blurProbability;
        set => _blurProbability = CheckUnitInterval(value, nameof(BlurProbability), allowZero: true);
    }

    /// <summary>
    /// Smallest Gaussian blur standard deviation, in pixels of the output view, positive. Default 0.1.
    /// </summary>
    /// <remarks>
    /// MoCo v2 draws σ uniformly from [0.1, 2.0] and applies PIL's <c>GaussianBlur(radius=σ)</c> to the 224×224
    /// crop, so these values are calibrated for 224-pixel views. For much smaller views (for example 32 or 28
    /// pixels) scale the range down in proportion if you want the same relative amount of blur.
    /// </remarks>
    public double BlurSigmaMin
    {
        get => _blurSigmaMin;
        set => _blurSigmaMin = CheckPositive(value, nameof(BlurSigmaMin));
    }

    /// <summary>
    /// Largest Gaussian blur standard deviation, in pixels of the output view, positive. Default 2.0.
    /// It also fixes the kernel size: 2·⌈3σ<sub>max</sub>⌉ + 1 taps (13 for 2.0). See <see cref="BlurSigmaMin"/>
    /// for the 224-pixel calibration.
    /// </summary>
    public double BlurSigmaMax
    {
        get => _blurSigmaMax;
        set => _blurSigmaMax = CheckPositive(value, nameof(BlurSigmaMax));
    }

    /// <summary>Probability in [0, 1] that an image is mirrored left–right. Default 0.5.</summary>
    public double HorizontalFlipProbability
    {
        get => _horizontalFlipProbability;
        set => _horizontalFlipProbability = CheckUnitInterval(value, nameof(HorizontalFlipProbability), allowZero: true);
    }

    /// <summary>
    /// Per-channel mean subtracted after scaling pixels to [0, 1]; one entry per channel, each finite.
    /// Its length is the channel count the augmenter expects. Default: ImageNet mean (0.485, 0.456, 0.406).
    /// The array is copied on get and set.
    /// </summary>
    public float[] Mean
    {
        get => (float[])_mean.Clone();
        set => _mean = CheckVector(value, nameof(Mean), positive: false);
    }

    /// <summary>
    /// Per-channel standard deviation the centred pixels are divided by; one positive finite entry per channel.
    /// Default: ImageNet std (0.229, 0.224, 0.225). The array is copied on get and set.
    /// </summary>
    public float[] Std
    {
        get => (float[])_std.Clone();
        set => _std = CheckVector(value, nameof(Std), positive: true);
    }

    /// <summary>Number of image channels these options expect: the length of <see cref="Mean"/>.</summary>
    public int Channels => _mean.Length;

    /// <summary>
    /// MoCo v2 "aug+" (ImageNet) recipe: random resized crop with scale [0.2, 1] and ratio [3/4, 4/3],
    /// colour jitter (0.4, 0.4, 0.4, 0.1) with probability 0.8, grayscale 0.2, Gaussian blur σ ∈ [0.1, 2] with
    /// probability 0.5, horizontal flip 0.5, ImageNet mean/std.
    /// </summary>
    /// <param name="height">Output height in pixels (MoCo v2 uses 224).</param>
    /// <param name="width">Output width in pixels (MoCo v2 uses 224).</param>
    /// <param name="channels">
    /// Channel count of the images (positive). For 3 channels the ImageNet RGB mean/std are used; for any other
    /// count the average of the three RGB values (mean 0.449, std 0.226) is replicated to every channel.
    /// </param>
    /// <returns>A new options instance.</returns>
    public static AugmentationOptions MoCoV2(int height, int width, int channels = 3)
    {
        var o = new AugmentationOptions { Height = height, Width = width };
        o.Mean = ChannelNormalization.ForChannels(ChannelNormalization.ImageNetMean, channels);
        o.Std = ChannelNormalization.ForChannels(ChannelNormalization.ImageNetStd, channels);
        return o;
    }

    /// <summary>
    /// Small-image recipe of the official MoCo CIFAR-10 demo: random resized crop with scale [0.08, 1] and ratio
    /// [3/4, 4/3], horizontal flip 0.5, colour jitter (0.4, 0.4, 0.4, 0.1) with probability 0.8, grayscale 0.2,
    /// no blur, CIFAR-10 mean/std.
    /// </summary>
    /// <param name="height">Output height in pixels (32 for CIFAR-10, 28 for Fashion-MNIST).</param>
    /// <param name="width">Output width in pixels.</param>
    /// <param name="channels">
    /// Channel count of the images (positive). 3 channels: CIFAR-10 mean (0.4914, 0.4822, 0.4465) and std
    /// (0.2023, 0.1994, 0.2010). 1 channel (for example Fashion-MNIST): mean 0.5 and std 0.5, which maps [0, 1]
    /// to [−1, 1] (Fashion-MNIST's own statistics are about mean 0.286, std 0.353; set <see cref="Mean"/> and
    /// <see cref="Std"/> to use them). Any other count: the CIFAR-10 RGB averages (mean 0.4734, std 0.2009)
    /// replicated to every channel.
    /// </param>
    /// <returns>A new options instance.</returns>
    public static AugmentationOptions SmallImages(int height, int width, int channels = 3)
    {
        var o = new AugmentationOptions
        {
            Height = height,
            Width = width,
            MinScale = 0.08,
            BlurProbability = 0,
        };
        if (channels == 1)
        {
            o.Mean = new[] { 0.5f };
            o.Std = new[] { 0.5f };
        }
        else
        {
            o.Mean = ChannelNormalization.ForChannels(ChannelNormalization.CifarMean, channels);
            o.Std = ChannelNormalization.ForChannels(ChannelNormalization.CifarStd, channels);
        }
        return o;
    }

    /// <summary>
    /// Checks the relations between members that single setters cannot check.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <see cref="MinScale"/> &gt; <see cref="MaxScale"/>, <see cref="MinAspectRatio"/> &gt;
    /// <see cref="MaxAspectRatio"/>, <see cref="BlurSigmaMin"/> &gt; <see cref="BlurSigmaMax"/>, or
    /// <see cref="Mean"/> and <see cref="Std"/> of different lengths.
    /// </exception>
    public void Validate()
    {
        if (_minScale > _maxScale)
            throw new ArgumentException(
                $"MinScale ({_minScale}) must not exceed MaxScale ({_maxScale}); both must lie in (0, 1].");
        if (_minAspectRatio > _maxAspectRatio)
            throw new ArgumentException(
                $"MinAspectRatio ({_minAspectRatio}) must not exceed MaxAspectRatio ({_maxAspectRatio}).");
        if (_blurSigmaMin > _blurSigmaMax)
            throw new ArgumentException(
                $"BlurSigmaMin ({_blurSigmaMin}) must not exceed BlurSigmaMax ({_blurSigmaMax}).");
        if (_mean.Length != _std.Length)
            throw new ArgumentException(
                $"Mean has {_mean.Length} entries but Std has {_std.Length}; both need one entry per image channel.");
    }

    /// <summary>Returns an independent copy of these options.</summary>
    /// <returns>A new instance with the same values.</returns>
    public AugmentationOptions Clone()
    {
        var copy = (AugmentationOptions)MemberwiseClone();
        copy._mean = (float[])_mean.Clone();
        copy._std = (float[])_std.Clone();
        return copy;
    }

    private static double CheckUnitInterval(double value, string name, bool allowZero)
    {
        bool ok = allowZero ? value is >= 0 and <= 1 : value is > 0 and <= 1;
        return ok ? value
            : throw new ArgumentOutOfRangeException(name, value, allowZero
                ? $"{name} must be in [0, 1]."
                : $"{name} must be in (0, 1] (a fraction of the image area greater than zero).");
    }

    private static double CheckPositive(double value, string name) =>
        value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");

    private static double CheckNonNegative(double value, string name) =>
        value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number ≥ 0 (0 disables this jitter).");

    private static float[] CheckVector(float[] value, string name, bool positive)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length == 0)
            throw new ArgumentException($"{name} needs one entry per image channel; it must not be empty.", name);
        foreach (float v in value)
        {
            if (!float.IsFinite(v) || (positive && v <= 0))
                throw new ArgumentOutOfRangeException(name, v, positive
                    ? $"Every {name} entry must be a positive finite number."
                    : $"Every {name} entry must be a finite number.");
        }
        return (float[])value.Clone();
    }
}
