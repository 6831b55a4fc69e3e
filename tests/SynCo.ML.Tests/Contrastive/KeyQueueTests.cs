using SynCo.ML.Contrastive;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Contrastive;

public class KeyQueueTests
{
    [Fact]
    public void StartsWithUnitRows()
    {
        using var queue = new KeyQueue(64, 16, CPU, new Generator(0));
        Assert.True((queue.Keys.norm(1) - 1).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void IsAFifoRingBufferThatWrapsAround()
    {
        using var scope = NewDisposeScope();
        using var queue = new KeyQueue(5, 2, CPU, new Generator(0));
        var before = queue.Keys.clone();
        var a = tensor(new float[] { 1, 1, 2, 2, 3, 3 }).view(3, 2);
        queue.Enqueue(a);
        Assert.Equal(3, queue.Pointer);
        Assert.True(queue.Keys.narrow(0, 0, 3).eq(a).all().item<bool>());
        Assert.True(queue.Keys.narrow(0, 3, 2).eq(before.narrow(0, 3, 2)).all().item<bool>());

        var b = tensor(new float[] { 4, 4, 5, 5, 6, 6 }).view(3, 2);
        queue.Enqueue(b);                                     // rows 3, 4, then wraps to 0
        Assert.Equal(1, queue.Pointer);
        var expected = tensor(new float[] { 6, 6, 2, 2, 3, 3, 4, 4, 5, 5 }).view(5, 2);
        Assert.True(queue.Keys.eq(expected).all().item<bool>(), "oldest keys are overwritten first");
    }

    [Fact]
    public void RejectsMoreKeysThanSlots()
    {
        using var queue = new KeyQueue(4, 2, CPU);
        var ex = Assert.Throws<ArgumentException>(() => queue.Enqueue(zeros(5, 2)));
        Assert.Contains("QueueSize must be at least", ex.Message);
    }
}
