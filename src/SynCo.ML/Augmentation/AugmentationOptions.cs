namespace SynCo.ML.Augmentation;

/// <summary>
/// Settings of the random view generator used for contrastive pretraining (<see cref="BatchAugmenter"/>), one part per
/// operation: <see cref="Crop"/> (random resized crop and flip), <see cref="ColorJitter"/>, <see cref="GrayscaleProbability"/>,
/// <see cref="Blur"/> and <see cref="Normalization"/>.
/// </summary>
/// <remarks>
/// <para>
/// The pipeline follows MoCo v2's "aug+" recipe (facebookresearch/moco <c>main_moco.py</c>), applied independently
/// to every image of a batch: random resized crop → colour jitter → random grayscale → Gaussian blur → horizontal flip
/// → per-channel normalisation.
/// </para>
/// <para>
/// Values are checked by <see cref="Validate"/> (which <see cref="BatchAugmenter"/> and the trainer call), with
/// messages that state the legal range. A new instance holds the MoCo v2 ImageNet recipe at 224×224 with 3 channels,
/// the same as <see cref="MoCoV2(int, int, int)"/> with those arguments.
/// </para>
/// <para>
/// The presets without arguments (<see cref="SmallImages()"/>, <see cref="MoCoV2()"/>) leave the crop size and the
/// normalisation null, to be taken from the images: <see cref="SizedTo"/> fills them in, and the trainer calls it with
/// the training images' shape, so a recipe can be changed without knowing that shape. A <see cref="BatchAugmenter"/>
/// needs sized options.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var options = new SynCoOptions();
/// options.Augmentation = AugmentationOptions.SmallImages();   // sized to the images when training starts
/// options.Augmentation.Crop.MinScale = 0.8;                   // milder crops for small, centred images
///
/// var augmenter = new BatchAugmenter(AugmentationOptions.SmallImages(28, 28, channels: 1));
/// </code>
/// </example>
public sealed class AugmentationOptions
{
    /// <summary>The random resized crop (output size, area and aspect ranges) and the horizontal flip.</summary>
    public ResizedCropOptions Crop { get; set; } = new();

    /// <summary>Colour jitter: brightness, contrast, saturation, hue and how often.</summary>
    public ColorJitterOptions ColorJitter { get; set; } = new();

    /// <summary>
    /// Probability in [0, 1] that an image is converted to grayscale (luma 0.299 R + 0.587 G + 0.114 B, replicated to the
    /// three channels). Default 0.2. Has no effect on images that do not have 3 channels.
    /// </summary>
    public double GrayscaleProbability { get; set; } = 0.2;

    /// <summary>Gaussian blur: how often and the σ range.</summary>
    public GaussianBlurOptions Blur { get; set; } = new();

    /// <summary>
    /// Per-channel mean and standard deviation; their length is the channel count the augmenter expects. Null = the
    /// preset's values for the images' channel count, filled in by <see cref="SizedTo"/> when training starts.
    /// </summary>
    public ChannelNormalization? Normalization { get; set; } = new();

    /// <summary>Number of image channels these options expect (the length of <see cref="ChannelNormalization.Mean"/>); null while <see cref="Normalization"/> is.</summary>
    public int? Channels => Normalization?.Channels;

    // The preset's normalisation for a channel count, used by SizedTo when Normalization is null (a field, so the
    // checkpoint fingerprint, which serialises these options' properties, does not change).
    private Func<int, ChannelNormalization> _presetNormalization = ChannelNormalization.ImageNet;

    /// <summary>Whether the crop size and the normalisation are all set, as a <see cref="BatchAugmenter"/> needs.</summary>
    internal bool IsSized => Crop.Height is not null && Crop.Width is not null && Normalization is not null;

    /// <summary>
    /// The MoCo v2 ImageNet recipe: random resized crop with scale [0.2, 1] and ratio [3/4, 4/3], colour jitter (0.4, 0.4,
    /// 0.4, 0.1) with probability 0.8, grayscale 0.2, Gaussian blur σ ∈ [0.1, 2] with probability 0.5, horizontal flip
    /// 0.5, ImageNet mean/std.
    /// </summary>
    /// <param name="height">Output height in pixels (MoCo v2 uses 224).</param>
    /// <param name="width">Output width in pixels (MoCo v2 uses 224).</param>
    /// <param name="channels">
    /// Channel count of the images (positive). For 3 channels the ImageNet RGB mean/std are used; for any other
    /// count the average of the three RGB values (mean 0.449, std 0.226) is replicated to every channel.
    /// </param>
    /// <returns>A new options instance.</returns>
    public static AugmentationOptions MoCoV2(int height, int width, int channels = 3) => MoCoV2().SizedTo(channels, height, width);

    /// <summary>
    /// The MoCo v2 ImageNet recipe of <see cref="MoCoV2(int, int, int)"/>, with the crop size and the normalisation left
    /// to the images (<see cref="SizedTo"/>): the views keep the images' height and width.
    /// </summary>
    /// <returns>A new options instance with a null crop size and normalisation.</returns>
    public static AugmentationOptions MoCoV2() => new()
    {
        Crop = { Height = null, Width = null },
        Normalization = null,
    };

    /// <summary>
    /// Small-image recipe of the official MoCo CIFAR-10 demo: random resized crop with scale [0.08, 1] and ratio
    /// [3/4, 4/3], horizontal flip 0.5, colour jitter (0.4, 0.4, 0.4, 0.1) with probability 0.8, grayscale 0.2,
    /// no blur, CIFAR-10 mean/std.
    /// </summary>
    /// <param name="height">Output height in pixels (32 for CIFAR-10, 28 for Fashion-MNIST).</param>
    /// <param name="width">Output width in pixels.</param>
    /// <param name="channels">
    /// Channel count of the images (positive); the mean and std are <see cref="ChannelNormalization.SmallImages"/>'s
    /// (Fashion-MNIST's own statistics are about mean 0.286, std 0.353; set <see cref="Normalization"/> to use them).
    /// </param>
    /// <returns>A new options instance.</returns>
    public static AugmentationOptions SmallImages(int height, int width, int channels = 3) => SmallImages().SizedTo(channels, height, width);

    /// <summary>
    /// The small-image recipe of <see cref="SmallImages(int, int, int)"/>, with the crop size and the normalisation left
    /// to the images (<see cref="SizedTo"/>): the views keep the images' height and width.
    /// </summary>
    /// <returns>A new options instance with a null crop size and normalisation.</returns>
    public static AugmentationOptions SmallImages() => new()
    {
        Crop = { Height = null, Width = null, MinScale = 0.08 },
        Blur = { Probability = 0 },
        Normalization = null,
        _presetNormalization = ChannelNormalization.SmallImages,
    };

    /// <summary>
    /// A copy sized to images of (<paramref name="channels"/>, <paramref name="height"/>, <paramref name="width"/>): a
    /// null <see cref="ResizedCropOptions.Height"/> or <see cref="ResizedCropOptions.Width"/> becomes the images' own, a
    /// null <see cref="Normalization"/> the preset's values for that channel count. Values already set are kept.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive.</exception>
    public AugmentationOptions SizedTo(int channels, int height, int width)
    {
        Guard.Positive(channels, nameof(channels));
        Guard.Pixels(height, nameof(height));
        Guard.Pixels(width, nameof(width));
        var sized = Clone();
        sized.Crop.Height ??= height;
        sized.Crop.Width ??= width;
        sized.Normalization ??= _presetNormalization(channels);
        return sized;
    }

    /// <summary>Checks every part; messages say what is legal. A null crop size or normalisation is legal (see <see cref="SizedTo"/>).</summary>
    /// <exception cref="ArgumentException">A value is out of range, a minimum exceeds its maximum, or Mean and Std differ in length.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Crop, nameof(Crop));
        ArgumentNullException.ThrowIfNull(ColorJitter, nameof(ColorJitter));
        ArgumentNullException.ThrowIfNull(Blur, nameof(Blur));
        Crop.Validate();
        ColorJitter.Validate();
        Guard.Probability(GrayscaleProbability, nameof(GrayscaleProbability));
        Blur.Validate();
        Normalization?.Validate();
    }

    /// <summary>Returns an independent copy of these options (every part copied).</summary>
    public AugmentationOptions Clone() => new()
    {
        Crop = Crop.Clone(), ColorJitter = ColorJitter.Clone(), GrayscaleProbability = GrayscaleProbability,
        Blur = Blur.Clone(), Normalization = Normalization?.Clone(), _presetNormalization = _presetNormalization,
    };
}
