using TorchSharp;

namespace SynCo.ML.Negatives;

/// <summary>
/// SynCo type 5 (gradient-based perturbation): <c>h = n + δ·∇ₙ(q·n)</c>. The gradient of q·n with respect to n is
/// exactly q, so this is computed in closed form as <c>n + δ·q</c>, vectorised (the reference code loops over
/// autograd calls to get the same numbers).
/// <example><code>var gen = new PerturbedNegatives(count: 64, delta: 0.01);</code></example>
/// </summary>
public sealed class PerturbedNegatives : INegativeGenerator
{
    /// <summary>The official default step δ.</summary>
    public const double DefaultDelta = 0.01;

    /// <summary>Creates the generator.</summary>
    /// <param name="count">Vectors per query; positive.</param>
    /// <param name="delta">Step size; finite and &gt; 0.</param>
    public PerturbedNegatives(int count, double delta = DefaultDelta)
    {
        Count = Guard.Positive(count, nameof(count));
        Delta = Guard.Positive(delta, nameof(delta));
    }

    /// <inheritdoc/>
    public string Name => "perturbed";

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>Step size δ.</summary>
    public double Delta { get; }

    /// <inheritdoc/>
    public torch.Tensor Generate(HardNegativeBatch batch) => batch.SampleHard(Count) + Delta * batch.QueriesPerSample;
}
