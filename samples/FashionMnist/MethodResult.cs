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
    double PretrainSeconds,
    double ImagesPerSecond,
    IReadOnlyList<EpochSummary> History,
    float[][] TestProjection,
    double ProbeSeconds)
{
    /// <summary>The score of <paramref name="probe"/> at <paramref name="fraction"/>.</summary>
    public FewLabelScore Score(FewLabelProbe probe, double fraction) => Scores.Single(s => s.Probe == probe && s.Fraction == fraction);
}
