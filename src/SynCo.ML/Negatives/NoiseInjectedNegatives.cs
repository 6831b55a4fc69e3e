using TorchSharp;

namespace SynCo.ML.Negatives;

/// <summary>
/// SynCo type 4: <c>h = n + σ·ε</c>, ε ~ N(0, I): a hard negative jittered by isotropic Gaussian noise
/// (norm ≈ σ·√D before renormalisation, 0.11 for σ = 0.01 and D = 128).
/// <example><code>var gen = new NoiseInjectedNegatives(count: 64, sigma: 0.01);</code></example>
/// </summary>
public sealed class NoiseInjectedNegatives : INegativeGenerator
{
    /// <summary>The official default σ (current SynCo code).</summary>
    public const double DefaultSigma = 0.01;

    /// <summary>Creates the generator.</summary>
    /// <param name="count">Vectors per query; positive.</param>
    /// <param name="sigma">Noise standard deviation; finite and &gt; 0.</param>
    public NoiseInjectedNegatives(int count, double sigma = DefaultSigma)
    {
        Count = Guard.Positive(count, nameof(count));
        Sigma = Guard.Positive(sigma, nameof(sigma));
    }

    /// <inheritdoc/>
    public string Name => "noise";

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>Noise standard deviation σ.</summary>
    public double Sigma { get; }

    /// <inheritdoc/>
    public torch.Tensor Generate(HardNegativeBatch batch) => batch.SampleHard(Count) + Sigma * batch.Normal(Count);
}
