using SynCo.ML.Model;
using TorchSharp;
using static TorchSharp.torch;
using ResNet = SynCo.ML.Model.ResNet;

namespace SynCo.ML.Tests.Model;

/// <summary><see cref="SplitBatchNorm2d"/> against plain batch norm run on each group.</summary>
public class SplitBatchNormTests
{
    [Fact]
    public void KeepsBatchNorm2dStateDictNames()
    {
        using var split = new SplitBatchNorm2d(5, 2);
        using var plain = nn.BatchNorm2d(5);
        Assert.Equal(plain.state_dict().Keys.ToArray(), split.state_dict().Keys.ToArray());
        Assert.Equal(new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" },
            split.state_dict().Keys.OrderBy(k => k switch
            {
                "weight" => 0, "bias" => 1, "running_mean" => 2, "running_var" => 3, _ => 4,
            }).ToArray());
    }

    [Theory]
    [InlineData(2, 8)]
    [InlineData(4, 8)]
    [InlineData(3, 6)]
    public void TrainingModeEqualsPlainBatchNormOnEachGroupAndAveragesRunningStats(int splits, int batch)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        const int C = 3;
        using var split = new SplitBatchNorm2d(C, splits);
        Tensor gamma = torch.rand(C) + 0.5, beta = torch.randn(C), mean0 = torch.randn(C), var0 = torch.rand(C) + 0.5;
        SetState(split, gamma, beta, mean0, var0);
        split.train();

        Tensor x = torch.randn(batch, C, 5, 4) * 3 + 1;
        Tensor y = split.call(x);

        int m = batch / splits;
        var means = new List<Tensor>();
        var vars = new List<Tensor>();
        for (int g = 0; g < splits; g++)
        {
            using var plain = nn.BatchNorm2d(C);
            SetState(plain, gamma, beta, mean0, var0);
            plain.train();
            Tensor group = x.narrow(0, g * m, m);
            Tensor expected = plain.call(group);
            double diff = (expected - y.narrow(0, g * m, m)).abs().max().item<float>();
            Assert.True(diff < 1e-5, $"group {g}: max abs diff {diff}");
            means.Add(plain.running_mean!.clone());
            vars.Add(plain.running_var!.clone());
        }
        Assert.True(torch.allclose(torch.stack(means).mean(new long[] { 0 }), split.running_mean!, rtol: 1e-5, atol: 1e-6));
        Assert.True(torch.allclose(torch.stack(vars).mean(new long[] { 0 }), split.running_var!, rtol: 1e-5, atol: 1e-6));
        Assert.Equal(1L, split.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void GradientsFlowToWeightAndBias()
    {
        using var scope = torch.NewDisposeScope();
        using var split = new SplitBatchNorm2d(2, 2);
        split.train();
        Tensor x = torch.randn(4, 2, 3, 3, requires_grad: true);
        Tensor upstream = torch.randn(4, 2, 3, 3);
        (split.call(x) * upstream).sum().backward();

        // Reference: each half of the batch normalised on its own by torch's batch_norm with shared affine parameters.
        Tensor xr = x.detach().clone().requires_grad_(true);
        Tensor w = split.weight.detach().clone().requires_grad_(true), b = split.bias!.detach().clone().requires_grad_(true);
        var halves = xr.chunk(2, 0).Select(h => nn.functional.batch_norm(h, null, null, w, b, training: true, eps: split.eps));
        (torch.cat(halves.ToArray(), 0) * upstream).sum().backward();
        Assert.True(split.weight.grad!.allclose(w.grad!, rtol: 1e-4, atol: 1e-5), "weight gradient");
        Assert.True(split.bias!.grad!.allclose(b.grad!, rtol: 1e-4, atol: 1e-5), "bias gradient");
        Assert.True(x.grad!.allclose(xr.grad!, rtol: 1e-4, atol: 1e-5), "input gradient");
        Assert.True(split.weight.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void EvaluationModeEqualsPlainBatchNorm()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(8);
        using var split = new SplitBatchNorm2d(3, 4);
        using var plain = nn.BatchNorm2d(3);
        Tensor gamma = torch.rand(3) + 0.5, beta = torch.randn(3), mean0 = torch.randn(3), var0 = torch.rand(3) + 0.5;
        SetState(split, gamma, beta, mean0, var0);
        SetState(plain, gamma, beta, mean0, var0);
        split.eval();
        plain.eval();
        Tensor x = torch.randn(3, 3, 4, 4); // 3 is not a multiple of 4: fine in eval mode
        Assert.True(torch.allclose(plain.call(x), split.call(x), rtol: 1e-6, atol: 1e-6));
        Assert.True(mean0.Equals(split.running_mean!));
    }

    [Fact]
    public void BatchNotDivisibleBySplitsIsAClearError()
    {
        using var scope = torch.NewDisposeScope();
        using var split = new SplitBatchNorm2d(3, 4);
        split.train();
        var ex = Assert.Throws<ArgumentException>(() => split.call(torch.randn(6, 3, 2, 2)));
        Assert.Contains("multiple of 4", ex.Message);
        Assert.Contains("batch of 6", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitBatchNorm2d(3, 0));
    }

    [Fact]
    public void ResNetWithSplitsUsesSplitBatchNormEverywhereAndKeepsTorchVisionNames()
    {
        using var scope = torch.NewDisposeScope();
        var options = new BackboneOptions { WidthMultiplier = 0.0625, BatchNormSplits = 2 };
        using var split = new ResNet(options, 8, 8);
        options.BatchNormSplits = 1;
        using var plain = new ResNet(options, 8, 8);
        Assert.Equal(plain.state_dict().Keys.ToArray(), split.state_dict().Keys.ToArray());
        Assert.All(split.Blocks.SelectMany(b => b.Branch).Append(split.Stem), u => Assert.IsType<SplitBatchNorm2d>(u.Norm));

        split.train();
        Assert.Equal(new long[] { 4, 32 }, split.call(torch.randn(4, 3, 8, 8)).shape);
        Assert.Contains("multiple of 2", Assert.Throws<ArgumentException>(() => split.call(torch.randn(3, 3, 8, 8))).Message);
        split.eval();
        using var _ = torch.no_grad();
        Assert.Equal(new long[] { 3, 32 }, split.call(torch.randn(3, 3, 8, 8)).shape);
    }

    private static void SetState(TorchSharp.Modules.BatchNorm bn, Tensor gamma, Tensor beta, Tensor mean, Tensor var)
    {
        using var _ = torch.no_grad();
        bn.weight.copy_(gamma);
        bn.bias!.copy_(beta);
        bn.running_mean!.copy_(mean);
        bn.running_var!.copy_(var);
    }
    /// <summary>
    /// The counter's add passes no Scalar that only a finalizer frees: with a thread collecting garbage and running
    /// finalizers all the time, every training-mode call still counts exactly one, and none throws. With
    /// <c>add_(1)</c>'s hidden temporaries this failed ("Expected false to be true" from <c>c10::Scalar::toLong</c>, or
    /// a wrong count) within a few thousand calls.
    /// </summary>
    [Fact]
    public void CounterSurvivesGarbageCollectionsDuringTheCall()
    {
        using var bn = new SplitBatchNorm2d(4, 2);
        bn.train();
        using var x = torch.randn(4, 4, 2, 2);
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        const int calls = 20_000;
        try
        {
            for (int i = 0; i < calls; i++)
            {
                using var scope = torch.NewDisposeScope();
                bn.call(x);
            }
        }
        finally
        {
            stop.Cancel();
            collector.Wait();
        }
        Assert.Equal(calls, bn.num_batches_tracked!.item<long>());
    }
}
