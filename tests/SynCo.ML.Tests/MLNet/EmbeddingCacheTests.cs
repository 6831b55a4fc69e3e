using Microsoft.ML;
using Microsoft.ML.Data;
using SynCo.ML.Negatives;

namespace SynCo.ML.Tests.MLNet;

/// <summary>
/// <see cref="SynCoTransformer.Transform"/> featurizes each row of a view once, however many passes a downstream trainer
/// makes, and its cached embeddings equal the row-by-row ML.NET chain's.
/// </summary>
[Collection(nameof(PixelReadCounter))]
public class EmbeddingCacheTests
{
    /// <summary>A pixel row whose <see cref="Pixels"/> getter counts reads: ML.NET calls it each time a cursor reads the column.</summary>
    private sealed class CountedRow
    {
        private float[] _pixels = Array.Empty<float>();

        [VectorType(1, TinyImages.Side, TinyImages.Side)]
        public float[] Pixels
        {
            get { Interlocked.Increment(ref PixelReadCounter.Reads); return _pixels; }
            set => _pixels = value;
        }

        public uint Label { get; set; }
    }

    private static IDataView Rows(MLContext ml, int count, int seed) =>
        ml.Data.LoadFromEnumerable(TinyImages.Stripes(count, seed).Select(r => new CountedRow { Pixels = r.Pixels, Label = r.Label }).ToList());

    private static SynCoTransformer Fit(MLContext ml, int cacheMegabytes)
    {
        var options = TinyImages.Options(epochs: 1);
        options.EmbeddingCacheMegabytes = cacheMegabytes;
        return ml.Transforms.SynCoPretrain(options).Fit(Rows(ml, 64, seed: 1));
    }

    private static long ReadsWhile(Action work)
    {
        long before = Interlocked.Read(ref PixelReadCounter.Reads);
        work();
        return Interlocked.Read(ref PixelReadCounter.Reads) - before;
    }

    private static IEstimator<ITransformer> Downstream(MLContext ml) =>
        ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("LabelKey", "Features", maximumNumberOfIterations: 20));

    [Fact]
    public void AnIterativeTrainerRunsTheBackboneOncePerRowNotOncePerPass()
    {
        const int rows = 200;
        var ml = new MLContext(seed: 1);
        using var cached = Fit(ml, cacheMegabytes: 64);
        using var uncached = Fit(ml, cacheMegabytes: 0);
        var train = Rows(ml, rows, seed: 2);

        long cachedReads = ReadsWhile(() => Downstream(ml).Fit(cached.Transform(train)));
        long uncachedReads = ReadsWhile(() => Downstream(ml).Fit(uncached.Transform(train)));

        Assert.Equal(rows, cached.FeaturizedRows);          // one batched pass over the view
        Assert.Equal(rows, cachedReads);                     // ... and no row-by-row ONNX run besides it
        Assert.Equal(0, uncached.FeaturizedRows);
        Assert.True(uncachedReads >= 3 * rows, $"without the cache the trainer's passes read the pixels {uncachedReads} times for {rows} rows");

        // The same view transformed again reuses its embeddings; a new view is featurized once more.
        Downstream(ml).Fit(cached.Transform(train));
        Assert.Equal(rows, cached.FeaturizedRows);
        Downstream(ml).Fit(cached.Transform(Rows(ml, 50, seed: 3)));
        Assert.Equal(rows + 50, cached.FeaturizedRows);
    }

    [Fact]
    public void CachedEmbeddingsEqualTheRowByRowChainAndOtherColumnsPassThrough()
    {
        var ml = new MLContext(seed: 1);
        using var model = Fit(ml, cacheMegabytes: 64);
        var data = Rows(ml, 96, seed: 4);
        var view = model.Transform(data);

        float[][] cached = view.GetColumn<float[]>("Features").ToArray();
        float[][] rowByRow = RowByRow(ml, model, data);
        Assert.Equal(rowByRow.Length, cached.Length);
        float worst = cached.Zip(rowByRow).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
        Assert.True(worst == 0, $"cached embeddings differ from ML.NET's row-by-row chain by up to {worst}");
        Assert.Equal(data.GetColumn<uint>("Label").ToArray(), view.GetColumn<uint>("Label").ToArray());
        Assert.Equal(96, model.FeaturizedRows);
    }

    [Fact]
    public void EmbeddingsBeyondTheMemoryBoundFallBackToTheChain()
    {
        var ml = new MLContext(seed: 1);
        var options = TinyImages.Options(epochs: 1);
        options.EmbeddingCacheMegabytes = 1;   // 1 MB = 2,048 rows of 128 floats
        var log = new List<string>();
        options.Run.Log = log.Add;
        using var model = ml.Transforms.SynCoPretrain(options).Fit(Rows(ml, 64, seed: 1));
        var big = Rows(ml, 2_100, seed: 5);
        Assert.Equal(2_100, model.Transform(big).GetColumn<float[]>("Features").Count());
        Assert.Equal(0, model.FeaturizedRows);
        Assert.Contains(log, m => m.Contains("exceed the bound of 1 MB"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SynCoPretrain(new SynCoOptions { EmbeddingCacheMegabytes = -1 }));
    }

    /// <summary>The embeddings of ML.NET's own chain, as <c>mlContext.Model.Load</c> gives it back.</summary>
    private static float[][] RowByRow(MLContext ml, ITransformer model, IDataView data)
    {
        string path = Path.Combine(Path.GetTempPath(), $"synco-cache-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var loaded = ml.Model.Load(path, out _);
            try { return loaded.Transform(data).GetColumn<float[]>("Features").ToArray(); }
            finally { (loaded as IDisposable)?.Dispose(); }
        }
        finally { File.Delete(path); }
    }
}

/// <summary>The pixel-read counter the cache tests share; they run one at a time so the counts are their own.</summary>
[CollectionDefinition(nameof(PixelReadCounter), DisableParallelization = true)]
public sealed class PixelReadCounter
{
    internal static long Reads;
}
