using SynCo.ML.Training;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>What one method at one seed achieved.</summary>
public sealed record MethodResult(
    Method Method,
    int Seed,
    double LinearAccuracy,
    double KnnAccuracy,
    double FiveNnAccuracy,
    double PretrainSeconds,
    double ImagesPerSecond,
    IReadOnlyList<EpochSummary> History,
    float[][] TestFeatures);
