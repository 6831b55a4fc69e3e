using TorchSharp;

namespace SynCo.ML.Interop;

/// <summary>
/// One long-lived TorchSharp <see cref="Scalar"/> 1 for the per-layer calls of every forward pass (the batch-norm
/// counter, the residual additions). TorchSharp 0.107 turns a .NET number into a native Scalar that only its finalizer
/// frees, and after a call has read the handle nothing keeps the object alive: a garbage collection during the call can
/// free the Scalar libtorch is reading. A 60,000-row estimator fit under a 320 MB heap cap died of exactly that in
/// <see cref="Model.SplitBatchNorm2d"/>'s <c>num_batches_tracked.add_(1)</c> ("Expected false to be true" from
/// <c>c10::Scalar::toLong</c>). A static Scalar is never finalized, so there is nothing to race with.
/// </summary>
/// <example>
/// <code>
/// x.add_(identity, ScalarOne.Value);   // not x.add_(identity), which makes a hidden alpha of 1 per call
/// </code>
/// </example>
internal static class ScalarOne
{
    /// <summary>The integer 1, valid for tensors of every dtype.</summary>
    public static readonly Scalar Value = 1.ToScalar();
}
