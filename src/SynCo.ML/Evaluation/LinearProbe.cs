using Microsoft.ML;
using Microsoft.ML.Data;

namespace SynCo.ML.Evaluation;

/// <summary>
/// Linear-probe accuracy: scale features with ML.NET's <c>NormalizeMeanVariance</c> (each divided by its root mean
/// square over the training vectors), train ML.NET's L-BFGS multinomial logistic regression on the labelled training
/// vectors, and measure accuracy on the test vectors. This is the linear evaluation the SSL literature reports
/// (on frozen features), in ML.NET form. Besides the L2 weight passed in, the fit has an L1 weight of <see cref="L1"/>.
/// </summary>
/// <example>
/// <code>
/// double acc = LinearProbe.Accuracy(trainFeatures, trainLabels, testFeatures, testLabels, seed: 1);
/// // Few labels: choose the L2 weight by cross-validation on the labelled set first.
/// float l2 = LinearProbe.SelectL2(fewFeatures, fewLabels, LinearProbe.L2Candidates, folds: 3, seed: 1);
/// double fewAcc = LinearProbe.Accuracy(fewFeatures, fewLabels, testFeatures, testLabels, seed: 1, l2: l2);
/// </code>
/// </example>
public static class LinearProbe
{
    private sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();
        public uint Label { get; set; }
    }

    /// <summary>
    /// The L1 weight of every fit, on the summed loss with the biases exempt: ML.NET's default for this trainer, stated
    /// here so that an ML.NET upgrade cannot change it. Every figure in docs/benchmarks.md was measured with it.
    /// </summary>
    public const float L1 = 1f;

    /// <summary>
    /// The L2 weights <see cref="SelectL2"/> tries by default, half a decade apart from 1 to 1000. ML.NET's L-BFGS sums the
    /// loss over examples, so the weight that suits hundreds or thousands of labels is large: on Fashion-MNIST, raw
    /// pixels take 10–30 and learned 2,048-value features 100–300 at 600 to 6,000 labels, and accuracy changes by up to
    /// 1.5 points from one decade to the next, so a grid a decade apart let the choice flip between neighbours that
    /// differ that much.
    /// </summary>
    public static readonly IReadOnlyList<float> L2Candidates = Array.AsReadOnly(new[] { 1f, 3f, 10f, 30f, 100f, 300f, 1000f });

    /// <summary>
    /// The L2 weight for large labelled sets, where <see cref="FewLabelEvaluation"/> skips the search: the summed loss
    /// of tens of thousands of examples outweighs any small penalty (raw Fashion-MNIST pixels, 60,000 labels: 1e-4 to 100
    /// lie within 0.3 points), and each fit there costs minutes on 2 cores.
    /// </summary>
    public const float LargeSetL2 = 1e-4f;

    /// <summary>
    /// The L2 weight of <paramref name="candidates"/> with the best mean accuracy over <paramref name="folds"/>
    /// class-stratified folds of the labelled set alone (the test set is never seen); the first such weight on ties.
    /// </summary>
    /// <param name="features">Labelled vectors, all of one length.</param>
    /// <param name="labels">Their classes (non-negative).</param>
    /// <param name="candidates">L2 weights to try, at least one, each finite and ≥ 0.</param>
    /// <param name="folds">Folds, at least 2 and at most the size of the smallest class.</param>
    /// <param name="seed">Seed of the fold assignment and of the fits.</param>
    /// <exception cref="ArgumentException">Counts disagree, there are no candidates, or a class has fewer examples than folds.</exception>
    public static float SelectL2(float[][] features, int[] labels, IReadOnlyList<float> candidates, int folds = 3, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(candidates);
        if (features.Length != labels.Length) throw new ArgumentException($"{features.Length} vectors but {labels.Length} labels; pass one label per vector.", nameof(labels));
        if (candidates.Count == 0) throw new ArgumentException("Pass at least one L2 candidate.", nameof(candidates));
        foreach (float c in candidates) Guard.NonNegative(c, nameof(candidates));
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), folds, "folds must be at least 2.");
        if (candidates.Count == 1) return candidates[0];
        var fold = new int[labels.Length];
        foreach (var members in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]))
        {
            int[] all = members.ToArray();
            if (all.Length < folds)
                throw new ArgumentException($"Class {members.Key} has {all.Length} labelled example(s), fewer than the {folds} folds; label more examples or use fewer folds.", nameof(labels));
            int[] order = Data.DeterministicShuffle.Permutation(all.Length, seed, stream: members.Key);
            for (int r = 0; r < all.Length; r++) fold[all[order[r]]] = r % folds;
        }
        var accuracy = new double[candidates.Count * folds];
        Parallel.For(0, accuracy.Length, job =>
        {
            int c = job / folds, f = job % folds;
            var train = Enumerable.Range(0, labels.Length).Where(i => fold[i] != f).ToArray();
            var held = Enumerable.Range(0, labels.Length).Where(i => fold[i] == f).ToArray();
            accuracy[job] = Accuracy(train.Select(i => features[i]).ToArray(), train.Select(i => labels[i]).ToArray(),
                held.Select(i => features[i]).ToArray(), held.Select(i => labels[i]).ToArray(), seed, candidates[c]);
        });
        var mean = Enumerable.Range(0, candidates.Count).Select(c => accuracy.AsSpan(c * folds, folds).ToArray().Average()).ToArray();
        int best = 0;
        for (int c = 1; c < mean.Length; c++) if (mean[c] > mean[best]) best = c;
        return candidates[best];
    }

    /// <summary>Trains on (<paramref name="trainFeatures"/>, <paramref name="trainLabels"/>) and returns test accuracy in [0, 1].</summary>
    public static double Accuracy(float[][] trainFeatures, int[] trainLabels, float[][] testFeatures, int[] testLabels, int seed = 0,
        float l2 = LargeSetL2, int maxIterations = 200)
    {
        if (trainFeatures.Length != trainLabels.Length || testFeatures.Length != testLabels.Length)
            throw new ArgumentException("Pass one label per feature vector, for both the training and the test set.");
        if (trainFeatures.Length == 0 || testFeatures.Length == 0)
            throw new ArgumentException("Both the training and the test set need at least one labelled vector.");
        int dim = trainFeatures[0].Length;
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dim);
        IDataView Load(float[][] x, int[] y) =>
            ml.Data.LoadFromEnumerable(x.Select((f, i) => new Row { Features = f, Label = (uint)y[i] }), schema);
        var pipeline = ml.Transforms.NormalizeMeanVariance(nameof(Row.Features))
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", nameof(Row.Label)))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(
                new Microsoft.ML.Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options
                {
                    LabelColumnName = "LabelKey", FeatureColumnName = nameof(Row.Features), L2Regularization = l2,
                    L1Regularization = L1, MaximumNumberOfIterations = maxIterations,
                }));
        var model = pipeline.Fit(Load(trainFeatures, trainLabels));
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(Load(testFeatures, testLabels)), labelColumnName: "LabelKey");
        return metrics.MicroAccuracy;
    }
}
