using SynCo.ML.Model;

namespace SynCo.ML.Training;

/// <summary>
/// Everything needed to rebuild a trained encoder and export it, stored in each checkpoint: the architecture, the
/// image size and the normalisation it was trained with.
/// </summary>
/// <param name="Architecture">ResNet-10, -18, -34 or -50.</param>
/// <param name="WidthMultiplier">Channel width factor.</param>
/// <param name="InputChannels">1 or 3 (any positive count).</param>
/// <param name="SmallStem">Whether the 3×3 stride-1 stem without max-pool was used.</param>
/// <param name="BatchNormSplits">Split batch-norm groups.</param>
/// <param name="ImageHeight">Training image height.</param>
/// <param name="ImageWidth">Training image width.</param>
/// <param name="HeadHiddenDim">Projection head hidden width.</param>
/// <param name="EmbeddingDim">Projection output size.</param>
/// <param name="Mean">Per-channel normalisation mean (pixels scaled to 0–1).</param>
/// <param name="Std">Per-channel normalisation standard deviation.</param>
public sealed record EncoderDescription(ResNetArchitecture Architecture, double WidthMultiplier, int InputChannels, bool SmallStem,
    int BatchNormSplits, int ImageHeight, int ImageWidth, int HeadHiddenDim, int EmbeddingDim, float[] Mean, float[] Std)
{
    /// <summary>Describes <paramref name="encoder"/> trained with the normalisation <paramref name="mean"/>/<paramref name="std"/>.</summary>
    public static EncoderDescription Of(ContrastiveEncoder encoder, BackboneOptions backbone, IReadOnlyList<float> mean, IReadOnlyList<float> std) =>
        new(backbone.Architecture, backbone.WidthMultiplier, backbone.InputChannels, backbone.UsesSmallStem(encoder.ImageHeight, encoder.ImageWidth),
            backbone.BatchNormSplits, encoder.ImageHeight, encoder.ImageWidth, encoder.HeadHiddenDim, encoder.EmbeddingDim, mean.ToArray(), std.ToArray());

    /// <summary>A new, untrained encoder with this architecture (load weights into it).</summary>
    public ContrastiveEncoder CreateEncoder()
    {
        var backbone = new BackboneOptions
        {
            Architecture = Architecture, WidthMultiplier = WidthMultiplier, InputChannels = InputChannels, SmallStem = SmallStem,
            BatchNormSplits = BatchNormSplits,
        };
        return new ContrastiveEncoder(backbone, ImageHeight, ImageWidth, HeadHiddenDim, EmbeddingDim);
    }

    /// <summary>The ONNX export settings that reproduce the training normalisation.</summary>
    public Onnx.OnnxExportSpec ExportSpec() => new(InputChannels, ImageHeight, ImageWidth) { Mean = Mean, Std = Std };
}
