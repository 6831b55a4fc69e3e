using SynCo.ML.Negatives;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Negatives;

public class NegativeSynthesizerTests
{
    [Fact]
    public void OutputsAreUnitDetachedAndDrawnOnlyFromEachQuerysHardestEntries()
    {
        using var scope = NewDisposeScope();
        const int B = 5, D = 8, K = 40, N = 4;
        var g = new Generator(1);
        var q = nn.functional.normalize(randn(new long[] { B, D }, generator: g), dim: 1).requires_grad_(true);
        var queue = nn.functional.normalize(randn(new long[] { K, D }, generator: g), dim: 1);
        var cos = q.matmul(queue.t());

        // γ ≡ 1 makes mixup return exactly its first draw, so every output must be one of the top-N rows.
        var synth = new NegativeSynthesizer(N, new INegativeGenerator[]
        {
            new MixupNegatives(30, new CoefficientRange(1, 1)), new InterpolatedNegatives(7), new AdversarialNegatives(3),
        });
        var (h, hardCos) = synth.Synthesize(q, cos, queue, new Generator(2));

        Assert.Equal(new long[] { B, 40, D }, h.shape);
        Assert.False(h.requires_grad);
        Assert.True((h.norm(-1) - 1).abs().max().item<float>() < 1e-5);
        var topIdx = cos.detach().topk(N, dim: 1).indexes;
        var mix = h.narrow(1, 0, 30);                                            // (B, 30, D)
        var match = mix.matmul(queue.t()).argmax(-1);                            // which queue row each equals
        for (int b = 0; b < B; b++)
        {
            var allowed = topIdx[b].data<long>().ToHashSet();
            Assert.All(match[b].data<long>().ToArray(), i => Assert.Contains(i, allowed));
        }
        Assert.True(allclose(hardCos.sort(1).Values, cos.detach().topk(N, dim: 1).values.sort(1).Values));
    }

    [Fact]
    public void SameSeedSameNegatives()
    {
        using var scope = NewDisposeScope();
        var q = nn.functional.normalize(randn(3, 8), dim: 1);
        var queue = nn.functional.normalize(randn(20, 8), dim: 1);
        var synth = NegativeOptions.SynCo(queueSize: 64).CreateSynthesizer(20)!; // N = 16, counts 4/4/4/1/1/1;
        var a = synth.Synthesize(q, q.matmul(queue.t()), queue, new Generator(7)).Negatives;
        var b = synth.Synthesize(q, q.matmul(queue.t()), queue, new Generator(7)).Negatives;
        var c = synth.Synthesize(q, q.matmul(queue.t()), queue, new Generator(8)).Negatives;
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());
    }

    [Fact]
    public void HardPoolLargerThanQueueIsAClearError()
    {
        var synth = new NegativeSynthesizer(64, new INegativeGenerator[] { new MixupNegatives(4) });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => synth.CheckQueueSize(32));
        Assert.Contains("raise QueueSize", ex.Message);
    }
}
