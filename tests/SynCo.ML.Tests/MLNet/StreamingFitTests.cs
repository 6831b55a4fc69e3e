using Microsoft.ML;
using Microsoft.ML.Data;
using SynCo.ML.Data;
using SynCo.ML.Tests.Data;

namespace SynCo.ML.Tests.MLNet;

/// <summary>
/// The estimator streams inputs over its in-memory bound: the same model as the in-memory path, bounded memory over a
/// lazily generated view, reproducible, resumable and cancellable.
/// </summary>
public class StreamingFitTests
{
    private static float[][] Embeddings(ITransformer model, IDataView data) => model.Transform(data).GetColumn<float[]>("Features").ToArray();

    private static SynCoOptions Streamed(SynCoOptions o, int bufferMegabytes = 1)
    {
        o.InMemoryLimitMegabytes = 0;
        o.StreamingBufferMegabytes = bufferMegabytes;
        return o;
    }

    [Fact]
    public void AStreamedFitIsReproducibleAndEqualsTheInMemoryFitOfTheSameRows()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TinyImages.Stripes(64, seed: 1));
        var logs = new List<string>[3];
        SynCoTransformer Fit(int i, bool stream)
        {
            var o = TinyImages.Options();
            var log = logs[i] = new List<string>();
            o.Run.Log = log.Add;
            return new MLContext(seed: 1).Transforms.SynCoPretrain(stream ? Streamed(o) : o).Fit(data);
        }
        using var memory = Fit(0, stream: false);
        using var streamed = Fit(1, stream: true);
        using var again = Fit(2, stream: true);
        Assert.Contains(logs[0], m => m.Contains("read once and kept in memory"));
        Assert.Contains(logs[1], m => m.Contains("over the in-memory limit of 0.0 MB (SynCoOptions.InMemoryLimitMegabytes): streamed"));
        Assert.Contains(logs[1], m => m.StartsWith("epoch 2 input: the steps waited", StringComparison.Ordinal));
        Assert.Null(memory.StreamedPeakBytes);
        Assert.Equal(64 * 256, streamed.StreamedPeakBytes);   // one window: the epoch's 64 images of 1×16×16

        var expected = Embeddings(memory, data);
        Assert.Equal(expected, Embeddings(streamed, data));   // bit for bit: the same order, the same bytes
        Assert.Equal(expected, Embeddings(again, data));
        Assert.Equal(memory.History.Select(h => h.Loss), streamed.History.Select(h => h.Loss));
    }

    /// <summary>Rows generated when ML.NET asks for them: nothing is held by the view, so what the fit holds is the fit's own.</summary>
    private sealed class LazyRows : IEnumerable<LazyRows.Row>
    {
        public const int Side = 16;
        private readonly int _count;
        private long _generated;

        public LazyRows(int count) => _count = count;

        /// <summary>Pixel vectors computed so far (each read of a row's pixels computes them anew).</summary>
        public long Generated => Interlocked.Read(ref _generated);

        public sealed class Row
        {
            private readonly LazyRows _owner;
            private readonly int _index;

            public Row(LazyRows owner, int index) => (_owner, _index) = (owner, index);

            [VectorType(1, Side, Side)]
            public float[] Pixels
            {
                get
                {
                    Interlocked.Increment(ref _owner._generated);
                    var rng = new Random(_index);
                    var px = new float[Side * Side];
                    bool horizontal = _index % 2 == 0;
                    int period = 3 + _index % 4;
                    for (int y = 0; y < Side; y++)
                        for (int x = 0; x < Side; x++)
                            px[y * Side + x] = ((horizontal ? y : x) % period < period / 2.0 ? 200 : 40) + rng.Next(-20, 21);
                    return px;
                }
            }
        }

        public IEnumerator<Row> GetEnumerator()
        {
            for (int i = 0; i < _count; i++) yield return new Row(this, i);
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Fact]
    public void MemoryHeldIsBoundedByTheStreamingBufferNotByTheRows()
    {
        // 6,144 rows of 1×16×16 are 1.5 MB as bytes (6 MB as the floats ML.NET hands over), over the 1 MB bound.
        const int rows = 6_144, batch = 64;
        var ml = new MLContext(seed: 2);
        var lazy = new LazyRows(rows);
        var data = ml.Data.LoadFromEnumerable(lazy);
        Assert.Null(data.GetRowCount());   // a lazy enumerable: the fit must count it by a pass, and cannot index it
        var o = TinyImages.Options(epochs: 1);
        (o.BatchSize, o.MoCo.QueueSize, o.Negatives) = (batch, 256, SynCo.ML.Negatives.NegativeOptions.None());
        o.InMemoryLimitMegabytes = 1;
        o.StreamingBufferMegabytes = 1;
        var log = new List<string>();
        o.Run.Log = log.Add;
        using var model = ml.Transforms.SynCoPretrain(o).Fit(data);

        Assert.Contains(log, m => m.Contains("input: 6144 rows of 1x16x16 pixels, 1.5 MB as bytes, over the in-memory limit of 1.0 MB") && m.Contains("windows of 2048 images"));
        long bound = 1 << 20;
        Assert.Equal(bound, model.StreamedPeakBytes);   // two windows of 2,048 images × 256 bytes, never more
        Assert.True((long)rows * 256 > bound);
        // Each pass computes only the rows it reads: every row once to check it, then the epoch's 96 batches once
        // (moving past the other rows in each of the three windows' passes computed nothing).
        Assert.Equal(rows + rows / batch * batch, lazy.Generated);
        Assert.Single(model.History);
    }

    [Fact]
    public void AResumedStreamedFitEqualsAnUninterruptedOne()
    {
        using var temp = new TempFolder();
        var rows = TinyImages.Stripes(64, seed: 3);
        SynCoTransformer? Fit(string dir, bool stopAfterFirstEpoch)
        {
            var ml = new MLContext(seed: 3);
            var o = Streamed(TinyImages.Options());
            o.Run.CheckpointDirectory = temp.File(dir);
            if (stopAfterFirstEpoch) o.Run.OnEpoch = e => throw new InvalidOperationException("stopped on purpose");
            return ml.Transforms.SynCoPretrain(o).Fit(ml.Data.LoadFromEnumerable(rows));
        }
        using var straight = Fit("straight", false)!;
        Assert.Equal("stopped on purpose", Assert.Throws<InvalidOperationException>(() => Fit("resumed", true)).Message);
        using var resumed = Fit("resumed", false)!;
        Assert.Equal(straight.History.Select(h => h.Loss), resumed.History.Select(h => h.Loss));
        var data = new MLContext().Data.LoadFromEnumerable(rows);
        Assert.Equal(Embeddings(straight, data), Embeddings(resumed, data));
    }

    [Fact]
    public void CancellingAStreamedFitStopsItBetweenSteps()
    {
        var ml = new MLContext(seed: 4);
        using var cancel = new CancellationTokenSource();
        var o = Streamed(TinyImages.Options(epochs: 3));
        o.CancellationToken = cancel.Token;
        var steps = new List<int>();
        o.Run.OnProgress = p => { steps.Add(p.Step); if (steps.Count == 2) cancel.Cancel(); };
        var fit = ml.Transforms.SynCoPretrain(o);
        Assert.ThrowsAny<OperationCanceledException>(() => fit.Fit(ml.Data.LoadFromEnumerable(TinyImages.Stripes(64, seed: 4))));
        Assert.Equal(new[] { 1, 2 }, steps);
    }

    [Fact]
    public void TheDefaultBoundsFollowWhatTheRuntimeMayUse()
    {
        var (bytes, source) = FitInput.Limit(new SynCoOptions());
        Assert.Equal((long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.25), bytes);
        Assert.Contains("a quarter of the", source);
        Assert.Equal(5L << 20, FitInput.Limit(new SynCoOptions { InMemoryLimitMegabytes = 5 }).Bytes);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        Assert.Equal(Math.Clamp(available / 16, 16L << 20, 1L << 30), FitInput.Buffer(new SynCoOptions()).Bytes);
        Assert.Equal(3L << 20, FitInput.Buffer(new SynCoOptions { StreamingBufferMegabytes = 3 }).Bytes);
        Assert.Contains("StreamingBufferMegabytes must be a positive integer",
            Assert.ThrowsAny<ArgumentException>(() => new MLContext().Transforms.SynCoPretrain(new SynCoOptions { StreamingBufferMegabytes = 0 })).Message);
        Assert.Contains("InMemoryLimitMegabytes must be zero or positive",
            Assert.ThrowsAny<ArgumentException>(() => new MLContext().Transforms.SynCoPretrain(new SynCoOptions { InMemoryLimitMegabytes = -1 })).Message);
    }
}
