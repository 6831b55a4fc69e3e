namespace SynCo.ML.Featurization;

/// <summary>
/// Receives one batch of features from <see cref="OnnxFeaturizer.FeaturizeBatches"/>: images
/// <paramref name="firstIndex"/> … <paramref name="firstIndex"/> + <paramref name="count"/> − 1 of the dataset, in order.
/// </summary>
/// <param name="firstIndex">Dataset index of the batch's first image.</param>
/// <param name="count">Images in the batch (the last batch may be smaller than the batch size).</param>
/// <param name="features">
/// <paramref name="count"/> × D float32 values, row-major (row i = image <paramref name="firstIndex"/> + i). The span
/// is the featurizer's reused output buffer: valid only during the call, so copy what you keep.
/// </param>
public delegate void FeatureBatchHandler(int firstIndex, int count, ReadOnlySpan<float> features);
