using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using SynCo.ML.Augmentation;
using SynCo.ML.Data;
using SynCo.ML.Evaluation;
using SynCo.ML.Featurization;
using SynCo.ML.Model;
using SynCo.ML.Onnx;
using TorchSharp;

namespace SynCo.ML.Benchmarks;

/// <summary>
/// Bulk featurization throughput on one model and one image set, measured in one run with the three paths
/// alternated: batched ONNX Runtime (<see cref="OnnxFeaturizer"/>), ML.NET's row-by-row <c>ApplyOnnxModel</c>, and the
/// TorchSharp eval forward. Prints the two ratios the README records (target ≥ 1 each).
/// </summary>
internal static class FeaturizeBench
{
    /// <summary>Runs the benchmark; the arguments are the <c>featurize</c> options (see <see cref="FeaturizeBenchOptions"/>).</summary>
    public static int Run(int images, int size, int channels, double width, int threads, int batch, int repeats)
    {
        torch.set_num_threads(threads);
        var backbone = new BackboneOptions { WidthMultiplier = width, InputChannels = channels };
        using var encoder = new ContrastiveEncoder(backbone, size, size);
        using (var g = new torch.Generator(1)) WeightInitializer.Apply(encoder, g);
        encoder.eval();
        var normalise = AugmentationOptions.SmallImages(size, size, channels);
        var spec = new OnnxExportSpec(channels, size, size) { Mean = normalise.Normalization!.Mean, Std = normalise.Normalization.Std };
        byte[] onnx = BackboneOnnxExporter.ExportToBytes(encoder, spec);
        string modelPath = Path.Combine(Path.GetTempPath(), $"synco-bench-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(modelPath, onnx);

        var pixels = new byte[(long)images * channels * size * size];
        new Random(3).NextBytes(pixels);
        var data = InMemoryImageDataset.Wrap(pixels, channels, size, size);
        var ml = new MLContext(1);
        var schema = SchemaDefinition.Create(typeof(PixelRow));
        schema[nameof(PixelRow.Input)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, channels, size, size);
        schema[nameof(PixelRow.Input)].ColumnName = spec.InputName;
        var view = ml.Data.LoadFromEnumerable(Enumerable.Range(0, images).Select(i => new PixelRow
        {
            Input = Array.ConvertAll(pixels[(i * channels * size * size)..((i + 1) * channels * size * size)], b => (float)b),
        }), schema);
        var mlnet = ml.Transforms.ApplyOnnxModel(new Microsoft.ML.Transforms.Onnx.OnnxOptions
        {
            ModelFile = modelPath, InputColumns = new[] { spec.InputName }, OutputColumns = new[] { spec.OutputName }, IntraOpNumThreads = threads,
        }).Fit(view);
        using var featurizer = new OnnxFeaturizer(onnx, new OnnxFeaturizerOptions { Device = "cpu", IntraOpThreads = threads, BatchSize = batch });

        float[][] ort = featurizer.Featurize(data), torchFeatures = EncoderFeatures.Extract(encoder, data, normalise, batch);
        float[][] rows = MlNetRows(ml, mlnet.Transform(view), spec.OutputName);
        Console.WriteLine($"same model: max |ORT − TorchSharp| = {MaxDiff(ort, torchFeatures):E1}, max |ORT − ML.NET| = {MaxDiff(ort, rows):E1}");

        var times = new Dictionary<string, List<double>> { ["ort"] = new(), ["mlnet"] = new(), ["torch"] = new() };
        for (int r = 0; r < repeats; r++)
        {
            times["ort"].Add(Time(() => featurizer.Featurize(data)));
            times["mlnet"].Add(Time(() => MlNetRows(ml, mlnet.Transform(view), spec.OutputName)));
            times["torch"].Add(Time(() => EncoderFeatures.Extract(encoder, data, normalise, batch)));
        }
        File.Delete(modelPath);
        double Rate(string k) => images / Bench.Median(times[k]);
        Console.WriteLine($"featurization, ResNet-18 width {width.ToString(CultureInfo.InvariantCulture)}, {images} images {channels}x{size}x{size}, " +
            $"{threads} threads, batch {batch}, median of {repeats}:");
        Console.WriteLine($"  batched ONNX Runtime   {Rate("ort"),8:F0} img/s");
        Console.WriteLine($"  ML.NET row-by-row      {Rate("mlnet"),8:F0} img/s");
        Console.WriteLine($"  TorchSharp eval        {Rate("torch"),8:F0} img/s");
        Report("batched ORT ÷ ML.NET row-by-row", Rate("ort") / Rate("mlnet"));
        Report("batched ORT ÷ TorchSharp eval", Rate("ort") / Rate("torch"));
        return 0;
    }

    private sealed class PixelRow
    {
        public float[] Input { get; set; } = Array.Empty<float>();
    }

    private static float[][] MlNetRows(MLContext ml, IDataView scored, string column)
    {
        var result = new List<float[]>();
        using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == column));
        var getter = cursor.GetGetter<VBuffer<float>>(scored.Schema[column]);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value.DenseValues().ToArray());
        }
        return result.ToArray();
    }

    private static double MaxDiff(float[][] a, float[][] b) =>
        a.Zip(b).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static void Report(string name, double ratio) =>
        Console.WriteLine($"  {name,-34} {ratio,6:F2}   target ≥ 1   {(ratio >= 1 ? "PASS" : "MISS")}");
}
