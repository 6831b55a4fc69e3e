using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Contrastive;

/// <summary>
/// MoCo's key-encoder update <c>θ_k ← m·θ_k + (1 − m)·θ_q</c> over parameters only (batch-norm running statistics of the
/// key encoder come from its own forward passes, as in the reference code).
/// </summary>
public static class MomentumUpdate
{
    /// <summary>Copies every parameter of <paramref name="query"/> into <paramref name="key"/> and freezes the key's parameters.</summary>
    public static void Initialize(nn.Module query, nn.Module key)
    {
        using var noGrad = no_grad();
        foreach (var (pq, pk) in Pairs(query, key))
        {
            pk.copy_(pq);
            pk.requires_grad = false;
        }
    }

    /// <summary>Applies one EMA step with momentum <paramref name="m"/> in [0, 1].</summary>
    public static void Apply(nn.Module query, nn.Module key, double m) => Apply(Pairs(query, key).ToArray(), m);

    /// <summary>
    /// The EMA over pairs matched once by <see cref="Pairs"/> (the engine caches them: enumerating and checking the
    /// named parameters of two ResNets every step cost as much as the update itself). One <c>lerp_</c> per tensor,
    /// θ_k + (1 − m)(θ_q − θ_k), instead of <c>mul_</c> + <c>add_</c>: half the native calls, same value up to rounding.
    /// </summary>
    internal static void Apply(IReadOnlyList<(Tensor Query, Tensor Key)> pairs, double m)
    {
        Guard.InRange(m, 0, 1, nameof(m));
        if (pairs.Count == 0) return;
        using var noGrad = no_grad();
        // lerp_ takes its weight as a tensor: make it once per update, not (implicitly) once per parameter.
        using var weight = full(Array.Empty<long>(), 1 - m, dtype: pairs[0].Key.dtype, device: pairs[0].Key.device);
        foreach (var (pq, pk) in pairs)
            pk.lerp_(pq, weight);
    }

    /// <summary>The (query, key) parameter pairs, checked to share names and shapes.</summary>
    internal static IEnumerable<(Tensor Query, Tensor Key)> Pairs(nn.Module query, nn.Module key)
    {
        var q = query.named_parameters().ToList();
        var k = key.named_parameters().ToList();
        if (q.Count != k.Count)
            throw new ArgumentException($"Key encoder has {k.Count} parameters, query encoder {q.Count}: they must share one architecture.");
        for (int i = 0; i < q.Count; i++)
        {
            if (q[i].name != k[i].name || !q[i].parameter.shape.SequenceEqual(k[i].parameter.shape))
                throw new ArgumentException($"Parameter {i} differs between encoders ('{q[i].name}' vs '{k[i].name}'): they must share one architecture.");
            yield return (q[i].parameter, k[i].parameter);
        }
    }
}
