namespace SynCo.ML.Augmentation;

/// <summary>
/// Gaussian blur (<see cref="GaussianBlur"/>) with probability <see cref="Probability"/> and σ drawn uniformly from
/// [<see cref="SigmaMin"/>, <see cref="SigmaMax"/>] pixels of the output view. MoCo v2 draws σ from [0.1, 2.0] for
/// 224-pixel views (PIL's GaussianBlur(radius = σ)); scale the range down in proportion for much smaller views.
/// A new instance holds MoCo v2's values.
/// </summary>
public sealed class GaussianBlurOptions
{
    /// <summary>Probability in [0, 1] that an image is blurred. Default 0.5 (MoCo v2; the CIFAR demo uses none, 0).</summary>
    public double Probability { get; set; } = 0.5;

    /// <summary>Smallest σ in pixels; positive, at most <see cref="SigmaMax"/>. Default 0.1.</summary>
    public double SigmaMin { get; set; } = 0.1;

    /// <summary>Largest σ in pixels; positive. It also fixes the kernel: 2·⌈3σ<sub>max</sub>⌉ + 1 taps (13 for 2.0). Default 2.0.</summary>
    public double SigmaMax { get; set; } = 2.0;

    /// <summary>Checks every value and their relation; messages say what is legal.</summary>
    public void Validate()
    {
        Guard.Probability(Probability, nameof(Probability));
        Guard.Positive(SigmaMin, nameof(SigmaMin));
        Guard.Positive(SigmaMax, nameof(SigmaMax));
        Guard.NotAbove(SigmaMin, nameof(SigmaMin), SigmaMax, nameof(SigmaMax));
    }

    /// <summary>An independent copy.</summary>
    public GaussianBlurOptions Clone() => (GaussianBlurOptions)MemberwiseClone();
}
