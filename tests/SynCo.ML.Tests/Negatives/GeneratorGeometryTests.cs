using SynCo.ML.Negatives;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Negatives;

/// <summary>Each generator's stated geometry, checked on batches whose hard negatives are known exactly.</summary>
public class GeneratorGeometryTests
{
    private const int B = 6, D = 16, K = 32;

    /// <summary>Random unit queries and a queue; HardIndices point every query at the given queue rows.</summary>
    private static (HardNegativeBatch Batch, Tensor Queue) MakeBatch(int poolSize, ulong seed = 3)
    {
        var g = new Generator(seed);
        var q = nn.functional.normalize(randn(new long[] { B, D }, generator: g), dim: 1);
        var queue = nn.functional.normalize(randn(new long[] { K, D }, generator: g), dim: 1);
        var idx = arange(poolSize, dtype: int64).unsqueeze(0).expand(B, poolSize).contiguous();
        return (new HardNegativeBatch(q, idx, queue, new Generator(seed + 100)), queue);
    }

    private static Tensor Cos(Tensor a, Tensor b) => nn.functional.cosine_similarity(a, b, dim: -1);

    /// <summary>Least-squares coefficients of v (B, n, D) on the basis {a, b} (B, 1|n, D), and the residual norm.</summary>
    private static (Tensor A, Tensor Bc, Tensor Residual) Decompose(Tensor v, Tensor a, Tensor b)
    {
        var basis = stack(new[] { a.expand_as(v), b.expand_as(v) }, -1);               // (B, n, D, 2)
        var coef = linalg.lstsq(basis, v.unsqueeze(-1)).Solution;                       // (B, n, 2, 1)
        var residual = (basis.matmul(coef).squeeze(-1) - v).norm(-1);
        return (coef[.., .., 0, 0], coef[.., .., 1, 0], residual);
    }

    [Fact]
    public void InterpolatedMovesTowardsTheQueryWithAlphaInRange()
    {
        using var scope = NewDisposeScope();
        var (batch, queue) = MakeBatch(poolSize: 1);
        var n = queue[0].expand(B, 1, D);
        var h = new InterpolatedNegatives(200).Generate(batch);
        var (alpha, beta, residual) = Decompose(h, batch.QueriesPerSample, n);
        Assert.True(residual.max().item<float>() < 1e-4, "h must lie in span{q, n}");
        Assert.True(alpha.min().item<float>() >= -1e-5 && alpha.max().item<float>() <= 0.5 + 1e-5, "alpha ~ U(0, 0.5)");
        Assert.True((alpha + beta - 1).abs().max().item<float>() < 1e-4, "coefficients alpha and 1 - alpha");
        Assert.True(alpha.std().item<float>() > 0.1, "alpha must vary per sample");
        var hu = nn.functional.normalize(h, dim: -1);
        Assert.True((Cos(hu, batch.QueriesPerSample) >= Cos(n, batch.QueriesPerSample) - 1e-5).all().item<bool>(),
            "interpolated vectors are at least as close to q as their source negative");
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 1.5)]
    public void ExtrapolatedMovesAwayFromTheQuery(double min, double max)
    {
        using var scope = NewDisposeScope();
        var (batch, queue) = MakeBatch(poolSize: 1);
        var n = queue[0].expand(B, 1, D);
        var h = new ExtrapolatedNegatives(200, new CoefficientRange(min, max)).Generate(batch);
        var (qCoef, nCoef, residual) = Decompose(h, batch.QueriesPerSample, n);
        Assert.True(residual.max().item<float>() < 1e-4);
        // h = (1 + β) n − β q
        var beta = -qCoef;
        Assert.True(beta.min().item<float>() >= min - 1e-4 && beta.max().item<float>() <= max + 1e-4, $"beta ~ U({min}, {max})");
        Assert.True((nCoef - 1 - beta).abs().max().item<float>() < 1e-4);
        var hu = nn.functional.normalize(h, dim: -1);
        Assert.True((Cos(hu, batch.QueriesPerSample) <= Cos(n, batch.QueriesPerSample) + 1e-5).all().item<bool>(),
            "extrapolated vectors are no closer to q than their source");
    }

    [Fact]
    public void MixupLiesOnTheArcBetweenTwoHardNegatives()
    {
        using var scope = NewDisposeScope();
        var (batch, queue) = MakeBatch(poolSize: 2);
        var h = new MixupNegatives(300).Generate(batch);
        var (a, b, residual) = Decompose(h, queue[0].expand(B, 1, D), queue[1].expand(B, 1, D));
        Assert.True(residual.max().item<float>() < 1e-4, "mixup lies in span{n', n''}");
        Assert.True(a.min().item<float>() >= -1e-4 && b.min().item<float>() >= -1e-4, "convex: non-negative weights");
        Assert.True((a + b - 1).abs().max().item<float>() < 1e-4, "weights sum to one");
        Assert.True(a.std().item<float>() > 0.2, "gamma ~ U(0,1) varies, and both draw orders occur");
    }

    [Fact]
    public void NoiseHasTheStatedScale()
    {
        using var scope = NewDisposeScope();
        var (batch, queue) = MakeBatch(poolSize: 1);
        var h = new NoiseInjectedNegatives(500, sigma: 0.01).Generate(batch);
        var noise = h - queue[0];
        Assert.InRange(noise.std().item<float>(), 0.0095, 0.0105);
        Assert.InRange(noise.mean().item<float>(), -0.001, 0.001);
    }

    [Fact]
    public void PerturbedAndAdversarialAreTheClosedFormGradientSteps()
    {
        using var scope = NewDisposeScope();
        var (batch, queue) = MakeBatch(poolSize: 1);
        var n = queue[0].expand(B, 1, D);
        var q = batch.QueriesPerSample;
        Assert.True(allclose(new PerturbedNegatives(4, delta: 0.01).Generate(batch), n + 0.01 * q, 1e-6, 1e-6));
        Assert.True(allclose(new AdversarialNegatives(4, eta: 0.01).Generate(batch), n + 0.01 * q.sign(), 1e-6, 1e-6));

        // The closed form equals what the reference code computes with autograd: ∇ₙ(q·n) = q.
        var leaf = queue[0].expand(B, D).clone().requires_grad_(true);
        var sim = (batch.Queries * leaf).sum();
        var grad = torch.autograd.grad(new[] { sim }, new[] { leaf })[0];
        Assert.True(allclose(grad, batch.Queries, 1e-6, 1e-6));
    }

    [Fact]
    public void GeneratorsRejectIllegalArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InterpolatedNegatives(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InterpolatedNegatives(4, new CoefficientRange(0, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExtrapolatedNegatives(4, new CoefficientRange(-1, 0.5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MixupNegatives(4, new CoefficientRange(0.5, 0.2)));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new NoiseInjectedNegatives(4, sigma: -0.1));
        Assert.Contains("greater than 0", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerturbedNegatives(4, delta: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdversarialNegatives(-1));
    }
}
