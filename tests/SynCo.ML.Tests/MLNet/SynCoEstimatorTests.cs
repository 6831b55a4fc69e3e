using Microsoft.ML;
using Microsoft.ML.Data;
using SynCo.ML.Onnx;
using SynCo.ML.Tests.Onnx;
using SynCo.ML.Training;
using TorchSharp;

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
        Assert.Equal(NumberDataViewType.Single, predicted.ItemType);

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

        // The exported ONNX, run on its own in ONNX Runtime, gives the chain's embeddings, and both are the TorchSharp
        // eval-mode forward of the trained backbone (after the training normalisation). Measured: 0 against the chain,
        // 1.3e-6 against TorchSharp (folded batch norm, float32); a batch-norm ε folded 100× too large gives 6.8e-3.
        using var ms = new MemoryStream();
        model.ExportOnnx(ms);
        var augmentation = options.ResolveAugmentation(1, TinyImages.Side, TinyImages.Side);
        var spec = new OnnxExportSpec(1, TinyImages.Side, TinyImages.Side)
        {
            Mean = augmentation.Normalization!.Mean, Std = augmentation.Normalization.Std, InputName = "Pixels", OutputName = "Features",
        };
        var pixels = data.GetColumn<float[]>("Pixels").SelectMany(p => p).ToArray();
        using var scope = torch.NewDisposeScope();
        var raw = torch.tensor(pixels, new long[] { before.Length, 1, TinyImages.Side, TinyImages.Side });
        using var session = OnnxTestSupport.Session(ms.ToArray());
        var (ort, ortShape) = OnnxTestSupport.RunOrt(session, spec, raw);
        Assert.Equal(new long[] { before.Length, model.EmbeddingSize }, ortShape);
        using var backbone = model.CreateBackbone();
        float[] torchRef = OnnxTestSupport.Reference(backbone, null, spec, raw);
        float[] chain = before.SelectMany(r => r).ToArray();
        double vsChain = OnnxTestSupport.MaxAbsDiff(ort, chain), vsTorch = OnnxTestSupport.MaxAbsDiff(ort, torchRef);
        Assert.True(vsChain < 1e-4 && vsTorch < 1e-4, $"max |ONNX - ML.NET chain| = {vsChain:E2}, max |ONNX - TorchSharp eval| = {vsTorch:E2}");
        Assert.True(chain.Max() - chain.Min() > 0.1, "embeddings must not be constant");
    }

    private sealed class ScalarRow
    {
        public float Pixels { get; set; }
    }

    private sealed class TextRow
    {
        public string Pixels { get; set; } = "";
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("scalar")]
    [InlineData("text")]
    public void GetOutputSchemaRejectsAMissingOrWrongTypedInputNamingTheColumn(string kind)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = kind switch
        {
            "missing" => ml.Data.LoadFromEnumerable(TinyImages.Stripes(4, seed: 1)),
            "scalar" => ml.Data.LoadFromEnumerable(new[] { new ScalarRow { Pixels = 1 } }),
            _ => ml.Data.LoadFromEnumerable(new[] { new TextRow { Pixels = "x" } }),
        };
        string input = kind == "missing" ? "Image" : "Pixels";
        var e = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.SynCoPretrain("Features", input).GetOutputSchema(Shapes.Of(data)));
        Assert.Contains($"'{input}'", e.Message);
        if (kind == "missing") Assert.Contains("was not found", e.Message); // the missing-column message lists the columns, not the type
        else Assert.Contains("Vector<Single>", e.Message);
    }

    // This checks the plumbing (embeddings into an ML.NET trainer), not that pretraining learned anything: a random-initialised
    // ResNet-18 ×0.25 exported with BackboneOnnxExporter scores 0.92–0.98 with this trainer on this data (pretraining seeds
    // 1–5, 5 epochs: pretrained 0.87–0.93, i.e. 0.05–0.08 *below* random; 10 epochs: −0.04…+0.04; with 8 labels −0.02…+0.09).
    // Stripes are the wrong data for that question; Training/PretrainingBeatsRandomInitTests asserts the margin over
    // random init on real Fashion-MNIST.
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
    public void FeatureGridOutputsTheGridPooledMapThroughSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TinyImages.Stripes(32, seed: 6));
        var options = TinyImages.Options(epochs: 1);
        options.FeatureGrid = 2;   // 16 px, small stem: a 2x2 feature map, so each cell is one position
        using var model = ml.Transforms.SynCoPretrain(options).Fit(data);
        Assert.Equal(4 * options.Backbone.FeatureDim, model.EmbeddingSize);
        var rows = Embeddings(ml, model, data);
        Assert.All(rows, r => Assert.Equal(model.EmbeddingSize, r.Length));

        // The chain's rows are the TorchSharp grid features of the trained backbone (after the training normalisation).
        var augmentation = options.ResolveAugmentation(1, TinyImages.Side, TinyImages.Side);
        var spec = new OnnxExportSpec(1, TinyImages.Side, TinyImages.Side) { Mean = augmentation.Normalization!.Mean, Std = augmentation.Normalization.Std, FeatureGrid = 2 };
        var pixels = data.GetColumn<float[]>("Pixels").SelectMany(p => p).ToArray();
        using (var scope = torch.NewDisposeScope())
        using (var backbone = model.CreateBackbone())
        {
            float[] reference = OnnxTestSupport.Reference(backbone, null, spec,
                torch.tensor(pixels, new long[] { rows.Length, 1, TinyImages.Side, TinyImages.Side }));
            double diff = OnnxTestSupport.MaxAbsDiff(reference, rows.SelectMany(r => r).ToArray());
            Assert.True(diff < 1e-4, $"max |chain - TorchSharp grid features| = {diff:E2}");
        }

        string path = Path.Combine(Path.GetTempPath(), $"synco-grid-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _);
            var after = Embeddings(ml, loaded, data);
            for (int i = 0; i < rows.Length; i++) Assert.Equal(rows[i], after[i]);
            (loaded as IDisposable)?.Dispose();
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void AFeatureGridFinerThanTheFeatureMapFailsBeforeTraining()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TinyImages.Stripes(16, seed: 6));
        var options = TinyImages.Options(epochs: 1);
        options.FeatureGrid = 3;
        int steps = 0;
        options.Run.OnProgress = _ => steps++;
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SynCoPretrain(options).Fit(data));
        Assert.Contains("FeatureGrid is 3, but it must be between 1 (global average pooling) and 2: 16x16 images give a 2x2 feature map", ex.Message);
        Assert.Equal(0, steps);

        options.FeatureGrid = 2;
        options.Output = OnnxOutputKind.Projection;
        Assert.Contains("set FeatureGrid = 1 or Output = Features", Assert.Throws<ArgumentException>(() => ml.Transforms.SynCoPretrain(options).Fit(data)).Message);
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
