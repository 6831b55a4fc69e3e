using Microsoft.ML;
using Microsoft.ML.Data;

namespace SynCo.ML.Evaluation;

/// <summary>
/// Linear-probe accuracy: standardise features, train ML.NET's L-BFGS multinomial logistic regression on the labelled
/// training vectors, and measure accuracy on the test vectors. This is the linear evaluation the SSL literature reports
/// (on frozen features), in ML.NET form.
/// </summary>
/// <example><code>double acc = LinearProbe.Accuracy(trainFeatures, trainLabels, testFeatures, testLabels, seed: 1);</code></example>
public static class LinearProbe
{
    private sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();
        public uint Label { get; set; }
    }

    /// <summary>Trains on (<paramref name="trainFeatures"/>, <paramref name="trainLabels"/>) and returns test accuracy in [0, 1].</summary>
    public static double Accuracy(float[][] trainFeatures, int[] trainLabels, float[][] testFeatures, int[] testLabels, int seed = 0,
        float l2 = 1e-4f, int maxIterations = 200)
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
                    MaximumNumberOfIterations = maxIterations,
                }));
        var model = pipeline.Fit(Load(trainFeatures, trainLabels));
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(Load(testFeatures, testLabels)), labelColumnName: "LabelKey");
        return metrics.MicroAccuracy;
    }
}
