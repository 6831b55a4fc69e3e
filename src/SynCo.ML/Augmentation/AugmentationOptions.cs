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
/// </remarks>
/// <example>
/// <code>
/// var augmentation = AugmentationOptions.SmallImages(28, 28, channels: 1);
/// augmentation.Crop.MinScale = 0.8;            // milder crops for small, centred images
/// augmentation.ColorJitter.Probability = 0.5;
/// var augmenter = new BatchAugmenter(augmentation);
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

    /// <summary>Per-channel mean and standard deviation; their length is the channel count the augmenter expects.</summary>
    public ChannelNormalization Normalization { get; set; } = new();

    /// <summary>Number of image channels these options expect: the length of <see cref="ChannelNormalization.Mean"/>.</summary>
    public int Channels => Normalization.Channels;

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
    public static AugmentationOptions MoCoV2(int height, int width, int channels = 3) => new()
    {
        Crop = { Height = height, Width = width },
        Normalization = ChannelNormalization.ImageNet(channels),
    };

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
    /// to [−1, 1] (Fashion-MNIST's own statistics are about mean 0.286, std 0.353; set <see cref="Normalization"/>
    /// to use them). Any other count: the CIFAR-10 RGB averages (mean 0.4734, std 0.2009) replicated to every channel.
    /// </param>
    /// <returns>A new options instance.</returns>
    public static AugmentationOptions SmallImages(int height, int width, int channels = 3) => new()
    {
        Crop = { Height = height, Width = width, MinScale = 0.08 },
        Blur = { Probability = 0 },
        Normalization = channels == 1
            ? new ChannelNormalization { Mean = new[] { 0.5f }, Std = new[] { 0.5f } }
            : ChannelNormalization.Cifar(channels),
    };

    /// <summary>Checks every part; messages say what is legal.</summary>
    /// <exception cref="ArgumentException">A value is out of range, a minimum exceeds its maximum, or Mean and Std differ in length.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Crop, nameof(Crop));
        ArgumentNullException.ThrowIfNull(ColorJitter, nameof(ColorJitter));
        ArgumentNullException.ThrowIfNull(Blur, nameof(Blur));
        ArgumentNullException.ThrowIfNull(Normalization, nameof(Normalization));
        Crop.Validate();
        ColorJitter.Validate();
        Guard.Probability(GrayscaleProbability, nameof(GrayscaleProbability));
        Blur.Validate();
        Normalization.Validate();
    }

    /// <summary>Returns an independent copy of these options (every part copied).</summary>
    public AugmentationOptions Clone() => new()
    {
        Crop = Crop.Clone(), ColorJitter = ColorJitter.Clone(), GrayscaleProbability = GrayscaleProbability,
        Blur = Blur.Clone(), Normalization = Normalization.Clone(),
    };
}
