using TorchSharp;

namespace SynCo.ML.Negatives;

/// <summary>
/// SynCo type 2: <c>h = n + β·(n − q)</c>, pushing a hard negative away from the query.
/// </summary>
/// <remarks>
/// The paper writes β ~ U(1, 1.5); the official code computes <c>q + β(n − q)</c>, which is this formula with
/// β ~ U(0, 0.5), and the published results come from the code. The default follows the code
/// (<see cref="OfficialCodeBeta"/>); pass <see cref="PaperBeta"/> for the paper's version.
/// <example><code>var gen = new ExtrapolatedNegatives(count: 256, beta: ExtrapolatedNegatives.PaperBeta);</code></example>
/// </remarks>
public sealed class ExtrapolatedNegatives : INegativeGenerator
{
    /// <summary>Effective range of the official code: U(0, 0.5).</summary>
    public static readonly CoefficientRange OfficialCodeBeta = new(0, 0.5);

    /// <summary>The paper's (and SNAP's) range: U(1, 1.5).</summary>
    public static readonly CoefficientRange PaperBeta = new(1, 1.5);

    /// <summary>Creates the generator.</summary>
    /// <param name="count">Vectors per query; positive.</param>
    /// <param name="beta">Range of β; non-negative. Default <see cref="OfficialCodeBeta"/>.</param>
    public ExtrapolatedNegatives(int count, CoefficientRange? beta = null)
    {
        Count = Guard.Positive(count, nameof(count));
        Beta = beta ?? OfficialCodeBeta;
        Beta.Validate(nameof(beta));
        if (Beta.Min < 0)
            throw new ArgumentOutOfRangeException(nameof(beta), Beta, "beta must be >= 0: a negative beta interpolates towards the query (use InterpolatedNegatives).");
    }

    /// <inheritdoc/>
    public string Name => "extrapolated";

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>Range of β.</summary>
    public CoefficientRange Beta { get; }

    /// <inheritdoc/>
    public torch.Tensor Generate(HardNegativeBatch batch)
    {
        var n = batch.SampleHard(Count);
        return n + batch.Uniform(Count, Beta.Min, Beta.Max) * (n - batch.QueriesPerSample);
    }
}
