namespace SynCo.ML.Data;

/// <summary>
/// Grayscale images from IDX files (MNIST, Fashion-MNIST) held in memory, with optional labels.
/// </summary>
public sealed class IdxImageDataset : IImageDataset
{
    private readonly InMemoryImageDataset _images;
    private readonly int[]? _labels;

    private IdxImageDataset(InMemoryImageDataset images, int[]? labels)
    {
        if (labels is not null && labels.Length != images.Count)
            throw new InvalidDataException($"The label file has {labels.Length} labels but the image file has {images.Count} images.");
        _images = images;
        _labels = labels;
    }

    /// <summary>Reads an IDX image file and, optionally, its label file (each plain or gzipped).</summary>
    /// <param name="imagesPath">The image file (magic 0x00000803).</param>
    /// <param name="labelsPath">The label file (magic 0x00000801), or null for no labels.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or the counts differ.</exception>
    public static IdxImageDataset Load(string imagesPath, string? labelsPath = null)
    {
        var images = IdxImageReader.ReadImages(imagesPath);
        int[]? labels = labelsPath is null ? null : Array.ConvertAll(IdxImageReader.ReadLabels(labelsPath), b => (int)b);
        return new IdxImageDataset(images, labels);
    }

    /// <summary>
    /// Loads the Fashion-MNIST training split (60 000 images) or test split (10 000 images) with labels 0–9.
    /// </summary>
    /// <param name="train">True for the training split, false for the test split.</param>
    /// <param name="folder">
    /// The folder holding the four standard files (see <see cref="FashionMnistFiles"/>); null for
    /// <see cref="FashionMnistFiles.DefaultFolder"/> (Debian's <c>dataset-fashion-mnist</c> package).
    /// </param>
    /// <returns>The dataset (1 × 28 × 28 images).</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist; the message says how to get the files.</exception>
    /// <exception cref="FileNotFoundException">Files are missing; the message says how to get them.</exception>
    public static IdxImageDataset LoadFashionMnist(bool train = true, string? folder = null)
    {
        var files = FashionMnistFiles.Locate(folder);
        return train ? Load(files.TrainImages, files.TrainLabels) : Load(files.TestImages, files.TestLabels);
    }

    /// <inheritdoc />
    public int Count => _images.Count;

    /// <inheritdoc />
    public int Channels => _images.Channels;

    /// <inheritdoc />
    public int Height => _images.Height;

    /// <inheritdoc />
    public int Width => _images.Width;

    /// <summary>The label of every image (0–255 as stored; 0–9 for Fashion-MNIST), or null if none were loaded.</summary>
    public IReadOnlyList<int>? Labels => _labels;

    /// <summary>The images as a compact in-memory dataset (shared, no copy).</summary>
    public InMemoryImageDataset Images => _images;

    /// <inheritdoc />
    public void ReadImage(int index, Span<byte> destination) => _images.ReadImage(index, destination);

    /// <summary>
    /// A smaller dataset with <paramref name="count"/> images (and their labels): the first ones, or with a
    /// <paramref name="seed"/> a random choice that depends only on the seed (kept in the original order).
    /// </summary>
    /// <param name="count">How many images to keep, in [0, <see cref="Count"/>].</param>
    /// <param name="seed">Null for the first <paramref name="count"/> images; otherwise the seed of the random choice.</param>
    /// <returns>A new dataset with copies of the chosen images.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or larger than <see cref="Count"/>.</exception>
    public IdxImageDataset Subset(int count, long? seed = null)
    {
        if (count < 0 || count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be in [0, {Count}] (the dataset has {Count} images).");
        int[] indices = seed is null
            ? Enumerable.Range(0, count).ToArray()
            : DeterministicShuffle.Sample(Count, count, seed.Value);
        return new IdxImageDataset(_images.Select(indices), _labels is null ? null : Array.ConvertAll(indices, i => _labels[i]));
    }
}
