using Microsoft.ML;
using Microsoft.ML.Data;

namespace SynCo.ML.Tests.MLNet;

/// <summary>Every kind of bad input gets a specific error that names the fix.</summary>
public class BadInputTests
{
    private readonly MLContext _ml = new(seed: 1);

    private sealed class FlatRow
    {
        [VectorType(256)]
        public float[] Pixels { get; set; } = Array.Empty<float>();
    }

    private sealed class TextRow
    {
        public string Pixels { get; set; } = "";
    }

    private IDataView Stripes(int n, Func<float, float>? map = null)
    {
        var rows = TinyImages.Stripes(n, seed: 9);
        if (map is not null) foreach (var r in rows) r.Pixels = r.Pixels.Select(map).ToArray();
        return _ml.Data.LoadFromEnumerable(rows);
    }

    private string FitError(IDataView data, Action<SynCoOptions>? change = null)
    {
        var o = TinyImages.Options(epochs: 1);
        change?.Invoke(o);
        var e = Record.Exception(() => _ml.Transforms.SynCoPretrain(o).Fit(data));
        Assert.NotNull(e);
        return e!.Message;
    }

    [Fact]
    public void MissingColumnListsTheAvailableOnes()
    {
        string m = FitError(Stripes(32), o => o.InputColumnName = "Image");
        Assert.Contains("'Image' was not found", m);
        Assert.Contains("'Pixels'", m);
        var schemaError = Assert.ThrowsAny<ArgumentException>(() =>
            _ml.Transforms.SynCoPretrain("Features", "Image").GetOutputSchema(Shapes.Of(Stripes(4))));
        Assert.Contains("'Pixels'", schemaError.Message);
    }

    [Fact]
    public void WrongColumnTypeSaysWhatIsAccepted()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new TextRow { Pixels = "x" } });
        Assert.Contains("takes a Vector<Single>", FitError(data));
        Assert.Contains("Vector<Single>", Assert.ThrowsAny<ArgumentException>(() =>
            _ml.Transforms.SynCoPretrain().GetOutputSchema(Shapes.Of(data))).Message);
    }

    [Fact]
    public void VectorWithoutImageDimensionsNamesVectorType()
    {
        var data = _ml.Data.LoadFromEnumerable(Enumerable.Range(0, 32).Select(_ => new FlatRow { Pixels = new float[256] }));
        Assert.Contains("[VectorType(c, h, w)]", FitError(data));
    }

    [Fact]
    public void EmptyDataAndTooFewRowsAreExplained()
    {
        Assert.Contains("no rows", FitError(_ml.Data.LoadFromEnumerable(new List<TinyImages.PixelRow>())));
        Assert.Contains("lower BatchSize", FitError(Stripes(8)));
    }

    [Fact]
    public void ZeroToOneScaledPixelsAreRejected() =>
        Assert.Contains("without scaleImage", FitError(Stripes(32, v => v / 255f)));

    [Fact]
    public void NonFinitePixelsFailOrAreSkippedAndReported()
    {
        var rows = TinyImages.Stripes(40, seed: 5);
        rows[3].Pixels[7] = float.NaN;
        var data = _ml.Data.LoadFromEnumerable(rows);
        string m = FitError(data);
        Assert.Contains("Row 3", m);
        Assert.Contains("InvalidImageHandling.Skip", m);

        var o = TinyImages.Options(epochs: 1);
        o.InvalidImages = InvalidImageHandling.Skip;
        using var model = _ml.Transforms.SynCoPretrain(o).Fit(data);
        Assert.Equal(new long[] { 3 }, model.SkippedRows);
    }

    [Theory]
    [InlineData("Epochs", "Epochs must be a positive integer")]
    [InlineData("BatchSize", "BatchSize must be a positive integer")]
    [InlineData("QueueSize", "QueueSize must be a positive integer")]
    [InlineData("Temperature", "Temperature must be a finite number greater than 0")]
    [InlineData("Device", "Legal values")]
    [InlineData("SameColumns", "give the embedding column its own name")]
    [InlineData("QueueSmallerThanBatch", "raise QueueSize or lower BatchSize")]
    [InlineData("CpuWidth", "training on the CPU needs multiples of 16")]
    public void InvalidOptionsAreRejectedWhenTheEstimatorIsCreated(string option, string expected)
    {
        var o = TinyImages.Options();
        switch (option)
        {
            case "Epochs": o.Epochs = 0; break;
            case "BatchSize": o.BatchSize = -1; break;
            case "QueueSize": o.MoCo.QueueSize = 0; break;
            case "Temperature": o.MoCo.Temperature = 0; break;
            case "Device": o.Run.Device = "tpu"; break;
            case "SameColumns": o.OutputColumnName = o.InputColumnName; break;
            case "QueueSmallerThanBatch": o.MoCo.QueueSize = 8; o.Negatives = SynCo.ML.Negatives.NegativeOptions.None(); break;
            case "CpuWidth": o.Backbone.WidthMultiplier = 0.125; break;
        }
        var e = Assert.ThrowsAny<ArgumentException>(() => _ml.Transforms.SynCoPretrain(o));
        Assert.Contains(expected, e.Message);
    }

    [SkippableFact]
    public void CudaRequestedWithoutCudaNamesTheBuildSwitch()
    {
        Skip.If(TorchSharp.torch.cuda.is_available(), "a CUDA device is available, so requesting \"cuda\" is valid and there is no error to check");
        var o = TinyImages.Options();
        o.Run.Device = "cuda";
        var estimator = _ml.Transforms.SynCoPretrain(o); // validation parses the device without loading libtorch; Fit resolves it
        var data = _ml.Data.LoadFromEnumerable(TinyImages.Stripes(32, seed: 1));
        Assert.Contains("SynCoTorchCuda", Assert.ThrowsAny<ArgumentException>(() => estimator.Fit(data)).Message);
    }
}
