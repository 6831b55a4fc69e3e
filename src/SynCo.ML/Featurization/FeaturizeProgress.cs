namespace SynCo.ML.Featurization;

/// <summary>Progress of a featurization run, reported after every batch.</summary>
/// <param name="ImagesDone">Images featurized so far.</param>
/// <param name="TotalImages">Images in the run, or null when the source does not know its row count (some IDataViews).</param>
/// <param name="ImagesPerSecond">Average throughput since the run started (reading, decoding and inference).</param>
public readonly record struct FeaturizeProgress(long ImagesDone, long? TotalImages, double ImagesPerSecond);
