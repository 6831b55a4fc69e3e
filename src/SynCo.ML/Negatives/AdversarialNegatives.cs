using TorchSharp;

namespace SynCo.ML.Negatives;

/// <summary>
/// SynCo type 6 (adversarial, FGSM-style): <c>h = n + η·sign(∇ₙ(q·n))</c> = <c>n + η·sign(q)</c> in closed form,
/// vectorised. The step has norm η·√D and raises q·n by η·‖q‖₁ before renormalisation.
/// <example><code>var gen = new AdversarialNegatives(count: 64, eta: 0.01);</code></example>
/// </summary>
public sealed class AdversarialNegatives : INegativeGenerator
{
    /// <summary>The official default step η.</summary>
    public const double DefaultEta = 0.01;

    /// <summary>Creates the generator.</summary>
    /// <param name="count">Vectors per query; positive.</param>
    /// <param name="eta">Step size; finite and &gt; 0.</param>
    public AdversarialNegatives(int count, double eta = DefaultEta)
    {
        Count = Guard.Positive(count, nameof(count));
        Eta = Guard.Positive(eta, nameof(eta));
    }

    /// <inheritdoc/>
    public string Name => "adversarial";

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>Step size η.</summary>
    public double Eta { get; }

    /// <inheritdoc/>
    public torch.Tensor Generate(HardNegativeBatch batch) => batch.SampleHard(Count) + Eta * batch.QueriesPerSample.sign();
}
