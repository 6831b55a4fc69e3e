namespace SynCo.ML.Featurization;

/// <summary>The rows of a sharded feature folder, all parts concatenated in part order (see <see cref="FeatureFiles.ReadParquet"/>).</summary>
/// <param name="Paths">The <c>path</c> column: each image's path relative to the input root, or its IDX index.</param>
/// <param name="Labels">The <c>label</c> column, or null when the parts have none.</param>
/// <param name="Features">The <c>features</c> column: one float[D] per row.</param>
/// <param name="ClassNames">Name of each label value (from the metadata), or null.</param>
/// <param name="Metadata">The key/value metadata of the first part (<see cref="ParquetFeatureMetadataKeys"/>; the per-part keys shard, image count and skipped differ between parts).</param>
public sealed record ParquetFeatures(string[] Paths, int[]? Labels, float[][] Features, string[]? ClassNames, IReadOnlyDictionary<string, string> Metadata);
