namespace SynCo.ML.Data;

/// <summary>
/// Images held in memory as one compact uint8 array of N·C·H·W bytes (planar per image, images one after another).
/// </summary>
/// <remarks>
/// A quarter of the memory of float storage: 60 000 Fashion-MNIST images take 47 MB, 50 000 CIFAR-10 images 154 MB.
/// Reads are plain copies and thread-safe. The whole dataset must fit in one .NET array (about 2 GB).
/// </remarks>
public sealed class InMemoryImageDataset : IImageDataset
{
    private readonly byte[] _pixels;
    private readonly int _imageSize;

    private InMemoryImageDataset(byte[] pixels, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        _imageSize = ImageDatasetChecks.CheckShape(channels, height, width);
        if (pixels.Length % _imageSize != 0)
            throw new ArgumentException(
                $"The pixel array has {pixels.Length} bytes, which is not a whole number of {channels}×{height}×{width} = {_imageSize}-byte images.",
                nameof(pixels));
        _pixels = pixels;
        Channels = channels;
        Height = height;
        Width = width;
        Count = pixels.Length / _imageSize;
    }

    /// <summary>Creates a dataset from a copy of uint8 pixels (N·C·H·W bytes, planar per image, values 0–255).</summary>
    /// <param name="pixels">The images one after another; the length must be a multiple of C·H·W.</param>
    /// <param name="channels">Channels per image.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of C·H·W, or the shape is invalid.</exception>
    public InMemoryImageDataset(ReadOnlySpan<byte> pixels, int channels, int height, int width)
        : this(pixels.ToArray(), channels, height, width)
    {
    }

    /// <summary>
    /// Creates a dataset over <paramref name="pixels"/> without copying. The array must not be changed afterwards.
    /// </summary>
    /// <param name="pixels">N·C·H·W bytes, planar per image, values 0–255.</param>
    /// <param name="channels">Channels per image.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <returns>A dataset that shares the array.</returns>
    /// <exception cref="ArgumentException">The length is not a multiple of C·H·W, or the shape is invalid.</exception>
    public static InMemoryImageDataset Wrap(byte[] pixels, int channels, int height, int width) =>
        new(pixels, channels, height, width);

    /// <summary>
    /// Creates a dataset from float pixels on the 0–255 scale (for example ML.NET's <c>ExtractPixels</c> output with
    /// its default scale of 1): values are rounded to the nearest integer; values outside [−0.5, 255.5] are rejected,
    /// never clamped.
    /// </summary>
    /// <param name="pixels">N·C·H·W values, planar per image (ExtractPixels' default planar RGB layout).</param>
    /// <param name="channels">Channels per image.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentException">
    /// A value is NaN, infinite or outside [−0.5, 255.5], or all values lie in [0, 1] and some are fractional, which means the pixels were
    /// scaled to 0–1 (see <see cref="FromFloats(ReadOnlySpan{float}, int, int, int)"/> remarks); or the length is
    /// not a multiple of C·H·W.
    /// </exception>
    /// <remarks>
    /// Pixels scaled to [0, 1] would silently become an almost black dataset, so they are rejected: extract pixels
    /// without <c>scaleImage</c> (scale 1, values 0–255), or multiply by 255 first. A dataset whose every value is
    /// in [0, 1] with fractions is treated as 0–1 scaled even if it was meant as very dark 0–255 images.
    /// </remarks>
    public static InMemoryImageDataset FromFloats(ReadOnlySpan<float> pixels, int channels, int height, int width)
    {
        var bytes = new byte[pixels.Length];
        var convert = new PixelBytes();
        if (convert.Convert(pixels, bytes) is { } problem)
            throw new ArgumentException($"Pixel values: {problem}.", nameof(pixels));
        ThrowIfUnitScaled(convert);
        return new InMemoryImageDataset(bytes, channels, height, width);
    }

    /// <summary>
    /// Creates a dataset from one float array per image on the 0–255 scale (for example the rows of an ML.NET
    /// <c>ExtractPixels</c> column read with <c>GetColumn&lt;float[]&gt;</c>); see
    /// <see cref="FromFloats(ReadOnlySpan{float}, int, int, int)"/> for the value rules.
    /// </summary>
    /// <param name="images">Images, each of exactly C·H·W values, planar.</param>
    /// <param name="channels">Channels per image.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentException">An image has the wrong length, or the values are invalid or 0–1 scaled.</exception>
    public static InMemoryImageDataset FromFloats(IEnumerable<float[]> images, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(images);
        int size = ImageDatasetChecks.CheckShape(channels, height, width);
        var list = images as IReadOnlyCollection<float[]> ?? images.ToList();
        long total = (long)list.Count * size;
        if (total > Array.MaxLength)
            throw new ArgumentException($"{list.Count} images of {size} bytes do not fit in one .NET array; use a smaller subset or an on-demand dataset.", nameof(images));
        var bytes = new byte[total];
        var convert = new PixelBytes();
        int i = 0;
        foreach (float[] image in list)
        {
            if (image is null || image.Length != size)
                throw new ArgumentException(
                    $"Image {i} has {image?.Length.ToString() ?? "no"} values but {channels}×{height}×{width} = {size} are needed.", nameof(images));
            if (convert.Convert(image, bytes.AsSpan((int)((long)i * size), size)) is { } problem)
                throw new ArgumentException($"Image {i}: {problem}.", nameof(images));
            i++;
        }
        ThrowIfUnitScaled(convert);
        return new InMemoryImageDataset(bytes, channels, height, width);
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public int Channels { get; }

    /// <inheritdoc />
    public int Height { get; }

    /// <inheritdoc />
    public int Width { get; }

    /// <summary>All pixels, N·C·H·W bytes (read-only view, no copy).</summary>
    public ReadOnlyMemory<byte> Pixels => _pixels;

    /// <inheritdoc />
    public void ReadImage(int index, Span<byte> destination)
    {
        ImageDatasetChecks.CheckRead(index, Count, destination.Length, _imageSize);
        _pixels.AsSpan((int)((long)index * _imageSize), _imageSize).CopyTo(destination);
    }

    /// <summary>A new dataset with copies of the images at <paramref name="indices"/>, in that order.</summary>
    internal InMemoryImageDataset Select(IReadOnlyList<int> indices)
    {
        var bytes = new byte[(long)indices.Count * _imageSize];
        for (int i = 0; i < indices.Count; i++)
            ReadImage(indices[i], bytes.AsSpan(i * _imageSize, _imageSize));
        return new InMemoryImageDataset(bytes, Channels, Height, Width);
    }

    private static void ThrowIfUnitScaled(PixelBytes convert)
    {
        if (convert.UnitScaleProblem() is { } problem)
            throw new ArgumentException($"InMemoryImageDataset: {problem}.", "pixels");
    }
}
