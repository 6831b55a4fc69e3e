namespace SynCo.ML.Training;

/// <summary>
/// SGD and its learning-rate schedule: the rate is <c>LearningRate · BatchSize / 256</c> after a linear warm-up of
/// <see cref="WarmupEpochs"/>, then a half-cosine decay to zero over the remaining steps (see <see cref="LearningRateSchedule"/>).
/// </summary>
/// <example>
/// <code>
/// options.Optimizer.LearningRate = 0.06;   // per 256 images
/// options.Optimizer.WarmupEpochs = 5;
/// </code>
/// </example>
public sealed class OptimizerOptions
{
    /// <summary>Base learning rate per 256 images; &gt; 0. Default 0.03 (MoCo v2).</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>SGD momentum, in [0, 1]. Default 0.9.</summary>
    public double Momentum { get; set; } = Defaults.SgdMomentum;

    /// <summary>SGD weight decay, ≥ 0. Default 1e-4 (MoCo v2 ImageNet; small-image recipe 5e-4).</summary>
    public double WeightDecay { get; set; } = Defaults.WeightDecay;

    /// <summary>Epochs of linear learning-rate warm-up before the cosine decay, ≥ 0. Default 0 (as in MoCo v2).</summary>
    public int WarmupEpochs { get; set; }

    /// <summary>Checks every value; messages say what is legal.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        Guard.Positive(LearningRate, nameof(LearningRate));
        Guard.InRange(Momentum, 0, 1, nameof(Momentum));
        Guard.NonNegative(WeightDecay, nameof(WeightDecay));
        Guard.NonNegative(WarmupEpochs, nameof(WarmupEpochs));
    }

    /// <summary>An independent copy.</summary>
    public OptimizerOptions Clone() => (OptimizerOptions)MemberwiseClone();
}
