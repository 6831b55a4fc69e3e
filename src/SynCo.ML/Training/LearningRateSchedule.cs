namespace SynCo.ML.Training;

/// <summary>
/// Linear warm-up then half-cosine decay to zero, evaluated per step:
/// <c>lr(t) = peak·t/W</c> for t &lt; W, then <c>peak·½(1 + cos(π·(t − W)/(T − W)))</c>. With <c>W = 0</c> this is the
/// MoCo v2 cosine schedule (which the reference code applies per epoch; per step is the smooth version).
/// </summary>
/// <param name="PeakLearningRate">Learning rate after warm-up.</param>
/// <param name="TotalSteps">T, all optimiser steps of the run.</param>
/// <param name="WarmupSteps">W, linear warm-up steps (0 for none).</param>
public sealed record LearningRateSchedule(double PeakLearningRate, long TotalSteps, long WarmupSteps)
{
    /// <summary>Learning rate for 0-based step <paramref name="step"/>.</summary>
    public double At(long step)
    {
        if (step < WarmupSteps) return PeakLearningRate * (step + 1) / WarmupSteps;
        if (TotalSteps <= WarmupSteps) return PeakLearningRate;
        double progress = Math.Clamp((double)(step - WarmupSteps) / (TotalSteps - WarmupSteps), 0, 1);
        return PeakLearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
