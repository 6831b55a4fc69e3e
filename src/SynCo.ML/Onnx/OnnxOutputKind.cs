namespace SynCo.ML.Onnx;

/// <summary>What the exported ONNX model returns.</summary>
public enum OnnxOutputKind
{
    /// <summary>The backbone's globally average-pooled features, shape [N, FeatureDim]. The usual choice for downstream tasks.</summary>
    Features = 0,

    /// <summary>The projection head's output, shape [N, EmbeddingDim]. Needs a <see cref="Model.ProjectionHead"/>.</summary>
    Projection = 1,
}
