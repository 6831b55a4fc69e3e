using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace SynCo.ML.Data;

/// <summary>
/// Reads a <see cref="StreamedPixelDataset"/>'s sequence ahead in windows of <see cref="StreamedPixelDataset.WindowImages"/>
/// images: a background task fills one window while the caller reads the other (two buffers, reused), and each window is
/// filled by <see cref="StreamedPixelDataset.ReaderThreads"/> serial cursors, each making one forward pass over its part
/// of the window's rows in row order.
/// </summary>
internal sealed class WindowReader : ISequenceReader
{
    private const int Buffers = 2;
    private readonly StreamedPixelDataset _data;
    private readonly IReadOnlyList<int> _sequence;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _stop;
    private readonly BlockingCollection<Window> _ready = new(boundedCapacity: 1);
    private readonly BlockingCollection<byte[]> _free = new();
    private readonly Task _producer;
    private long _allocated;
    private Window? _current;
    private int _position;

    public WindowReader(StreamedPixelDataset data, IReadOnlyList<int> sequence, CancellationToken cancellationToken)
    {
        _data = data;
        _sequence = sequence;
        _caller = cancellationToken;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _producer = Task.Factory.StartNew(Produce, _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <inheritdoc/>
    public void Read(int index, Span<byte> destination)
    {
        int size = _data.ImageSize;
        ImageDatasetChecks.CheckRead(index, _data.Count, destination.Length, size);
        if (_current is null || _position == _current.Count)
        {
            if (_current?.Buffer is { } done) _free.Add(done);
            _current = Take();
            _current.Error?.Throw();
            _position = 0;
        }
        int expected = _sequence[_current.Start + _position];
        if (index != expected)
            throw new InvalidOperationException($"Image {index} was read out of sequence; image {expected} is next.");
        _current.Buffer.AsSpan(_position * size, size).CopyTo(destination);
        _position++;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _producer.Wait();
        }
        catch (AggregateException)
        {
            // The producer reports its own errors through the queue; cancellation is expected here.
        }
        _data.Hold(-_allocated);
        _ready.Dispose();
        _free.Dispose();
        _stop.Dispose();
    }

    private Window Take()
    {
        try
        {
            return _ready.Take(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            _caller.ThrowIfCancellationRequested();
            throw;
        }
    }

    private void Produce()
    {
        var stop = _stop.Token;
        int window = _data.WindowImages, buffers = 0;
        try
        {
            for (int start = 0; start < _sequence.Count; start += window)
            {
                int count = Math.Min(window, _sequence.Count - start);
                if (!_free.TryTake(out byte[]? buffer))
                {
                    if (buffers < Buffers)
                    {
                        buffer = new byte[(long)Math.Min(window, _sequence.Count) * _data.ImageSize];
                        buffers++;
                        _allocated += buffer.Length;
                        _data.Hold(buffer.Length);
                    }
                    else
                    {
                        buffer = _free.Take(stop);
                    }
                }
                Fill(buffer, start, count, stop);
                _ready.Add(new Window(buffer, start, count, null), stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The reader was disposed.
        }
        catch (Exception e)
        {
            try
            {
                _ready.Add(new Window(null, 0, 0, ExceptionDispatchInfo.Capture(e)), stop);
            }
            catch (OperationCanceledException)
            {
                // Disposed before it could see the error.
            }
        }
    }

    /// <summary>Reads the images at sequence positions [start, start + count) into their slots of <paramref name="buffer"/>.</summary>
    private void Fill(byte[] buffer, int start, int count, CancellationToken stop)
    {
        int size = _data.ImageSize;
        var wanted = new (long Row, int Slot)[count];
        for (int i = 0; i < count; i++) wanted[i] = (_data.Rows[_sequence[start + i]], i);
        Array.Sort(wanted);
        int parts = Math.Clamp(count / 64, 1, _data.ReaderThreads);
        try
        {
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts, CancellationToken = stop }, part =>
            {
                using var cursor = new PixelRowCursor(_data.Data, _data.Column, _data.PathColumn, size);
                for (int k = count * part / parts, end = count * (part + 1) / parts; k < end; k++)
                {
                    if ((k & 255) == 0) stop.ThrowIfCancellationRequested();
                    var (row, slot) = wanted[k];
                    if (!cursor.MoveTo(row))
                        throw new InvalidOperationException($"The input view ended after {cursor.Row + 1} rows while streaming row {row}; SynCoPretrain reads it once per epoch, so it must give the same rows each time.");
                    if (cursor.Read(buffer.AsSpan(slot * size, size)) is { } bad)
                        throw new InvalidOperationException($"{bad.Describe(_data.Column)}. It was read without error when the fit started, so the input changed during training; " +
                            "make the images stable while fitting (the in-memory path reads them once: raise SynCoOptions.InMemoryLimitMegabytes), then fit again (a checkpoint directory resumes).");
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private sealed record Window(byte[]? Buffer, int Start, int Count, ExceptionDispatchInfo? Error);
}
