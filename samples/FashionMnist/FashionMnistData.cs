using Microsoft.ML;
using Microsoft.ML.Data;
using SynCo.ML.Data;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>Fashion-MNIST as the sample uses it: labelled train/test sets and ML.NET views of their pixels.</summary>
public sealed class FashionMnistData
{
    /// <summary>The ten class names, in label order.</summary>
    public static readonly string[] ClassNames =
        { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

    /// <summary>One image as ML.NET sees it: a (1, 28, 28) vector of 0–255 pixels, as <c>ExtractPixels</c> makes.</summary>
    public sealed class PixelRow
    {
        [VectorType(1, 28, 28)]
        public float[] Pixels { get; set; } = Array.Empty<float>();
    }

    private FashionMnistData(IdxImageDataset train, IdxImageDataset test)
    {
        Train = train;
        Test = test;
    }

    /// <summary>The 60,000 training images with labels.</summary>
    public IdxImageDataset Train { get; }

    /// <summary>The 10,000 test images with labels.</summary>
    public IdxImageDataset Test { get; }

    /// <summary>Loads both splits from <paramref name="folder"/> (null: Debian's package location).</summary>
    /// <exception cref="FileNotFoundException">The files are missing; the message says how to get them.</exception>
    public static FashionMnistData Load(string? folder) =>
        new(IdxImageDataset.LoadFashionMnist(train: true, folder), IdxImageDataset.LoadFashionMnist(train: false, folder));

    /// <summary>An ML.NET view of <paramref name="images"/> (no labels: pretraining is self-supervised).</summary>
    public static IDataView ToDataView(MLContext ml, IImageDataset images) => ml.Data.LoadFromEnumerable(Rows(images));

    /// <summary>Raw pixels scaled to 0–1, one 784-vector per image: the raw-pixel baseline's features.</summary>
    public static float[][] RawPixels(IImageDataset images) =>
        Enumerable.Range(0, images.Count).Select(i => Pixels(images, i).Select(p => p / 255f).ToArray()).ToArray();

    /// <summary>Labels as ints.</summary>
    public static int[] Labels(IdxImageDataset data) =>
        data.Labels?.ToArray() ?? throw new InvalidDataException("This IDX set has no labels file.");

    private static IEnumerable<PixelRow> Rows(IImageDataset images)
    {
        for (int i = 0; i < images.Count; i++)
            yield return new PixelRow { Pixels = Pixels(images, i) };
    }

    private static float[] Pixels(IImageDataset images, int index)
    {
        var bytes = new byte[images.Channels * images.Height * images.Width];
        images.ReadImage(index, bytes);
        return Array.ConvertAll(bytes, b => (float)b);
    }
}
