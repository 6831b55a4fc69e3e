namespace SynCo.ML.Evaluation;

/// <summary>One probe at one label fraction: test accuracy per draw, with mean and spread.</summary>
/// <param name="Probe">The classifier.</param>
/// <param name="Fraction">Share of the labelled training set used, in (0, 1].</param>
/// <param name="LabelCount">Labelled vectors per draw.</param>
/// <param name="DrawSeeds">Seed of each draw.</param>
/// <param name="Accuracies">Test accuracy in [0, 1] of each draw, in seed order.</param>
public sealed record FewLabelScore(FewLabelProbe Probe, double Fraction, int LabelCount, IReadOnlyList<int> DrawSeeds, IReadOnlyList<double> Accuracies)
{
    /// <summary>Mean accuracy over the draws.</summary>
    public double Mean => Accuracies.Average();

    /// <summary>The linear probe's L2 weight of each draw (chosen by cross-validation); null for the kNN probes.</summary>
    public IReadOnlyList<float>? L2 { get; init; }

    /// <summary>Half the range (max − min) / 2 over the draws; 0 for one draw.</summary>
    public double Spread => (Accuracies.Max() - Accuracies.Min()) / 2;
}
