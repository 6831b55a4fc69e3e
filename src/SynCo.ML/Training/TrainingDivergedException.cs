namespace SynCo.ML.Training;

/// <summary>Thrown when the loss becomes NaN or infinite; the last good checkpoint is left in place.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for a 0-based epoch and 1-based step.</summary>
    public TrainingDivergedException(int epoch, int step, double loss)
        : base($"The loss became {loss} at epoch {epoch}, step {step}. Training stopped; the last good checkpoint (if any) is unchanged. " +
               "Lower LearningRate, raise Temperature, or check the input pixels for NaN/Inf.")
    {
        Epoch = epoch;
        Step = step;
    }

    /// <summary>0-based epoch of the failure.</summary>
    public int Epoch { get; }

    /// <summary>1-based step of the failure.</summary>
    public int Step { get; }
}
