using System.Buffers.Binary;
using System.IO.Compression;

namespace SynCo.ML.Data;

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST: unsigned-byte image files (magic 0x00000803: count, rows,
/// columns) and label files (magic 0x00000801: count), all integers big-endian. Gzip-compressed files are
/// recognised by their first two bytes (1f 8b) whatever their name, so <c>.gz</c> and plain files both work.
/// </summary>
public static class IdxImageReader
{
    /// <summary>Magic number of an IDX file of unsigned bytes with three dimensions (images).</summary>
    public const int ImageMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned bytes with one dimension (labels).</summary>
    public const int LabelMagic = 0x00000801;

    /// <summary>Reads an IDX image file (plain or gzipped) into memory.</summary>
    /// <param name="path">The file, for example <c>train-images-idx3-ubyte.gz</c>.</param>
    /// <returns>A 1-channel dataset of count × rows × columns images.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an IDX image file or is truncated; the message names the file.</exception>
    public static InMemoryImageDataset ReadImages(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = OpenFile(path);
        return WithFileName(path, () => ReadImages(file));
    }

    /// <summary>Reads an IDX image file (plain or gzipped) from a stream, which is left open.</summary>
    /// <param name="stream">A readable stream positioned at the start of the file.</param>
    /// <returns>A 1-channel dataset of count × rows × columns images.</returns>
    /// <exception cref="InvalidDataException">The data is not an IDX image file or is truncated.</exception>
    public static InMemoryImageDataset ReadImages(Stream stream)
    {
        using var input = Decompressed(stream);
        int magic = ReadInt32(input, "magic number");
        if (magic != ImageMagic)
            throw new InvalidDataException(magic == LabelMagic
                ? "This is an IDX label file (magic 0x00000801), not an image file; read it with IdxImageReader.ReadLabels."
                : $"Not an IDX image file: magic number 0x{magic:X8}, expected 0x{ImageMagic:X8} (unsigned bytes, 3 dimensions: count, rows, columns).");
        int count = ReadDimension(input, "image count");
        int rows = ReadDimension(input, "row count");
        int columns = ReadDimension(input, "column count");
        if (rows == 0 || columns == 0)
            throw new InvalidDataException($"IDX image header describes images of {rows}×{columns} pixels; both sides must be positive.");
        long total = (long)count * rows * columns;
        if (total > Array.MaxLength)
            throw new InvalidDataException($"IDX image header describes {count} images of {rows}×{columns} pixels, which cannot be held in memory.");
        var pixels = new byte[total];
        ReadBody(input, pixels, $"{count} images of {rows}×{columns} pixels");
        return InMemoryImageDataset.Wrap(pixels, 1, rows, columns);
    }

    /// <summary>Reads an IDX label file (plain or gzipped).</summary>
    /// <param name="path">The file, for example <c>train-labels-idx1-ubyte.gz</c>.</param>
    /// <returns>One byte per image.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an IDX label file or is truncated; the message names the file.</exception>
    public static byte[] ReadLabels(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = OpenFile(path);
        return WithFileName(path, () => ReadLabels(file));
    }

    /// <summary>Reads an IDX label file (plain or gzipped) from a stream, which is left open.</summary>
    /// <param name="stream">A readable stream positioned at the start of the file.</param>
    /// <returns>One byte per image.</returns>
    /// <exception cref="InvalidDataException">The data is not an IDX label file or is truncated.</exception>
    public static byte[] ReadLabels(Stream stream)
    {
        using var input = Decompressed(stream);
        int magic = ReadInt32(input, "magic number");
        if (magic != LabelMagic)
            throw new InvalidDataException(magic == ImageMagic
                ? "This is an IDX image file (magic 0x00000803), not a label file; read it with IdxImageReader.ReadImages."
                : $"Not an IDX label file: magic number 0x{magic:X8}, expected 0x{LabelMagic:X8} (unsigned bytes, 1 dimension: count).");
        int count = ReadDimension(input, "label count");
        var labels = new byte[count];
        ReadBody(input, labels, $"{count} labels");
        return labels;
    }

    private static FileStream OpenFile(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    private static T WithFileName<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The stream itself, or a gzip decompressor over it when it starts with 1f 8b. Never closes <paramref name="stream"/>.</summary>
    private static Stream Decompressed(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream must be readable.", nameof(stream));
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            return Decompressed(copy, ownsStream: true);
        }
        return Decompressed(stream, ownsStream: false);
    }

    private static Stream Decompressed(Stream seekable, bool ownsStream)
    {
        long start = seekable.Position;
        Span<byte> head = stackalloc byte[2];
        int read = seekable.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        seekable.Position = start;
        bool gzip = read == 2 && head[0] == 0x1f && head[1] == 0x8b;
        if (gzip)
            return new GZipStream(seekable, CompressionMode.Decompress, leaveOpen: !ownsStream);
        return ownsStream ? seekable : new NonClosingStream(seekable);
    }

    private static int ReadInt32(Stream input, string what)
    {
        Span<byte> buffer = stackalloc byte[4];
        int read = input.ReadAtLeast(buffer, 4, throwOnEndOfStream: false);
        if (read < 4)
            throw new InvalidDataException($"The IDX header ends early: could not read the {what} (file truncated or empty).");
        return BinaryPrimitives.ReadInt32BigEndian(buffer);
    }

    private static int ReadDimension(Stream input, string what)
    {
        int value = ReadInt32(input, what);
        if (value < 0)
            throw new InvalidDataException($"The IDX header gives a negative {what} ({value}).");
        return value;
    }

    private static void ReadBody(Stream input, byte[] destination, string what)
    {
        int read = input.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        if (read < destination.Length)
            throw new InvalidDataException($"The IDX file is truncated: the header announces {what} ({destination.Length} bytes) but only {read} bytes follow.");
    }

    /// <summary>Lets a <c>using</c> dispose the wrapper without closing the caller's stream.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
