using SynCo.ML.Data;

namespace SynCo.ML.Tests.Data;

public class InMemoryImageDatasetTests
{
    [Fact]
    public void BytesAreCopiedAndReadPerImage()
    {
        byte[] pixels = Enumerable.Range(0, 2 * 3 * 2 * 2).Select(i => (byte)i).ToArray();
        var data = new InMemoryImageDataset(pixels, 3, 2, 2);
        Assert.Equal((2, 3, 2, 2), (data.Count, data.Channels, data.Height, data.Width));
        pixels[12] = 99; // the constructor copied
        var image = new byte[13];
        data.ReadImage(1, image);
        Assert.Equal(Enumerable.Range(12, 12).Select(i => (byte)i), image[..12]);
        Assert.Equal(0, image[12]); // only C·H·W bytes are written

        var shared = InMemoryImageDataset.Wrap(pixels, 3, 2, 2);
        shared.ReadImage(1, image);
        Assert.Equal(99, image[0]);
    }

    [Fact]
    public void BadShapesAndReadsAreRejectedClearly()
    {
        Assert.Contains("not a whole number", Assert.Throws<ArgumentException>(() => new InMemoryImageDataset(new byte[10], 1, 3, 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryImageDataset(new byte[9], 0, 3, 3));
        var data = new InMemoryImageDataset(new byte[18], 1, 3, 3);
        Assert.Contains("[0, 2)", Assert.Throws<ArgumentOutOfRangeException>(() => data.ReadImage(2, new byte[9])).Message);
        Assert.Contains("9", Assert.Throws<ArgumentException>(() => data.ReadImage(0, new byte[8])).Message);
    }

    [Fact]
    public void FloatsOnThe0To255ScaleAreRoundedAndOutOfRangeValuesRejected()
    {
        var data = InMemoryImageDataset.FromFloats(new[] { 0f, 1.4f, 1.6f, 254.7f, 255.5f, -0.4f }, 1, 2, 3);
        var image = new byte[6];
        data.ReadImage(0, image);
        Assert.Equal(new byte[] { 0, 1, 2, 255, 255, 0 }, image);
        foreach (float bad in new[] { 300f, -3f, 255.6f })
            Assert.Contains("outside 0–255", Assert.Throws<ArgumentException>(() => InMemoryImageDataset.FromFloats(new[] { 1f, bad, 2f }, 1, 1, 3)).Message);

        var rows = new[] { new[] { 10f, 20f }, new[] { 30f, 40f } };
        var fromRows = InMemoryImageDataset.FromFloats(rows, 1, 1, 2);
        Assert.Equal(new byte[] { 10, 20, 30, 40 }, fromRows.Pixels.ToArray());
        Assert.Contains("Image 1", Assert.Throws<ArgumentException>(() =>
            InMemoryImageDataset.FromFloats(new[] { new[] { 1f, 2f }, new[] { 3f } }, 1, 1, 2)).Message);
    }

    [Fact]
    public void FloatsScaledTo0To1AreRejectedWithAdvice()
    {
        var e = Assert.Throws<ArgumentException>(() => InMemoryImageDataset.FromFloats(new[] { 0f, 0.25f, 0.5f, 1f }, 1, 2, 2));
        Assert.Contains("0–1", e.Message);
        Assert.Contains("ExtractPixels without scaleImage", e.Message);
        Assert.Contains("0–255", e.Message);
        Assert.Throws<ArgumentException>(() => InMemoryImageDataset.FromFloats(new[] { new[] { 0.5f, 0.1f } }, 1, 1, 2));
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => InMemoryImageDataset.FromFloats(new[] { float.NaN, 1f }, 1, 1, 2)).Message);

        // Integer-valued data that happens to be dark is fine.
        Assert.Equal(1, InMemoryImageDataset.FromFloats(new[] { 0f, 1f, 0f, 1f }, 1, 2, 2).Count);
    }
}
