namespace SynCo.ML.Data;

/// <summary>A contiguous run of another dataset's images, without copying: image i here is image <see cref="Start"/> + i there.</summary>
/// <remarks>Thread-safe when the underlying dataset is.</remarks>
public sealed class ImageDatasetSlice : IImageDataset
{
    private readonly IImageDataset _source;

    /// <summary>Images <paramref name="range"/> of <paramref name="source"/>.</summary>
    /// <param name="source">The whole dataset.</param>
    /// <param name="range">A range within [0, <paramref name="source"/>.Count], e.g. from <see cref="Featurization.ShardSpec.Range"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the dataset.</exception>
    public ImageDatasetSlice(IImageDataset source, Range range)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        try
        {
            (Start, Count) = range.GetOffsetAndLength(source.Count);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new ArgumentOutOfRangeException(nameof(range), range, $"The range must lie within the dataset's {source.Count} images.");
        }
    }

    /// <summary>Index in the source of this slice's first image.</summary>
    public int Start { get; }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public int Channels => _source.Channels;

    /// <inheritdoc />
    public int Height => _source.Height;

    /// <inheritdoc />
    public int Width => _source.Width;

    /// <inheritdoc />
    public void ReadImage(int index, Span<byte> destination)
    {
        ImageDatasetChecks.CheckRead(index, Count, destination.Length, Channels * Height * Width);
        _source.ReadImage(Start + index, destination);
    }
}
