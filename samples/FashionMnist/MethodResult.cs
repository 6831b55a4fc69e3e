using SynCo.ML.Evaluation;
using SynCo.ML.Training;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>
/// What one method at one seed achieved: every probe at every label fraction, the pretraining cost, the seconds spent
/// after pretraining (featurizing the labelled and test images, fitting and scoring the probes), and the test features'
/// first two principal components (<see cref="Projection"/>) for the PCA plot.
/// </summary>
public sealed record MethodResult(
    Method Method,
    int Seed,
    IReadOnlyList<FewLabelScore> Scores,
    IReadOnlyList<EpochSummary> History,
    float[][] TestProjection,
    double ProbeSeconds)
{
    /// <summary>Seconds of pretraining over all epochs, also those of an earlier process when resumed; 0 without pretraining.</summary>
    public double PretrainSeconds => History.Sum(h => h.Seconds);

    /// <summary>Mean pretraining throughput over the epochs; 0 without pretraining.</summary>
    public double ImagesPerSecond => History.Count > 0 ? History.Average(h => h.ImagesPerSecond) : 0;

    /// <summary>The score of <paramref name="probe"/> at <paramref name="fraction"/>.</summary>
    public FewLabelScore Score(FewLabelProbe probe, double fraction) => Scores.Single(s => s.Probe == probe && s.Fraction == fraction);
}
