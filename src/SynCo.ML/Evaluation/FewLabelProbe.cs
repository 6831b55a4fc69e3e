namespace SynCo.ML.Evaluation;

/// <summary>A frozen-feature classifier of <see cref="FewLabelEvaluation"/>.</summary>
public enum FewLabelProbe
{
    /// <summary>Multinomial logistic regression on features scaled by ML.NET's <c>NormalizeMeanVariance</c> (<see cref="LinearProbe"/>).</summary>
    Linear,

    /// <summary>Weighted kNN on cosine similarity, by default k = 200, t = 0.1 (<see cref="KnnClassifier"/>'s defaults).</summary>
    WeightedKnn,

    /// <summary>Weighted kNN with k = 5.</summary>
    FiveNn,
}
