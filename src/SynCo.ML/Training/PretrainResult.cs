using SynCo.ML.Model;

namespace SynCo.ML.Training;

/// <summary>The trained query encoder (eval mode) and the per-epoch history of a run.</summary>
public sealed class PretrainResult : IDisposable
{
    internal PretrainResult(ContrastiveEncoder encoder, IReadOnlyList<EpochSummary> history, string deviceReason)
    {
        Encoder = encoder;
        History = history;
        DeviceReason = deviceReason;
    }

    /// <summary>The trained query encoder (backbone + projection head), in eval mode, on the training device.</summary>
    public ContrastiveEncoder Encoder { get; }

    /// <summary>One entry per epoch, including epochs restored from a checkpoint.</summary>
    public IReadOnlyList<EpochSummary> History { get; }

    /// <summary>Which device trained and why.</summary>
    public string DeviceReason { get; }

    /// <inheritdoc/>
    public void Dispose() => Encoder.Dispose();
}
