using Microsoft.ML.Data;
using Microsoft.ML;
using SynCo.ML.Featurization;
using SynCo.ML.Onnx;
using SynCo.ML.Tests.MLNet;
using SynCo.ML.Tests.Onnx;
using TorchSharp;
using Xunit.Abstractions;

namespace SynCo.ML.Tests.Featurization;

public class OnnxFeaturizerTests : IClassFixture<FittedStripesModel>
{
    private readonly FittedStripesModel _f;
    private readonly ITestOutputHelper _output;

    public OnnxFeaturizerTests(FittedStripesModel fixture, ITestOutputHelper output) => (_f, _output) = (fixture, output);

    private static double MaxDiff(float[][] a, float[][] b) =>
        OnnxTestSupport.MaxAbsDiff(a.SelectMany(x => x).ToArray(), b.SelectMany(x => x).ToArray());

    [Fact]
    public void BatchedFeaturesEqualMLNetTransformAndTheTorchSharpEvalForward()
    {
        // Batch 16 over 40 images: two full batches and a smaller last one.
        var ours = _f.Model.Featurize(_f.Images, new OnnxFeaturizerOptions { Device = "cpu", BatchSize = 16 });
        var mlnet = _f.Model.Transform(_f.Data).GetColumn<float[]>("Features").ToArray();
        Assert.Equal(40, ours.Length);
        Assert.All(ours, r => Assert.Equal(_f.Model.EmbeddingSize, r.Length));
        double vsMlnet = MaxDiff(ours, mlnet);

        using var scope = torch.NewDisposeScope();
        using var backbone = _f.Model.CreateBackbone();
        var augmentation = _f.Options.ResolveAugmentation(1, TinyImages.Side, TinyImages.Side);
        var spec = new OnnxExportSpec(1, TinyImages.Side, TinyImages.Side) { Mean = augmentation.Normalization!.Mean, Std = augmentation.Normalization.Std };
        var raw = torch.tensor(_f.Rows.SelectMany(r => r.Pixels).ToArray(), new long[] { 40, 1, TinyImages.Side, TinyImages.Side });
        float[] torchRef = OnnxTestSupport.Reference(backbone, null, spec, raw);
        double vsTorch = OnnxTestSupport.MaxAbsDiff(ours.SelectMany(x => x).ToArray(), torchRef);
        _output.WriteLine($"max |featurizer - ML.NET| = {vsMlnet:E2}, max |featurizer - TorchSharp eval| = {vsTorch:E2}");
        Assert.True(vsMlnet < 1e-4, $"featurizer vs ML.NET Transform: {vsMlnet}");
        Assert.True(vsTorch < 1e-4, $"featurizer vs TorchSharp: {vsTorch}");
        Assert.True(ours.Select(r => r.Sum()).Distinct().Count() > 30, "features must differ between images");
    }

    [Fact]
    public void BatchSizeDoesNotChangeResultsAndProgressCountsEveryImage()
    {
        var reports = new List<FeaturizeProgress>();
        var small = _f.Model.Featurize(_f.Images, new OnnxFeaturizerOptions { Device = "cpu", BatchSize = 7 }, new Recorder(reports));
        var one = _f.Model.Featurize(_f.Images, new OnnxFeaturizerOptions { Device = "cpu", BatchSize = 256 });
        Assert.True(MaxDiff(small, one) < 1e-5);
        Assert.Equal(new long[] { 7, 14, 21, 28, 35, 40 }, reports.Select(r => r.ImagesDone));
        Assert.All(reports, r => Assert.Equal(40, r.TotalImages));
        Assert.All(reports, r => Assert.True(r.ImagesPerSecond > 0));
    }

    [Fact]
    public void DataViewColumnIsFeaturizedThroughACursorInBatches()
    {
        var reports = new List<FeaturizeProgress>();
        var fromView = _f.Model.Featurize(_f.Data, new OnnxFeaturizerOptions { Device = "cpu", BatchSize = 16 }, new Recorder(reports));
        var fromDataset = _f.Model.Featurize(_f.Images, new OnnxFeaturizerOptions { Device = "cpu" });
        Assert.True(MaxDiff(fromView, fromDataset) < 1e-5);
        Assert.Equal(new long[] { 16, 32, 40 }, reports.Select(r => r.ImagesDone));
    }

    [Fact]
    public void MismatchedImageShapeNamesBothShapes()
    {
        var wrong = new SynCo.ML.Data.InMemoryImageDataset(new byte[3 * 8 * 8], 3, 8, 8);
        var e = Assert.Throws<ArgumentException>(() => _f.Model.Featurize(wrong, new OnnxFeaturizerOptions { Device = "cpu" }));
        Assert.Contains("(3, 8, 8)", e.Message);
        Assert.Contains($"(1, {TinyImages.Side}, {TinyImages.Side})", e.Message);
    }

    [Fact]
    public void CancellationStopsBetweenBatches()
    {
        using var cts = new CancellationTokenSource();
        var reports = new List<FeaturizeProgress>();
        var progress = new Recorder(reports, after: _ => cts.Cancel());
        Assert.ThrowsAny<OperationCanceledException>(() =>
            _f.Model.Featurize(_f.Images, new OnnxFeaturizerOptions { Device = "cpu", BatchSize = 8 }, progress, cts.Token));
        Assert.Single(reports);
    }

    [Fact]
    public void FeaturizerReadsShapesFromTheModelFileAndValidatesOptions()
    {
        string path = Path.Combine(Path.GetTempPath(), $"synco-{Guid.NewGuid():N}.onnx");
        try
        {
            _f.Model.ExportOnnx(path);
            using var featurizer = new OnnxFeaturizer(path, new OnnxFeaturizerOptions { Device = "cpu", IntraOpThreads = 1 });
            Assert.Equal((1, TinyImages.Side, TinyImages.Side, _f.Model.EmbeddingSize),
                (featurizer.Channels, featurizer.Height, featurizer.Width, featurizer.OutputDim));
            Assert.Equal("Pixels", featurizer.InputName);
            Assert.Equal("CPUExecutionProvider", featurizer.ExecutionProvider);
            Assert.Equal("device cpu: as requested", featurizer.DeviceReason);
        }
        finally { File.Delete(path); }
        Assert.Contains("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxFeaturizerOptions { BatchSize = 0 }.Validate()).Message);
        Assert.Contains("\"cuda:N\"", Assert.Throws<ArgumentException>(() => new OnnxFeaturizerOptions { Device = "gpu" }.Validate()).Message);
    }

    /// <summary>A synchronous IProgress (Progress&lt;T&gt; posts to the thread pool, which would make counts racy).</summary>
    private sealed class Recorder : IProgress<FeaturizeProgress>
    {
        private readonly List<FeaturizeProgress> _reports;
        private readonly Action<FeaturizeProgress>? _after;

        public Recorder(List<FeaturizeProgress> reports, Action<FeaturizeProgress>? after = null) => (_reports, _after) = (reports, after);

        public void Report(FeaturizeProgress value)
        {
            _reports.Add(value);
            _after?.Invoke(value);
        }
    }
}
