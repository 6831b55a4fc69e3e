using SynCo.ML.Interop;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SynCo.ML.Model;

/// <summary>
/// Batch norm over a 4-D input whose training statistics are computed separately for <see cref="NumSplits"/> groups of
/// the batch, as the <c>SplitBatchNorm</c> of the official MoCo CIFAR demo does to imitate per-GPU batch norm on one device.
/// </summary>
/// <remarks>
/// <para>Training mode: the batch of <c>B</c> samples is cut into <see cref="NumSplits"/> consecutive groups of <c>B/k</c>
/// samples (group <c>g</c> holds samples <c>g·B/k … (g+1)·B/k − 1</c>); each group is normalised with its own mean and
/// biased variance, and each group updates its own copy of the running statistics with the usual momentum; the copies are
/// then averaged into <c>running_mean</c> / <c>running_var</c>. <c>num_batches_tracked</c> grows by one per call.</para>
/// <para>Evaluation mode: plain batch norm with the running statistics, so exporting works exactly as for
/// <see cref="BatchNorm2d"/>. The state dict has <see cref="BatchNorm2d"/>'s names: <c>weight</c>, <c>bias</c>,
/// <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>.</para>
/// </remarks>
public sealed class SplitBatchNorm2d : BatchNorm
{
    /// <summary>Creates a split batch norm over <paramref name="numFeatures"/> channels.</summary>
    /// <param name="numFeatures">Number of channels C of the (N, C, H, W) input (at least 1).</param>
    /// <param name="numSplits">Number of groups the training batch is split into (at least 1; 1 = plain batch norm).</param>
    /// <param name="eps">Added to the variance for numerical stability (default 1e-5, > 0).</param>
    /// <param name="momentum">Running-statistics momentum (default 0.1, in [0, 1]).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside the range given above.</exception>
    public SplitBatchNorm2d(long numFeatures, int numSplits, double eps = 1e-5, double momentum = 0.1)
        : base(CheckFeatures(numFeatures), eps, momentum, affine: true, track_running_stats: true, device: null, dtype: null, name: nameof(SplitBatchNorm2d))
    {
        if (numSplits < 1)
            throw new ArgumentOutOfRangeException(nameof(numSplits), numSplits, "numSplits must be at least 1 (1 = plain batch norm).");
        if (!(eps > 0) || !double.IsFinite(eps))
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be a finite number greater than 0.");
        if (!(momentum >= 0 && momentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be between 0 and 1.");
        NumSplits = numSplits;
    }

    /// <summary>Number of groups the batch is split into in training mode.</summary>
    public int NumSplits { get; }

    /// <summary>Normalises <paramref name="input"/> (N, C, H, W); see the class remarks for training and evaluation mode.</summary>
    /// <exception cref="ArgumentException">The input is not 4-D, or in training mode N is not a multiple of <see cref="NumSplits"/>.</exception>
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        if (!training || NumSplits == 1)
            return base.forward(input);

        long n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3];
        long k = NumSplits;
        if (n % k != 0)
            throw new ArgumentException(
                $"SplitBatchNorm2d with {k} splits needs a training batch whose size is a multiple of {k}, but got a batch of {n}. " +
                $"Use a batch size that is a multiple of {nameof(BackboneOptions)}.{nameof(BackboneOptions.BatchNormSplits)}, or set it to 1.",
                nameof(input));

        using var scope = NewDisposeScope();
        Tensor runningMean = running_mean!, runningVar = running_var!;
        double factor = momentum ?? 0.0;
        if (num_batches_tracked is not null)
        {
            num_batches_tracked.add_(ScalarOne.Value, ScalarOne.Value);
            if (momentum is null)
                factor = 1.0 / num_batches_tracked.item<long>();
        }

        // (N, C, H, W) -> (k, N/k, C, H, W) -> (N/k, k, C, H, W) -> (N/k, k·C, H, W): channel g·C + c of the folded
        // tensor holds channel c of group g, so one batch_norm call computes per-group statistics.
        long m = n / k;
        Tensor folded = input.view(k, m, c, h, w).transpose(0, 1).reshape(m, k * c, h, w);
        Tensor meanCopies = runningMean.repeat(k);
        Tensor varCopies = runningVar.repeat(k);
        Tensor y = F.batch_norm(folded, meanCopies, varCopies, weight.repeat(k), bias!.repeat(k), training: true, momentum: factor, eps: eps);
        Tensor output = y.view(m, k, c, h, w).transpose(0, 1).reshape(n, c, h, w);

        using (no_grad())
        {
            runningMean.copy_(meanCopies.view(k, c).mean(new long[] { 0 }));
            runningVar.copy_(varCopies.view(k, c).mean(new long[] { 0 }));
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>Rejects inputs that are not 4-D (N, C, H, W).</summary>
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4)
            throw new ArgumentException($"SplitBatchNorm2d expects a 4-D (N, C, H, W) input, but got {input.ndim}-D.", nameof(input));
    }

    private static long CheckFeatures(long numFeatures) =>
        numFeatures >= 1 ? numFeatures
            : throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures, "numFeatures must be at least 1.");
}
