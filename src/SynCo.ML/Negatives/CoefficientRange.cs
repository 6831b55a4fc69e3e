namespace SynCo.ML.Negatives;

/// <summary>A closed range [Min, Max] from which a mixing coefficient is drawn uniformly.</summary>
/// <param name="Min">Lower bound.</param>
/// <param name="Max">Upper bound; at least <paramref name="Min"/>.</param>
public readonly record struct CoefficientRange(double Min, double Max)
{
    /// <summary>Throws when the range is empty or not finite, naming the option.</summary>
    public void Validate(string option)
    {
        if (!double.IsFinite(Min) || !double.IsFinite(Max) || Min > Max)
            throw new ArgumentOutOfRangeException(option, this, $"{option} must be a finite range with Min <= Max; got [{Min}, {Max}].");
    }

    /// <inheritdoc/>
    public override string ToString() => $"U({Min:G4}, {Max:G4})";
}
