using static TorchSharp.torch;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>
/// The first two principal components of a set of vectors: the PCA plot's coordinates. A run keeps these (two numbers per
/// test image) rather than the test features themselves, so a comparison of many methods and seeds holds kilobytes per run,
/// not the 80 MB of 10,000 × 2,048 features, and a finished run's result fits in its evaluation file.
/// </summary>
public static class Projection
{
    /// <summary>Each vector's coordinates on the two leading eigenvectors of the covariance: <c>[n][2]</c>, largest first.</summary>
    /// <param name="features">At least two vectors, all of one length (at least 2).</param>
    public static float[][] PrincipalPlane(float[][] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Length < 2 || features[0].Length < 2)
            throw new ArgumentException($"A projection to two dimensions needs at least two vectors of at least two values, not {features.Length} of {features.FirstOrDefault()?.Length ?? 0}.", nameof(features));
        using var scope = NewDisposeScope();
        int n = features.Length, d = features[0].Length;
        var x = tensor(features.SelectMany(f => f).ToArray(), new long[] { n, d }).to(float64);
        x = x - x.mean(new long[] { 0 }, keepdim: true);
        var (_, vectors) = linalg.eigh(x.t().matmul(x) / (n - 1));
        var top = vectors.narrow(1, d - 2, 2).flip(1);
        var p = x.matmul(top).to(float32).data<float>().ToArray();
        return Enumerable.Range(0, n).Select(i => new[] { p[2 * i], p[2 * i + 1] }).ToArray();
    }
}
