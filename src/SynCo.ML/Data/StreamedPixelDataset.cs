using Microsoft.ML;

namespace SynCo.ML.Data;

/// <summary>
/// The usable rows of an <see cref="IDataView"/> pixel column as a dataset that is not held in memory: every epoch reads
/// the view again through serial cursors (ML.NET computes the column, decoding image files, as they are read), in
/// windows of the epoch's order (<see cref="WindowReader"/>), holding at most <see cref="BufferBytes"/> of decoded images.
/// </summary>
/// <remarks>
/// The order is <see cref="BatchLoader"/>'s own seeded permutation, so a streamed run trains on exactly what an in-memory
/// run of the same rows trains on. A window of W images of that order is read by one forward pass over the view's rows
/// that computes only those W rows (moving past the others computes nothing), so an epoch makes ⌈N / W⌉ passes, with
/// W = <see cref="BufferBytes"/> / 2 / (C·H·W).
/// </remarks>
internal sealed class StreamedPixelDataset : ISequentialImageDataset
{
    private long _held, _peak;

    /// <summary>The rows <paramref name="validRows"/> of <paramref name="column"/> of <paramref name="data"/>.</summary>
    public StreamedPixelDataset(IDataView data, string column, string? pathColumn, int channels, int height, int width, int[] validRows,
        long bufferBytes, int readerThreads)
    {
        Data = data;
        Column = column;
        PathColumn = pathColumn;
        ImageSize = ImageDatasetChecks.CheckShape(channels, height, width);
        (Channels, Height, Width) = (channels, height, width);
        Rows = validRows;
        BufferBytes = bufferBytes;
        WindowImages = (int)Math.Clamp(bufferBytes / 2 / ImageSize, 1, Array.MaxLength / ImageSize);
        ReaderThreads = Math.Max(1, readerThreads);
    }

    /// <summary>The view read.</summary>
    public IDataView Data { get; }

    /// <summary>The pixel column.</summary>
    public string Column { get; }

    /// <summary>The text column naming each row's file in messages, or null.</summary>
    public string? PathColumn { get; }

    /// <summary>Row index in <see cref="Data"/> of each image of this dataset.</summary>
    public int[] Rows { get; }

    /// <summary>Bytes of one image.</summary>
    public int ImageSize { get; }

    /// <summary>The bound on the decoded images held at once, in bytes.</summary>
    public long BufferBytes { get; }

    /// <summary>Images per read-ahead window (two windows are held at most).</summary>
    public int WindowImages { get; }

    /// <summary>Serial cursors that read one window together.</summary>
    public int ReaderThreads { get; }

    /// <summary>The most bytes of decoded images held at once so far.</summary>
    public long PeakBytesHeld => Interlocked.Read(ref _peak);

    /// <inheritdoc/>
    public int Count => Rows.Length;

    /// <inheritdoc/>
    public int Channels { get; }

    /// <inheritdoc/>
    public int Height { get; }

    /// <inheritdoc/>
    public int Width { get; }

    /// <inheritdoc/>
    /// <remarks>A pass over the view up to the row: for occasional reads; training reads through <see cref="ReadSequence"/>.</remarks>
    public void ReadImage(int index, Span<byte> destination)
    {
        ImageDatasetChecks.CheckRead(index, Count, destination.Length, ImageSize);
        using var reader = ReadSequence(new[] { index }, CancellationToken.None);
        reader.Read(index, destination);
    }

    /// <inheritdoc/>
    public ISequenceReader ReadSequence(IReadOnlyList<int> sequence, CancellationToken cancellationToken) =>
        new WindowReader(this, sequence, cancellationToken);

    /// <summary>Counts <paramref name="bytes"/> of buffers allocated (positive) or released (negative).</summary>
    internal void Hold(long bytes)
    {
        long now = Interlocked.Add(ref _held, bytes), peak;
        while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak) { }
    }
}
