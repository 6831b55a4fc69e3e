using SynCo.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Data;

public class BatchLoaderTests
{
    /// <summary>n images of 2×3×3 whose every byte is the image index (mod 256).</summary>
    private static InMemoryImageDataset Numbered(int n) =>
        new(Enumerable.Range(0, n).SelectMany(i => Enumerable.Repeat((byte)i, 18)).ToArray(), 2, 3, 3);

    private static List<int[]> Collect(BatchLoader loader, int epoch)
    {
        var batches = new List<int[]>();
        foreach (var batch in loader.GetBatches(epoch))
        {
            using (batch)
            {
                Assert.Equal(epoch, batch.Epoch);
                Assert.Equal(batches.Count, batch.Step);
                Assert.Equal(new long[] { batch.Indices.Count, 2, 3, 3 }, batch.Images.shape);
                Assert.Equal(ScalarType.Byte, batch.Images.dtype);
                // The tensor holds exactly the images named by Indices.
                byte[] content = batch.Images.data<byte>().ToArray();
                for (int i = 0; i < batch.Indices.Count; i++)
                    Assert.All(content.AsSpan(i * 18, 18).ToArray(), v => Assert.Equal((byte)batch.Indices[i], v));
                batches.Add(batch.Indices.ToArray());
            }
        }
        return batches;
    }

    [Fact]
    public void OrderDependsOnlyOnSeedAndEpoch()
    {
        var data = Numbered(40);
        var a = Collect(new BatchLoader(data, 8, seed: 5), epoch: 3);
        var b = Collect(new BatchLoader(data, 8, seed: 5, prefetchDepth: 1, readerThreads: 2), epoch: 3);
        Assert.Equal(a, b);
        Assert.NotEqual(a, Collect(new BatchLoader(data, 8, seed: 5), epoch: 4));
        Assert.NotEqual(a, Collect(new BatchLoader(data, 8, seed: 6), epoch: 3));
        Assert.Equal(Enumerable.Range(0, 40), a.SelectMany(x => x).OrderBy(x => x)); // each image once per epoch
        Assert.NotEqual(Enumerable.Range(0, 40), a.SelectMany(x => x));              // and shuffled
    }

    [Fact]
    public void ThePermutationIsPinnedSoResumedRunsMatchAcrossVersions()
    {
        // If this changes, runs resumed from a checkpoint would see a different order: change it only on purpose.
        var perms = new[] { (0L, 0L), (0L, 1L), (1L, 0L), (12345L, 7L) }.Select(p => string.Join(",", DeterministicShuffle.Permutation(10, p.Item1, p.Item2)));
        Assert.Equal("8,6,4,2,0,7,9,1,5,3 | 9,3,8,2,6,1,7,0,4,5 | 9,2,4,3,1,5,0,6,8,7 | 1,3,2,4,5,9,6,0,7,8", string.Join(" | ", perms));
    }

    [Fact]
    public void DropLastLeavesOutTheIncompleteBatch()
    {
        var data = Numbered(10);
        var dropping = new BatchLoader(data, 4);
        Assert.True(dropping.DropLast);
        Assert.Equal(2, dropping.StepsPerEpoch);
        Assert.Equal(new[] { 4, 4 }, Collect(dropping, 0).Select(b => b.Length));

        var keeping = new BatchLoader(data, 4, dropLast: false);
        Assert.Equal(3, keeping.StepsPerEpoch);
        Assert.Equal(new[] { 4, 4, 2 }, Collect(keeping, 0).Select(b => b.Length));

        Assert.Equal(0, new BatchLoader(data, 16).StepsPerEpoch);
        Assert.Empty(Collect(new BatchLoader(data, 16), 0));

        var ordered = new BatchLoader(data, 4, dropLast: false, shuffle: false);
        Assert.Equal(Enumerable.Range(0, 10), Collect(ordered, 7).SelectMany(x => x));
    }

    [Fact]
    public void AResumedRunsNewLoaderYieldsTheSameBatchesForItsFirstEpoch()
    {
        // Pretrainer resumes at an epoch boundary with a new loader: the epoch must not depend on the epochs before it.
        var straight = new BatchLoader(Numbered(30), 5, seed: 1);
        Collect(straight, 0);
        Collect(straight, 1);
        var expected = Collect(straight, 2);
        var resumed = Collect(new BatchLoader(Numbered(30), 5, seed: 1), 2);
        Assert.Equal(expected, resumed);
        // The batches are GetOrder's permutation cut into consecutive runs of BatchSize.
        Assert.Equal(straight.GetOrder(2).Chunk(5), resumed);
    }

    [Fact]
    public void CancellationStopsTheEnumeration()
    {
        var loader = new BatchLoader(Numbered(40), 4);
        using var cts = new CancellationTokenSource();
        int seen = 0;
        var e = Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.GetBatches(0, cancellationToken: cts.Token))
            {
                batch.Dispose();
                seen++;
                cts.Cancel();
            }
        });
        Assert.Equal(1, seen);
        Assert.Equal(cts.Token, e.CancellationToken);

        Assert.ThrowsAny<OperationCanceledException>(() => loader.GetBatches(0, cancellationToken: cts.Token).First());
    }

    [Fact]
    public void BreakingOutEarlyStopsTheReader()
    {
        var data = new SlowDataset(Numbered(400));
        var loader = new BatchLoader(data, 4, prefetchDepth: 2);
        foreach (var batch in loader.GetBatches(0))
        {
            batch.Dispose();
            break;
        }
        int readsAfterBreak = data.Reads;
        Thread.Sleep(50);
        Assert.Equal(readsAfterBreak, data.Reads);
        Assert.True(readsAfterBreak <= 4 * (1 + 2 + 2), $"read ahead too far: {readsAfterBreak}");
    }

    [Fact]
    public void DatasetErrorsSurfaceInTheCaller()
    {
        var loader = new BatchLoader(new FailingDataset(Numbered(20), failAt: 13), 4, shuffle: false);
        var seen = new List<int>();
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var batch in loader.GetBatches(0))
                using (batch) seen.Add(batch.Step);
        });
        Assert.Contains("image 13", e.Message);
        Assert.Equal(new[] { 0, 1, 2 }, seen);

        var parallel = new BatchLoader(new FailingDataset(Numbered(20), failAt: 13), 4, shuffle: false, readerThreads: 2);
        Assert.Throws<InvalidDataException>(() => parallel.GetBatches(0).ToList().ForEach(b => b.Dispose()));
    }

    [Fact]
    public void BatchTensorsAreIndependentOfReusedBuffers()
    {
        var loader = new BatchLoader(Numbered(64), 4, prefetchDepth: 1);
        var kept = loader.GetBatches(0).ToList(); // more batches than buffers
        for (int i = 0; i < kept.Count; i++)
        {
            byte expected = (byte)kept[i].Indices[0];
            Assert.Equal(expected, kept[i].Images[0, 0, 0, 0].item<byte>());
            kept[i].Dispose();
        }
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(Numbered(4), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(Numbered(4), 2, prefetchDepth: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(Numbered(4), 2, readerThreads: 0));
        Assert.Throws<ArgumentNullException>(() => new BatchLoader(null!, 2));
    }

    private sealed class SlowDataset(IImageDataset inner) : IImageDataset
    {
        private int _reads;
        public int Reads => Volatile.Read(ref _reads);
        public int Count => inner.Count;
        public int Channels => inner.Channels;
        public int Height => inner.Height;
        public int Width => inner.Width;
        public void ReadImage(int index, Span<byte> destination)
        {
            Thread.Sleep(1);
            inner.ReadImage(index, destination);
            Interlocked.Increment(ref _reads);
        }
    }

    private sealed class FailingDataset(IImageDataset inner, int failAt) : IImageDataset
    {
        public int Count => inner.Count;
        public int Channels => inner.Channels;
        public int Height => inner.Height;
        public int Width => inner.Width;
        public void ReadImage(int index, Span<byte> destination)
        {
            if (index == failAt) throw new InvalidDataException($"cannot read image {index}");
            inner.ReadImage(index, destination);
        }
    }
}
