namespace SynCo.ML.Augmentation;

/// <summary>
/// The random resized crop and horizontal flip (<see cref="ResizedCropFlip"/>): a crop covering a random fraction of
/// the image area in [<see cref="MinScale"/>, <see cref="MaxScale"/>] with a log-uniform width/height ratio in
/// [<see cref="MinAspectRatio"/>, <see cref="MaxAspectRatio"/>], resized to <see cref="Height"/>×<see cref="Width"/>,
/// then mirrored with probability <see cref="HorizontalFlipProbability"/>, as torchvision's RandomResizedCrop and
/// RandomHorizontalFlip. A new instance holds MoCo v2's values at 224×224; the presets without a size
/// (<see cref="AugmentationOptions.SmallImages()"/>, <see cref="AugmentationOptions.MoCoV2()"/>) leave the size null, the images' own.
/// </summary>
public sealed class ResizedCropOptions
{
    /// <summary>
    /// Height in pixels of every output view; positive, or null for the images' own height, filled in by
    /// <see cref="AugmentationOptions.SizedTo"/> when training starts. Default 224.
    /// </summary>
    public int? Height { get; set; } = 224;

    /// <summary>
    /// Width in pixels of every output view; positive, or null for the images' own width, filled in by
    /// <see cref="AugmentationOptions.SizedTo"/> when training starts. Default 224.
    /// </summary>
    public int? Width { get; set; } = 224;

    /// <summary>Smallest fraction of the image area a crop covers, in (0, 1], at most <see cref="MaxScale"/>. Default 0.2 (MoCo v2; torchvision and the CIFAR demo 0.08).</summary>
    public double MinScale { get; set; } = 0.2;

    /// <summary>Largest fraction of the image area a crop covers, in (0, 1]. Default 1.</summary>
    public double MaxScale { get; set; } = 1.0;

    /// <summary>Smallest width/height ratio of a crop; positive, at most <see cref="MaxAspectRatio"/>. Default 3/4.</summary>
    public double MinAspectRatio { get; set; } = 3.0 / 4.0;

    /// <summary>Largest width/height ratio of a crop; positive. Default 4/3.</summary>
    public double MaxAspectRatio { get; set; } = 4.0 / 3.0;

    /// <summary>Probability in [0, 1] that a view is mirrored left–right. Default 0.5.</summary>
    public double HorizontalFlipProbability { get; set; } = 0.5;

    /// <summary>Checks every value and their relations; messages say what is legal.</summary>
    public void Validate()
    {
        if (Height is { } height) Guard.Pixels(height, nameof(Height));
        if (Width is { } width) Guard.Pixels(width, nameof(Width));
        Guard.Fraction(MinScale, nameof(MinScale));
        Guard.Fraction(MaxScale, nameof(MaxScale));
        Guard.NotAbove(MinScale, nameof(MinScale), MaxScale, nameof(MaxScale));
        Guard.Positive(MinAspectRatio, nameof(MinAspectRatio));
        Guard.Positive(MaxAspectRatio, nameof(MaxAspectRatio));
        Guard.NotAbove(MinAspectRatio, nameof(MinAspectRatio), MaxAspectRatio, nameof(MaxAspectRatio));
        Guard.Probability(HorizontalFlipProbability, nameof(HorizontalFlipProbability));
    }

    /// <summary>An independent copy.</summary>
    public ResizedCropOptions Clone() => (ResizedCropOptions)MemberwiseClone();
}
