using TorchSharp;

namespace SynCo.ML.Negatives;

/// <summary>
/// SynCo type 3, MoCHi's hard-negative mixing (s): <c>h = γ·n′ + (1−γ)·n″</c>, γ ~ U(0, 1), two independent draws
/// from the hard pool (they may coincide, as in the reference code). Normalised, the result lies on the arc
/// between its two sources.
/// <example><code>var gen = new MixupNegatives(count: 1024); // MoCHi (N, s = 1024, s')</code></example>
/// </summary>
public sealed class MixupNegatives : INegativeGenerator
{
    /// <summary>The published range of γ: U(0, 1).</summary>
    public static readonly CoefficientRange DefaultGamma = new(0, 1);

    /// <summary>Creates the generator.</summary>
    /// <param name="count">Vectors per query; positive.</param>
    /// <param name="gamma">Range of γ; within [0, 1]. Default <see cref="DefaultGamma"/>.</param>
    public MixupNegatives(int count, CoefficientRange? gamma = null)
    {
        Count = Guard.Positive(count, nameof(count));
        Gamma = gamma ?? DefaultGamma;
        Gamma.Validate(nameof(gamma));
        if (Gamma.Min < 0 || Gamma.Max > 1)
            throw new ArgumentOutOfRangeException(nameof(gamma), Gamma, "gamma must lie within [0, 1] (a convex mix of two hard negatives).");
    }

    /// <inheritdoc/>
    public string Name => "mixup";

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>Range of γ.</summary>
    public CoefficientRange Gamma { get; }

    /// <inheritdoc/>
    public torch.Tensor Generate(HardNegativeBatch batch)
    {
        var gamma = batch.Uniform(Count, Gamma.Min, Gamma.Max);
        return gamma * batch.SampleHard(Count) + (1 - gamma) * batch.SampleHard(Count);
    }
}
