using Microsoft.ML;
using Microsoft.ML.Data;
using SynCo.ML.Onnx;
using SynCo.ML.Training;

namespace SynCo.ML.Tests.MLNet;

public class SynCoEstimatorTests
{
    private static float[][] Embeddings(MLContext ml, ITransformer model, IDataView data, string column = "Features") =>
        model.Transform(data).GetColumn<float[]>(column).ToArray();

    [Fact]
    public void FitTransformSaveLoadGivesIdenticalEmbeddings()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TinyImages.Stripes(64, seed: 1));
        var log = new List<string>();
        var options = TinyImages.Options();
        options.Run.Log = log.Add;
        var estimator = ml.Transforms.SynCoPretrain(options);

        var shape = estimator.GetOutputSchema(Shapes.Of(data));
        var predicted = Shapes.Find(shape, "Features");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, predicted.Kind);

        using var model = estimator.Fit(data);
        Assert.Equal(2, model.History.Count);
        Assert.False(model.History[0].SyntheticNegatives);
        Assert.True(model.History[1].SyntheticNegatives);
        Assert.Contains(model.History[1].Hardness, h => h.Group == "adversarial");
        Assert.Contains(log, m => m.Contains("device cpu"));

        var outType = (VectorDataViewType)model.GetOutputSchema(data.Schema)["Features"].Type;
        Assert.Equal(model.EmbeddingSize, outType.Size);
        Assert.Equal(128, model.EmbeddingSize); // 512 × 1/4 at ResNet-18 width 0.25

        var before = Embeddings(ml, model, data);
        string path = Path.Combine(Path.GetTempPath(), $"synco-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var fresh = new MLContext();
            var loaded = fresh.Model.Load(path, out var inputSchema);
            Assert.NotNull(inputSchema.GetColumnOrNull("Pixels"));
            var after = Embeddings(fresh, loaded, data);
            Assert.Equal(before.Length, after.Length);
            for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]);
            (loaded as IDisposable)?.Dispose();
        }
        finally { File.Delete(path); }

        // The ONNX export carries the same model the chain runs.
        using var ms = new MemoryStream();
        model.ExportOnnx(ms);
        Assert.Equal(model.GetOnnxModel(), ms.ToArray());
    }

    [Fact]
    public void EmbeddingsFeedAnMLNetTrainerWellAboveChance()
    {
        var ml = new MLContext(seed: 2);
        var train = ml.Data.LoadFromEnumerable(TinyImages.Stripes(256, seed: 2));
        var test = ml.Data.LoadFromEnumerable(TinyImages.Stripes(64, seed: 3));
        var options = TinyImages.Options(epochs: 5);
        var pipeline = ml.Transforms.SynCoPretrain(options)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("LabelKey", "Features"));
        var model = pipeline.Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test), labelColumnName: "LabelKey");
        Assert.True(metrics.MicroAccuracy > 0.8, $"accuracy {metrics.MicroAccuracy:P1} should be far above chance (50 %)");
    }

    [Fact]
    public void ProjectionOutputWithL2NormHasUnitRowsOfTheEmbeddingSize()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TinyImages.Stripes(32, seed: 4));
        var options = TinyImages.Options(epochs: 1);
        options.Output = OnnxOutputKind.Projection;
        options.NormalizeOutput = true;
        options.MoCo.EmbeddingDim = 24;
        using var model = ml.Transforms.SynCoPretrain(options).Fit(data);
        var rows = Embeddings(ml, model, data);
        Assert.All(rows, r => { Assert.Equal(24, r.Length); Assert.Equal(1.0, Math.Sqrt(r.Sum(v => (double)v * v)), 4); });
    }

    [Fact]
    public void CancellationStopsFit()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TinyImages.Stripes(64, seed: 1));
        using var cts = new CancellationTokenSource();
        var options = TinyImages.Options(epochs: 50);
        options.CancellationToken = cts.Token;
        options.Run.OnProgress = p => { if (p.Step == 2) cts.Cancel(); };
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Transforms.SynCoPretrain(options).Fit(data));
    }
}
