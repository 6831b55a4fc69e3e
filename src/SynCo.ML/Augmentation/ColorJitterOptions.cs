namespace SynCo.ML.Augmentation;

/// <summary>
/// Colour jitter (<see cref="ColorJitter"/>), as torchvision's ColorJitter applied with probability
/// <see cref="Probability"/>: brightness, contrast, saturation and hue factors drawn per image. Brightness and contrast
/// apply to any channel count, saturation and hue to RGB only. A new instance holds MoCo v2's (0.4, 0.4, 0.4, 0.1) at 0.8.
/// </summary>
public sealed class ColorJitterOptions
{
    /// <summary>Brightness strength b ≥ 0: the image is multiplied by a factor from [max(0, 1 − b), 1 + b]. Default 0.4; 0 disables it.</summary>
    public double Brightness { get; set; } = 0.4;

    /// <summary>Contrast strength c ≥ 0: the image is blended with its mean grey by a factor from [max(0, 1 − c), 1 + c]. Default 0.4.</summary>
    public double Contrast { get; set; } = 0.4;

    /// <summary>Saturation strength s ≥ 0: the image is blended with its grayscale version by a factor from [max(0, 1 − s), 1 + s]. Default 0.4.</summary>
    public double Saturation { get; set; } = 0.4;

    /// <summary>Hue strength h in [0, 0.5]: the hue turns by a fraction of a full turn drawn from [−h, h]. Default 0.1.</summary>
    public double Hue { get; set; } = 0.1;

    /// <summary>Probability in [0, 1] that an image is jittered at all. Default 0.8.</summary>
    public double Probability { get; set; } = 0.8;

    /// <summary>Run the four operations in a random order drawn per image (default, as torchvision), or always brightness, contrast, saturation, hue.</summary>
    public bool RandomOrder { get; set; } = true;

    /// <summary>Checks every value; messages say what is legal.</summary>
    public void Validate()
    {
        Guard.NonNegative(Brightness, nameof(Brightness));
        Guard.NonNegative(Contrast, nameof(Contrast));
        Guard.NonNegative(Saturation, nameof(Saturation));
        Guard.InRange(Hue, 0, 0.5, nameof(Hue));
        Guard.Probability(Probability, nameof(Probability));
    }

    /// <summary>An independent copy.</summary>
    public ColorJitterOptions Clone() => (ColorJitterOptions)MemberwiseClone();
}
