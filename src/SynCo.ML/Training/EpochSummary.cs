using SynCo.ML.Contrastive;

namespace SynCo.ML.Training;

/// <summary>One epoch of pretraining: what the training-curve plots and the estimator's history show.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Loss">Mean loss over the epoch's steps.</param>
/// <param name="LearningRate">Learning rate of the epoch's last step.</param>
/// <param name="ImagesPerSecond">Training throughput (images per second, both views counted once).</param>
/// <param name="Seconds">Wall-clock seconds of the epoch.</param>
/// <param name="SyntheticNegatives">Whether synthetic negatives were active (false during warm-up).</param>
/// <param name="Hardness">Per-group hardness telemetry averaged over the epoch.</param>
/// <param name="Monitor">The optional monitor's value for this epoch (e.g. kNN accuracy), or null.</param>
public sealed record EpochSummary(int Epoch, double Loss, double LearningRate, double ImagesPerSecond, double Seconds,
    bool SyntheticNegatives, IReadOnlyList<NegativeGroupStats> Hardness, double? Monitor);
