using TorchSharp;

namespace SynCo.ML.Negatives;

/// <summary>
/// One strategy for synthesising hard negatives in embedding space, per query, from that query's hardest
/// real negatives. Implement this interface (one file) to add a strategy.
/// </summary>
/// <remarks>
/// The caller (<see cref="NegativeSynthesizer"/>) selects the hard pool, L2-normalises what
/// <see cref="Generate"/> returns and runs it without gradient tracking: a generator only states its geometry.
/// <example>
/// <code>
/// sealed class Midpoint(int count) : INegativeGenerator
/// {
///     public string Name => "midpoint";
///     public int Count => count;
///     public torch.Tensor Generate(HardNegativeBatch b) => 0.5 * (b.SampleHard(count) + b.QueriesPerSample);
/// }
/// </code>
/// </example>
/// </remarks>
public interface INegativeGenerator
{
    /// <summary>Short stable name used in telemetry, logs and option strings (e.g. "interpolated").</summary>
    string Name { get; }

    /// <summary>Number of synthetic negatives this generator makes per query.</summary>
    int Count { get; }

    /// <summary>Returns a (B, <see cref="Count"/>, D) tensor of un-normalised synthetic negatives.</summary>
    torch.Tensor Generate(HardNegativeBatch batch);
}
