using TorchSharp;

namespace SynCo.ML.Negatives;

/// <summary>
/// SynCo type 1, MoCHi's query mixing (s′): <c>h = α·q + (1−α)·n</c>, α ~ U(0, 0.5) by default, so each vector
/// moves from a hard negative towards the query and gets harder.
/// <example><code>var gen = new InterpolatedNegatives(count: 256);</code></example>
/// </summary>
public sealed class InterpolatedNegatives : INegativeGenerator
{
    /// <summary>The published range of α (SynCo and MoCHi): U(0, 0.5); α &lt; 0.5 keeps the negative's share larger.</summary>
    public static readonly CoefficientRange DefaultAlpha = new(0, 0.5);

    /// <summary>Creates the generator.</summary>
    /// <param name="count">Vectors per query; positive.</param>
    /// <param name="alpha">Range of the query's weight α; within [0, 1). Default <see cref="DefaultAlpha"/>.</param>
    public InterpolatedNegatives(int count, CoefficientRange? alpha = null)
    {
        Count = Guard.Positive(count, nameof(count));
        Alpha = alpha ?? DefaultAlpha;
        Alpha.Validate(nameof(alpha));
        if (Alpha.Min < 0 || Alpha.Max >= 1)
            throw new ArgumentOutOfRangeException(nameof(alpha), Alpha, "alpha must lie within [0, 1): at alpha = 1 the 'negative' is the query itself.");
    }

    /// <inheritdoc/>
    public string Name => "interpolated";

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>Range of α.</summary>
    public CoefficientRange Alpha { get; }

    /// <inheritdoc/>
    public torch.Tensor Generate(HardNegativeBatch batch)
    {
        var alpha = batch.Uniform(Count, Alpha.Min, Alpha.Max);
        return alpha * batch.QueriesPerSample + (1 - alpha) * batch.SampleHard(Count);
    }
}
