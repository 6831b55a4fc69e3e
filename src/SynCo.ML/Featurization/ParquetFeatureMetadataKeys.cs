namespace SynCo.ML.Featurization;

/// <summary>
/// Keys of the key/value file metadata in a feature part file (<see cref="ParquetFeatureWriter"/>); every value is an
/// invariant-culture string.
/// </summary>
public static class ParquetFeatureMetadataKeys
{
    /// <summary>File name of the ONNX model that made the features, e.g. "backbone.onnx".</summary>
    public const string Model = "synco.model";

    /// <summary>Lower-case hex SHA-256 of the model file's bytes; re-runs compare it to skip or refuse a part.</summary>
    public const string ModelSha256 = "synco.model_sha256";

    /// <summary>Model input as "CxHxW", e.g. "3x224x224".</summary>
    public const string InputSize = "synco.input_size";

    /// <summary>Length D of every <c>features</c> list.</summary>
    public const string EmbeddingSize = "synco.embedding_size";

    /// <summary>
    /// The normalisation the model applies inside its graph, from its ONNX metadata: "scale=…; mean=…; std=…;
    /// l2_normalized=…", or "unknown" for models without SynCo.ML metadata.
    /// </summary>
    public const string Normalization = "synco.normalization";

    /// <summary>The shard this part holds, "I/N" (0-based I).</summary>
    public const string Shard = "synco.shard";

    /// <summary>Rows in the part (images featurized).</summary>
    public const string ImageCount = "synco.image_count";

    /// <summary>Class names for the <c>label</c> values, one per line (label i = line i); absent when unlabelled.</summary>
    public const string ClassNames = "synco.class_names";

    /// <summary>Files skipped as unreadable, one "path: reason" per line (empty when none); also in <c>part-….skipped.txt</c>.</summary>
    public const string Skipped = "synco.skipped";
}
