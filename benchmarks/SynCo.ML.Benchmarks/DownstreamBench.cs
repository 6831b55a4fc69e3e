using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using SynCo.ML.Featurization;
using SynCo.ML.Negatives;

namespace SynCo.ML.Benchmarks;

/// <summary>
/// Downstream ML.NET trainers on SynCo embeddings: the fit time of SDCA and L-BFGS maximum entropy through the
/// featurizer (in process, where <see cref="SynCoTransformer.Transform"/> caches the embeddings, and loaded from disk,
/// where ML.NET's <c>mlContext.Data.Cache</c> does) against the same trainers on precomputed feature vectors, and the
/// featurizer's <c>Transform</c> + <c>GetColumn</c> throughput against <see cref="OnnxFeaturizer"/>; all in one run,
/// alternated, medians compared.
/// </summary>
internal static class DownstreamBench
{
    private sealed class PixelRow
    {
        [VectorType(1, 28, 28)] public float[] Pixels { get; set; } = Array.Empty<float>();
        public uint Label { get; set; }
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
        public uint Label { get; set; }
    }

    /// <summary>Runs the benchmark on <paramref name="rows"/> generated 1×28×28 images of 10 classes.</summary>
    public static int Run(int rows, int repeats, int threads, bool uncached)
    {
        TorchSharp.torch.set_num_threads(threads);
        var ml = new MLContext(seed: 1);
        var images = Images(rows);
        var options = new SynCoOptions { Epochs = 1, BatchSize = 64, OnnxThreads = threads, MoCo = { QueueSize = 1024 }, Run = { Device = "cpu", Seed = 1, Threads = threads } };
        options.Backbone.WidthMultiplier = 0.25;
        options.Negatives = NegativeOptions.SynCo(1024);
        using var featurizer = ml.Transforms.SynCoPretrain(options).Fit(ml.Data.LoadFromEnumerable(images.Take(1024).ToList()));
        string zip = Path.Combine(Path.GetTempPath(), $"synco-downstream-{Guid.NewGuid():N}.zip");
        ml.Model.Save(featurizer, ml.Data.LoadFromEnumerable(images).Schema, zip);
        var loaded = ml.Model.Load(zip, out _);

        IDataView Fresh() => ml.Data.LoadFromEnumerable(images);   // a new view: its embedding cache starts empty
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featurizer.EmbeddingSize);
        var precomputed = ml.Data.LoadFromEnumerable(featurizer.Featurize(Fresh(), new OnnxFeaturizerOptions { Device = "cpu", IntraOpThreads = threads })
            .Zip(images, (f, r) => new FeatureRow { Features = f, Label = r.Label }).ToList(), schema);
        using var onnx = new OnnxFeaturizer(featurizer.GetOnnxModel(), new OnnxFeaturizerOptions { Device = "cpu", IntraOpThreads = threads });

        var trainers = new (string Name, Func<IEstimator<ITransformer>> Make)[]
        {
            ("SDCA maximum entropy", () => Downstream(ml).Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("LabelKey", "Features", maximumNumberOfIterations: 30))),
            ("L-BFGS maximum entropy", () => Downstream(ml).Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(
                new Microsoft.ML.Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options { LabelColumnName = "LabelKey", FeatureColumnName = "Features", MaximumNumberOfIterations = 100 }))),
        };
        var paths = new List<(string Name, Func<double> Measure)>();
        foreach (var (name, make) in trainers)
        {
            paths.Add(($"{name}: precomputed vectors", () => Time(() => make().Fit(precomputed))));
            paths.Add(($"{name}: through the featurizer", () => Time(() => make().Fit(featurizer.Transform(Fresh())))));
            paths.Add(($"{name}: loaded model + Data.Cache", () => Time(() => make().Fit(ml.Data.Cache(loaded.Transform(Fresh()))))));
            if (uncached) paths.Add(($"{name}: loaded model, no cache", () => Time(() => make().Fit(loaded.Transform(Fresh())))));
        }
        paths.Add(("Transform + GetColumn", () => Time(() => featurizer.Transform(Fresh()).GetColumn<float[]>("Features").Count())));
        paths.Add(("OnnxFeaturizer.Featurize", () => Time(() => onnx.Featurize(Fresh(), "Pixels"))));

        var times = paths.ToDictionary(p => p.Name, _ => new List<double>());
        for (int r = 0; r < repeats; r++)
            foreach (var (name, measure) in r % 2 == 0 ? paths : Enumerable.Reverse(paths))
                times[name].Add(measure());
        (loaded as IDisposable)?.Dispose();
        File.Delete(zip);

        double M(string name) => Bench.Median(times[name]);
        Console.WriteLine($"downstream trainers on {rows} rows 1x28x28, ResNet-18 x0.25 ({featurizer.EmbeddingSize}-d), {threads} threads, median of {repeats}:");
        foreach (var (name, _) in paths) Console.WriteLine($"  {name,-50} {M(name),8:F2} s");
        // The floor of any design is one featurization pass plus the trainer's own time: report against that too.
        double pass = M("OnnxFeaturizer.Featurize");
        foreach (var (name, _) in trainers)
        {
            Report($"{name}: featurizer ÷ (one ONNX pass + precomputed)", M($"{name}: through the featurizer") / (pass + M($"{name}: precomputed vectors")), "info", _ => true);
            Report($"{name}: loaded + Data.Cache ÷ (one ONNX pass + precomputed)", M($"{name}: loaded model + Data.Cache") / (pass + M($"{name}: precomputed vectors")), "info", _ => true);
            Report($"{name}: featurizer ÷ precomputed", M($"{name}: through the featurizer") / M($"{name}: precomputed vectors"), "<= 1.2", r => r <= 1.2);
            Report($"{name}: loaded + Data.Cache ÷ precomputed", M($"{name}: loaded model + Data.Cache") / M($"{name}: precomputed vectors"), "<= 1.2", r => r <= 1.2);
            if (uncached) Report($"{name}: loaded, no cache ÷ precomputed", M($"{name}: loaded model, no cache") / M($"{name}: precomputed vectors"), "info", _ => true);
        }
        Report("Transform + GetColumn ÷ OnnxFeaturizer (throughput)", M("OnnxFeaturizer.Featurize") / M("Transform + GetColumn"), ">= 0.9", r => r >= 0.9);
        return 0;
    }

    private static IEstimator<ITransformer> Downstream(MLContext ml) =>
        ml.Transforms.NormalizeMinMax("Features").Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"));

    /// <summary>Ten classes of blobs at class-specific positions with noise: learnable, so the trainers converge as on real data.</summary>
    private static List<PixelRow> Images(int count)
    {
        var rng = new Random(5);
        var rows = new List<PixelRow>(count);
        for (int n = 0; n < count; n++)
        {
            uint label = (uint)(n % 10);
            int cx = 6 + 4 * (int)(label % 5) + rng.Next(-2, 3), cy = label < 5 ? 9 : 19;
            var px = new float[28 * 28];
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                    px[y * 28 + x] = (float)Math.Clamp(230 * Math.Exp(-d2 / 18) + rng.Next(0, 40), 0, 255);
                }
            rows.Add(new PixelRow { Pixels = px, Label = label });
        }
        return rows;
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static void Report(string name, double ratio, string target, Func<double, bool> pass) =>
        Console.WriteLine($"  {name,-58} {ratio,7:F2}   target {target,-6} {(target == "info" ? "" : pass(ratio) ? "PASS" : "MISS")}");
}
