using System.Buffers.Binary;
using System.IO.Compression;
using SynCo.ML.Data;

namespace SynCo.ML.Tests.Data;

public class IdxTests
{
    private static byte[] Header(int magic, params int[] dims)
    {
        var bytes = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        return bytes;
    }

    private static byte[] ImagePixels(int count, int rows, int columns) =>
        Enumerable.Range(0, count * rows * columns).Select(i => (byte)(i * 7 % 256)).ToArray();

    private static void Write(string path, byte[] content, bool gzip)
    {
        using var file = File.Create(path);
        if (!gzip)
        {
            file.Write(content);
            return;
        }
        using var z = new GZipStream(file, CompressionLevel.Fastest);
        z.Write(content);
    }

    [Theory]
    [InlineData(false, "images-idx3-ubyte")]
    [InlineData(true, "images-idx3-ubyte.gz")]
    [InlineData(true, "gzip-without-gz-extension")]
    public void ImagesAndLabelsRoundTrip(bool gzip, string name)
    {
        using var dir = new TempFolder();
        byte[] pixels = ImagePixels(5, 3, 4);
        Write(dir.File(name), Header(0x803, 5, 3, 4).Concat(pixels).ToArray(), gzip);
        Write(dir.File(name + ".labels"), Header(0x801, 5).Concat(new byte[] { 9, 0, 3, 3, 7 }).ToArray(), gzip);

        var data = IdxImageDataset.Load(dir.File(name), dir.File(name + ".labels"));
        Assert.Equal((5, 1, 3, 4), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal(new[] { 9, 0, 3, 3, 7 }, data.Labels);
        var image = new byte[12];
        data.ReadImage(2, image);
        Assert.Equal(pixels.AsSpan(24, 12).ToArray(), image);
        Assert.Equal(pixels, data.Images.Pixels.ToArray());
    }

    [Fact]
    public void NonSeekableStreamsWork()
    {
        byte[] content = Header(0x803, 2, 2, 2).Concat(ImagePixels(2, 2, 2)).ToArray();
        var compressed = new MemoryStream();
        using (var z = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(content);
        var images = IdxImageReader.ReadImages(new ForwardOnlyStream(compressed.ToArray()));
        Assert.Equal(2, images.Count);
        var plain = new MemoryStream(content);
        Assert.Equal(2, IdxImageReader.ReadImages(plain).Count);
        Assert.True(plain.CanRead, "the caller's stream must stay open");
    }

    [Fact]
    public void WrongMagicGivesAClearError()
    {
        using var dir = new TempFolder();
        string path = dir.File("bad");
        Write(path, Header(0x0802, 1, 2, 2).Concat(new byte[4]).ToArray(), gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxImageReader.ReadImages(path));
        Assert.Contains("0x00000802", e.Message);
        Assert.Contains("0x00000803", e.Message);
        Assert.Contains(path, e.Message);

        string labels = dir.File("labels");
        Write(labels, Header(0x801, 2).Concat(new byte[2]).ToArray(), gzip: true);
        Assert.Contains("ReadLabels", Assert.Throws<InvalidDataException>(() => IdxImageReader.ReadImages(labels)).Message);
        string images = WriteImages(dir);
        Assert.Contains("ReadImages", Assert.Throws<InvalidDataException>(() => IdxImageReader.ReadLabels(images)).Message);
    }

    private static string WriteImages(TempFolder dir)
    {
        string path = dir.File("images");
        Write(path, Header(0x803, 1, 1, 1).Concat(new byte[1]).ToArray(), gzip: false);
        return path;
    }

    [Fact]
    public void TruncatedFilesAndCountMismatchesAreReported()
    {
        using var dir = new TempFolder();
        string path = dir.File("short.gz");
        Write(path, Header(0x803, 4, 3, 3).Concat(new byte[20]).ToArray(), gzip: true);
        var e = Assert.Throws<InvalidDataException>(() => IdxImageReader.ReadImages(path));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("36 bytes", e.Message);

        string empty = dir.File("empty");
        File.WriteAllBytes(empty, new byte[2]);
        Assert.Contains("header ends early", Assert.Throws<InvalidDataException>(() => IdxImageReader.ReadLabels(empty)).Message);

        string images = dir.File("i"), labels = dir.File("l");
        Write(images, Header(0x803, 2, 1, 1).Concat(new byte[2]).ToArray(), gzip: false);
        Write(labels, Header(0x801, 3).Concat(new byte[3]).ToArray(), gzip: false);
        Assert.Contains("3 labels", Assert.Throws<InvalidDataException>(() => IdxImageDataset.Load(images, labels)).Message);
        Assert.Throws<FileNotFoundException>(() => IdxImageReader.ReadImages(dir.File("absent")));
    }

    [Fact]
    public void SubsetsTakeTheFirstImagesOrASeededChoice()
    {
        using var dir = new TempFolder();
        const int n = 50;
        Write(dir.File("i"), Header(0x803, n, 1, 2).Concat(Enumerable.Range(0, n).SelectMany(i => new[] { (byte)i, (byte)i })).ToArray(), false);
        Write(dir.File("l"), Header(0x801, n).Concat(Enumerable.Range(0, n).Select(i => (byte)i)).ToArray(), false);
        var data = IdxImageDataset.Load(dir.File("i"), dir.File("l"));

        var first = data.Subset(10);
        Assert.Equal(Enumerable.Range(0, 10), first.Labels!);

        var random = data.Subset(10, seed: 3);
        Assert.Equal(random.Labels!, data.Subset(10, seed: 3).Labels!);
        Assert.NotEqual(random.Labels!, data.Subset(10, seed: 4).Labels!);
        Assert.Equal(random.Labels!.OrderBy(x => x), random.Labels!);
        Assert.Equal(10, random.Labels!.Distinct().Count());
        var pixel = new byte[2];
        random.ReadImage(4, pixel);
        Assert.Equal((byte)random.Labels![4], pixel[0]); // images travel with their labels

        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset(n + 1));
    }

    /// <summary>A stream that can only be read forwards.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
