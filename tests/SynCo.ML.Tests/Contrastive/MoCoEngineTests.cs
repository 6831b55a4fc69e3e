using SynCo.ML.Contrastive;
using SynCo.ML.Negatives;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Contrastive;

public class MoCoEngineTests
{
    /// <summary>A tiny conv encoder standing in for the ResNet: images (B, 1, 8, 8) → (B, 16).</summary>
    internal static nn.Module<Tensor, Tensor> TinyEncoder() => nn.Sequential(
        nn.Conv2d(1, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(16, 16));

    private static MoCoEngine Engine(nn.Module<Tensor, Tensor> q, nn.Module<Tensor, Tensor> k, NegativeSynthesizer? synth = null, bool symmetric = false) =>
        new(q, k, new MoCoOptions { QueueSize = 32, EmbeddingDim = 16, Momentum = 0.9, Temperature = 0.2, Symmetric = symmetric }, synth, CPU, seed: 5);

    /// <summary>The engine's logits (queries pre-divided by T, as <see cref="MoCoEngine"/> computes them).</summary>
    private static Tensor Logits(Tensor q, Tensor k, Tensor queue, Tensor h, double t)
    {
        var qt = q / t;
        return MoCoEngine.ScaledLogits(qt, k, qt.matmul(queue.t()), h);
    }

    [Fact]
    public void LossMatchesAHandComputedExample()
    {
        // q = (1, 0), k = (0.6, 0.8), queue = {(0, 1), (−1, 0)}, synthetic h = (0.8, 0.6), T = 0.5.
        var q = tensor(new float[] { 1, 0 }).view(1, 2);
        var k = tensor(new float[] { 0.6f, 0.8f }).view(1, 2);
        var queue = tensor(new float[] { 0, 1, -1, 0 }).view(2, 2);
        var h = tensor(new float[] { 0.8f, 0.6f }).view(1, 1, 2);
        var logits = Logits(q, k, queue, h, 0.5);
        Assert.Equal(new[] { 1.2f, 0f, -2f, 1.6f }, logits.data<float>().ToArray());
        double expected = -1.2 + Math.Log(Math.Exp(1.2) + Math.Exp(0) + Math.Exp(-2) + Math.Exp(1.6));
        Assert.Equal(expected, MoCoEngine.InfoNce(logits).item<float>(), 5);
    }

    [Fact]
    public void GradientReachesOnlyTheQueryAndTreatsSyntheticNegativesAsConstants()
    {
        using var scope = NewDisposeScope();
        const int B = 4, D = 8, K = 16;
        const double T = 0.2;
        var g = new Generator(11);
        var q = nn.functional.normalize(randn(new long[] { B, D }, generator: g), dim: 1).requires_grad_(true);
        var k = nn.functional.normalize(randn(new long[] { B, D }, generator: g), dim: 1).requires_grad_(true);
        var queue = nn.functional.normalize(randn(new long[] { K, D }, generator: g), dim: 1); // a buffer, as in the engine
        var synth = new NegativeSynthesizer(4, new INegativeGenerator[] { new InterpolatedNegatives(5), new PerturbedNegatives(3) });
        var cos = q.matmul(queue.t());
        var (h, _) = synth.Synthesize(q, cos, queue, new Generator(3));
        var loss = MoCoEngine.InfoNce(Logits(q, k, queue, h, T));
        loss.backward();

        Assert.Null(k.grad);
        // With every vector v constant, dL/dq_b = (Σ_j p_bj v_j − k_b) / (T·B). Interpolated h depends on q, so any
        // leak of gradient through h would break this equality.
        using var noGrad = no_grad();
        var vectors = cat(new[] { k.unsqueeze(1), queue.unsqueeze(0).expand(B, K, D), h }, 1);          // (B, 1+K+S, D)
        var p = Logits(q, k, queue, h, T).softmax(1).unsqueeze(2);
        var expected = ((p * vectors).sum(1) - k) / (T * B);
        Assert.True(allclose(q.grad!, expected, 1e-5, 1e-6), $"max diff {(q.grad! - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void KeyEncoderStartsAsACopyAndFollowsTheMomentumRule()
    {
        using var scope = NewDisposeScope();
        var fq = TinyEncoder();
        var fk = TinyEncoder();
        using var engine = Engine(fq, fk);
        foreach (var ((_, pq), (_, pk)) in fq.named_parameters().Zip(fk.named_parameters()))
        {
            Assert.True(pq.eq(pk).all().item<bool>());
            Assert.False(pk.requires_grad);
        }
        var k0 = fk.parameters().Select(p => p.clone()).ToList();
        using (no_grad()) foreach (var p in fq.parameters()) p.add_(1.0);
        MomentumUpdate.Apply(fq, fk, 0.9);
        var qs = fq.parameters().ToList();
        var ks = fk.parameters().ToList();
        for (int i = 0; i < ks.Count; i++)
            Assert.True(allclose(ks[i], 0.9 * k0[i] + 0.1 * qs[i], 1e-6, 1e-6));
    }

    [Fact]
    public void TrainingStepUpdatesOnlyTheQueryEncoderAndEnqueuesAfterTheLoss()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var fq = TinyEncoder();
        var fk = TinyEncoder();
        var synth = NegativeOptions.SynCo(32).CreateSynthesizer(32);
        using var engine = Engine(fq, fk, synth);
        var opt = optim.SGD(fq.parameters(), 0.1, momentum: 0.9);
        var x1 = randn(8, 1, 8, 8);
        var x2 = x1 + 0.1 * randn(8, 1, 8, 8);

        var queueBefore = engine.Queue.Keys.clone();
        var step = engine.Forward(x1, x2, synthesize: true);
        // The batch's keys are not in the queue while its loss is computed.
        Assert.True(engine.Queue.Keys.eq(queueBefore).all().item<bool>());
        Assert.True(step.Keys.matmul(engine.Queue.Keys.t()).max().item<float>() < 0.9999f);
        opt.zero_grad();
        step.Loss.backward();
        Assert.All(fq.parameters(), p => Assert.NotNull(p.grad));
        Assert.All(fk.parameters(), p => Assert.Null(p.grad));
        opt.step();
        engine.Queue.Enqueue(step.Keys);
        Assert.True(engine.Queue.Keys.narrow(0, 0, 8).eq(step.Keys).all().item<bool>());
        Assert.Equal(8, engine.Queue.Pointer);

        var groups = step.Hardness.Select(s => s.Group).ToArray();
        Assert.Equal(new[] { "positive", "queue", "hard-pool", "interpolated", "extrapolated", "mixup", "noise", "perturbed", "adversarial" }, groups);
        Assert.Equal(1.0, step.Hardness.Where(s => s.Group != "hard-pool").Sum(s => s.SoftmaxShare), 4);
        var hardPool = step.Hardness.Single(s => s.Group == "hard-pool");
        var queueStats = step.Hardness.Single(s => s.Group == "queue");
        Assert.True(hardPool.MeanCosine > queueStats.MeanCosine, "the hardest entries are closer to q than the queue on average");
        var interp = step.Hardness.Single(s => s.Group == "interpolated");
        Assert.True(interp.MeanCosine > hardPool.MeanCosine, "interpolated negatives are harder than their sources");
    }

    [Fact]
    public void SymmetricLossEnqueuesBothKeySets()
    {
        using var scope = NewDisposeScope();
        using var engine = Engine(TinyEncoder(), TinyEncoder(), symmetric: true);
        var step = engine.Forward(randn(4, 1, 8, 8), randn(4, 1, 8, 8), synthesize: false);
        Assert.Equal(new long[] { 8, 16 }, step.Keys.shape);
        Assert.Equal(new[] { "positive", "queue" }, step.Hardness.Select(s => s.Group));
    }

    [Fact]
    public void KeyShuffleDoesNotChangeKeysWithoutSplitBatchNormInEvalMode()
    {
        using var scope = NewDisposeScope();
        var fk = TinyEncoder();
        using var engine = Engine(TinyEncoder(), fk);
        fk.eval();
        var x = randn(6, 1, 8, 8);
        var shuffled = engine.EncodeKeys(x);
        using var noGrad = no_grad();
        Assert.True(allclose(shuffled, nn.functional.normalize(fk.call(x), dim: 1), 1e-5, 1e-6), "unshuffle restores the order");
    }

    [Fact]
    public void NativeMemoryStaysFlatOverManySteps()
    {
        var fq = TinyEncoder();
        var fk = TinyEncoder();
        using var engine = Engine(fq, fk, NegativeOptions.SynCo(32).CreateSynthesizer(32));
        var opt = optim.SGD(fq.parameters(), 0.01, momentum: 0.9);
        long Live() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        void Step()
        {
            using var scope = NewDisposeScope();
            var s = engine.Forward(randn(8, 1, 8, 8), randn(8, 1, 8, 8), synthesize: true);
            opt.zero_grad();
            s.Loss.backward();
            opt.step();
            engine.Queue.Enqueue(s.Keys);
        }
        for (int i = 0; i < 3; i++) Step();
        long after3 = Live();
        for (int i = 0; i < 30; i++) Step();
        Assert.Equal(after3, Live());
    }
}
