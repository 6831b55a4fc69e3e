namespace SynCo.ML.Training;

/// <summary>Reported after every optimiser step.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps per epoch.</param>
/// <param name="Loss">This step's loss.</param>
/// <param name="LearningRate">Learning rate used for this step.</param>
/// <param name="ImagesPerSecond">Images per second over the epoch so far.</param>
/// <param name="SyntheticNegatives">Whether synthetic negatives were active.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss, double LearningRate,
    double ImagesPerSecond, bool SyntheticNegatives);
