using SynCo.ML.Model;

namespace SynCo.ML.Training;

/// <summary>The trained query encoder (eval mode), its description and the per-epoch history of a run.</summary>
public sealed class PretrainResult : IDisposable
{
    internal PretrainResult(ContrastiveEncoder encoder, IReadOnlyList<EpochSummary> history, string deviceReason, EncoderDescription description)
    {
        Description = description;
        Encoder = encoder;
        History = history;
        DeviceReason = deviceReason;
    }

    /// <summary>The trained query encoder (backbone + projection head), in eval mode, on the training device.</summary>
    public ContrastiveEncoder Encoder { get; }

    /// <summary>One entry per epoch, including epochs restored from a checkpoint.</summary>
    public IReadOnlyList<EpochSummary> History { get; }

    /// <summary>The encoder's architecture, image size and training normalisation: the source of its ONNX export spec.</summary>
    public EncoderDescription Description { get; }

    /// <summary>Which device trained and why.</summary>
    public string DeviceReason { get; }

    /// <inheritdoc/>
    public void Dispose() => Encoder.Dispose();
}
