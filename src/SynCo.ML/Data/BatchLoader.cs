using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SynCo.ML.Data;

/// <summary>
/// Yields shuffled uint8 image batches from an <see cref="IImageDataset"/>, reading ahead on a background task
/// while the caller trains.
/// </summary>
/// <remarks>
/// <para>
/// Order: each epoch visits the images in a permutation that depends only on the seed, the epoch number and the
/// dataset size (a fixed SplitMix64 + Fisher–Yates shuffle, the same on every platform), so a resumed run sees the
/// same batches in every epoch it trains.
/// </para>
/// <para>
/// Threads: a background task copies or decodes the next batches into managed byte buffers (up to
/// <see cref="PrefetchDepth"/> batches ahead, buffers reused); the tensor of each batch is created on the thread
/// that advances the enumerator, because TorchSharp dispose scopes are per thread. Stopping the enumeration early
/// (break, dispose, exception) stops the background task. A dataset that can only be read forward (an ML.NET view the
/// estimator streams) is given the epoch's whole sequence of reads at the start of the epoch and reads it ahead itself.
/// </para>
/// </remarks>
public sealed class BatchLoader
{
    private readonly IImageDataset _dataset;
    private readonly int _imageSize;
    private Featurization.ShardSpec _part = Featurization.ShardSpec.Whole;

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The images; read concurrently from the background task.</param>
    /// <param name="batchSize">Images per batch, positive.</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <param name="dropLast">
    /// True (the default, as MoCo) to leave out the last, incomplete batch of an epoch; false to yield it smaller.
    /// </param>
    /// <param name="shuffle">True (the default) for a seeded random order per epoch; false for dataset order.</param>
    /// <param name="prefetchDepth">How many batches to prepare ahead, at least 1. Default 2.</param>
    /// <param name="readerThreads">
    /// Threads that read images of one batch in parallel on the background side, at least 1. Default 1; raise it
    /// for datasets that decode files (<see cref="ImageFolderDataset"/>) when cores are free. A dataset read forward (the
    /// estimator's streamed input) uses its own reader threads instead.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range; the message says what is legal.</exception>
    public BatchLoader(IImageDataset dataset, int batchSize, long seed = 0, bool dropLast = true, bool shuffle = true,
        int prefetchDepth = 2, int readerThreads = 1)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be positive.");
        if (prefetchDepth < 1)
            throw new ArgumentOutOfRangeException(nameof(prefetchDepth), prefetchDepth, "prefetchDepth must be at least 1.");
        if (readerThreads < 1)
            throw new ArgumentOutOfRangeException(nameof(readerThreads), readerThreads, "readerThreads must be at least 1.");
        _dataset = dataset;
        _imageSize = dataset.Channels * dataset.Height * dataset.Width;
        if ((long)_imageSize * batchSize > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"A batch of {batchSize} images of {_imageSize} bytes does not fit in one .NET array; use a smaller batch.");
        BatchSize = batchSize;
        Seed = seed;
        DropLast = dropLast;
        Shuffle = shuffle;
        PrefetchDepth = prefetchDepth;
        ReaderThreads = readerThreads;
    }

    /// <summary>
    /// This loader restricted to one rank's <paramref name="part"/> in data-parallel training: every batch is that
    /// rank's contiguous slice (<see cref="Featurization.ShardSpec.Range"/>) of the global batch (same order, same steps), so the ranks together read
    /// every image of an epoch once and each decodes only its own.
    /// </summary>
    internal BatchLoader ForRank(Featurization.ShardSpec part)
    {
        if (BatchSize % part.Count != 0 || !DropLast)
            throw new ArgumentOutOfRangeException(nameof(part), $"Part {part} cannot split batches of {BatchSize} evenly (needs BatchSize % parts == 0 and DropLast).");
        var copy = (BatchLoader)MemberwiseClone();
        copy._part = part;
        return copy;
    }

    /// <summary>The dataset the batches come from.</summary>
    public IImageDataset Dataset => _dataset;

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Seed of the shuffle.</summary>
    public long Seed { get; }

    /// <summary>Whether the last incomplete batch of an epoch is left out.</summary>
    public bool DropLast { get; }

    /// <summary>Whether each epoch uses a seeded random order (false: dataset order).</summary>
    public bool Shuffle { get; }

    /// <summary>How many batches are prepared ahead.</summary>
    public int PrefetchDepth { get; }

    /// <summary>Threads reading the images of one batch.</summary>
    public int ReaderThreads { get; }

    /// <summary>
    /// Batches per epoch: ⌊N / B⌋ with <see cref="DropLast"/>, ⌈N / B⌉ without (0 when the dataset is smaller than
    /// one batch and DropLast is set).
    /// </summary>
    public int StepsPerEpoch => DropLast ? _dataset.Count / BatchSize : (int)(((long)_dataset.Count + BatchSize - 1) / BatchSize);

    /// <summary>The order in which <paramref name="epoch"/> visits the dataset (a permutation of 0…N−1).</summary>
    /// <param name="epoch">Epoch number (any value; usually counted from 0).</param>
    /// <returns>Dataset indices in visiting order; batch s holds entries s·B … s·B + B − 1.</returns>
    public int[] GetOrder(int epoch) =>
        Shuffle ? DeterministicShuffle.Permutation(_dataset.Count, Seed, epoch) : Enumerable.Range(0, _dataset.Count).ToArray();

    /// <summary>Enumerates the batches of one epoch.</summary>
    /// <param name="epoch">Epoch number; with the seed it fixes the order.</param>
    /// <param name="cancellationToken">Stops the enumeration with an <see cref="OperationCanceledException"/>.</param>
    /// <returns>
    /// The batches in order. Each <see cref="ImageBatch.Images"/> is a new uint8 CPU tensor (B, C, H, W) owned by the
    /// caller. Read errors from the dataset are rethrown from the enumerator.
    /// </returns>
    public IEnumerable<ImageBatch> GetBatches(int epoch, CancellationToken cancellationToken = default)
    {
        int steps = StepsPerEpoch;
        if (steps == 0)
            yield break;
        int[] order = GetOrder(epoch);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var ready = new BlockingCollection<Prepared>(PrefetchDepth);
        using var free = new BlockingCollection<byte[]>();
        Task producer = Task.Factory.StartNew(
            () => Produce(order, steps, ready, free, stop.Token),
            stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long waiting = Stopwatch.GetTimestamp();
                Prepared item = Take(ready, stop.Token, cancellationToken);
                var waited = Stopwatch.GetElapsedTime(waiting);
                item.Error?.Throw();
                Tensor images = ToTensor(item.Buffer!, item.Indices!.Length);
                free.Add(item.Buffer!);
                yield return new ImageBatch(images, epoch, step, item.Indices) { Waited = waited };
            }
        }
        finally
        {
            stop.Cancel();
            try
            {
                producer.Wait();
            }
            catch (AggregateException)
            {
                // The producer reports its own errors through the queue; cancellation is expected here.
            }
        }
    }

    private Tensor ToTensor(byte[] buffer, int count)
    {
        var images = torch.empty(new long[] { count, _dataset.Channels, _dataset.Height, _dataset.Width }, ScalarType.Byte);
        buffer.AsSpan(0, count * _imageSize).CopyTo(images.bytes);
        return images;
    }

    private static Prepared Take(BlockingCollection<Prepared> ready, CancellationToken stop, CancellationToken caller)
    {
        try
        {
            return ready.Take(stop);
        }
        catch (OperationCanceledException)
        {
            caller.ThrowIfCancellationRequested();
            throw;
        }
    }

    private void Produce(int[] order, int steps, BlockingCollection<Prepared> ready,
        BlockingCollection<byte[]> free, CancellationToken stop)
    {
        int allocated = 0;
        ISequenceReader? sequence = null;
        try
        {
            if (_dataset is ISequentialImageDataset sequential)
                sequence = sequential.ReadSequence(Enumerable.Range(0, steps).SelectMany(step => StepIndices(order, step)).ToArray(), stop);
            for (int step = 0; step < steps; step++)
            {
                stop.ThrowIfCancellationRequested();
                int[] indices = StepIndices(order, step);

                // PrefetchDepth buffers wait in the queue, one is being filled and one is being copied to a tensor.
                if (!free.TryTake(out byte[]? buffer))
                {
                    if (allocated < PrefetchDepth + 2)
                    {
                        buffer = new byte[(long)BatchSize * _imageSize];
                        allocated++;
                    }
                    else
                    {
                        buffer = free.Take(stop);
                    }
                }
                Fill(buffer, indices, sequence, stop);
                ready.Add(new Prepared(buffer, indices, null), stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The consumer stopped.
        }
        catch (Exception e)
        {
            try
            {
                ready.Add(new Prepared(null, null, ExceptionDispatchInfo.Capture(e)), stop);
            }
            catch (OperationCanceledException)
            {
                // The consumer stopped before it could see the error.
            }
        }
        finally
        {
            sequence?.Dispose();
        }
    }

    /// <summary>The dataset indices of <paramref name="step"/>'s batch that this loader reads (this rank's slice of it in data-parallel training).</summary>
    private int[] StepIndices(int[] order, int step)
    {
        var (offset, local) = _part.Range(BatchSize).GetOffsetAndLength(BatchSize);
        int first = step * BatchSize + offset;
        int count = _part.Count == 1 ? Math.Min(BatchSize, order.Length - first) : local;
        return order.AsSpan(first, count).ToArray();
    }

    private void Fill(byte[] buffer, int[] indices, ISequenceReader? sequence, CancellationToken stop)
    {
        int size = _imageSize;
        if (sequence is not null || ReaderThreads == 1)
        {
            for (int i = 0; i < indices.Length; i++)
            {
                stop.ThrowIfCancellationRequested();
                var destination = buffer.AsSpan(i * size, size);
                if (sequence is not null) sequence.Read(indices[i], destination);
                else _dataset.ReadImage(indices[i], destination);
            }
            return;
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = ReaderThreads, CancellationToken = stop };
        try
        {
            Parallel.For(0, indices.Length, options, i => _dataset.ReadImage(indices[i], buffer.AsSpan(i * size, size)));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw(); // the dataset's own error, not a wrapper
        }
    }

    private sealed record Prepared(byte[]? Buffer, int[]? Indices, ExceptionDispatchInfo? Error);
}
