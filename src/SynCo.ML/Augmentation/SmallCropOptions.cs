namespace SynCo.ML.Augmentation;

/// <summary>
/// Multi-crop (SwAV, Caron et al. 2020): besides the two full views, <see cref="Count"/> small, low-resolution crops of
/// every image. Each small crop is one more query against the same positive key (the second full view's) and the same
/// queue; the loss is the mean of all the queries' InfoNCE terms. A small crop runs only through the query encoder, at
/// about (small side / full side)² of a full view's cost. Synthetic negatives (MoCHi, SynCo) are built for the full-view
/// query only. <see cref="Count"/> 0, the default, turns multi-crop off and leaves every run as it was.
/// </summary>
/// <remarks>
/// The small crops get the run's augmentation (jitter, grayscale, blur, flip, normalisation) with their own crop area
/// range [<see cref="MinScale"/>, <see cref="MaxScale"/>] and output size. They are drawn after the two full views from
/// the same augmentation generator, so turning them on does not change the full views.
/// </remarks>
/// <example>
/// <code>
/// var options = new PretrainOptions { Epochs = 20, BatchSize = 128 };
/// options.SmallCrops.Count = 2;                 // two extra queries per image
/// options.SmallCrops.Height = options.SmallCrops.Width = 12;   // 12×12 crops of a 28×28 image's 5–14 %
/// </code>
/// </example>
public sealed class SmallCropOptions
{
    /// <summary>Small crops per image, at least 0; 0 (default) is off.</summary>
    public int Count { get; set; }

    /// <summary>Height in pixels of a small crop; positive, at most the full view's; null (default) = <see cref="Defaults.SmallCropSizeRatio"/> of the full view's, rounded.</summary>
    public int? Height { get; set; }

    /// <summary>Width in pixels of a small crop; positive, at most the full view's; null (default) = <see cref="Defaults.SmallCropSizeRatio"/> of the full view's, rounded.</summary>
    public int? Width { get; set; }

    /// <summary>Smallest fraction of the image area a small crop covers, in (0, 1], at most <see cref="MaxScale"/>. Default 0.05 (SwAV).</summary>
    public double MinScale { get; set; } = Defaults.SmallCropMinScale;

    /// <summary>Largest fraction of the image area a small crop covers, in (0, 1]. Default 0.14 (SwAV).</summary>
    public double MaxScale { get; set; } = Defaults.SmallCropMaxScale;

    /// <summary>Whether small crops are drawn at all (<see cref="Count"/> &gt; 0).</summary>
    public bool Enabled => Count > 0;

    /// <summary>Checks every value; messages say what is legal.</summary>
    public void Validate()
    {
        Guard.NonNegative(Count, nameof(Count));
        if (Height is { } h) Guard.Pixels(h, nameof(Height));
        if (Width is { } w) Guard.Pixels(w, nameof(Width));
        Guard.Fraction(MinScale, nameof(MinScale));
        Guard.Fraction(MaxScale, nameof(MaxScale));
        Guard.NotAbove(MinScale, nameof(MinScale), MaxScale, nameof(MaxScale));
    }

    /// <summary>
    /// The augmentation of the small crops: <paramref name="full"/> with this crop size and area range.
    /// </summary>
    /// <param name="full">The full views' augmentation, sized to the images (see <see cref="AugmentationOptions.SizedTo"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="full"/> has no crop size yet.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A small side is larger than the full view's.</exception>
    public AugmentationOptions Resolve(AugmentationOptions full)
    {
        ArgumentNullException.ThrowIfNull(full);
        if (full.Crop.Height is not { } fullHeight || full.Crop.Width is not { } fullWidth)
            throw new ArgumentException("The full views' crop size is null: size the augmentation to the images first (AugmentationOptions.SizedTo).", nameof(full));
        var small = full.Clone();
        small.Crop.Height = Side(Height, fullHeight, nameof(Height));
        small.Crop.Width = Side(Width, fullWidth, nameof(Width));
        small.Crop.MinScale = MinScale;
        small.Crop.MaxScale = MaxScale;
        return small;
    }

    /// <summary>An independent copy.</summary>
    public SmallCropOptions Clone() => (SmallCropOptions)MemberwiseClone();

    /// <summary>The small side used when <see cref="Height"/> or <see cref="Width"/> is null: <see cref="Defaults.SmallCropSizeRatio"/> of <paramref name="fullSide"/>, rounded, at least 1.</summary>
    public static int DefaultSide(int fullSide) => Math.Max(1, (int)Math.Round(Defaults.SmallCropSizeRatio * fullSide));

    private static int Side(int? side, int full, string name)
    {
        int value = side ?? DefaultSide(full);
        if (value > full)
            throw new ArgumentOutOfRangeException(name, value, $"A small crop's {name.ToLowerInvariant()} ({value} px) must be at most the full view's ({full} px); lower SmallCrops.{name} or leave it null for {Defaults.SmallCropSizeRatio:0.##} of the full view.");
        return value;
    }
}
