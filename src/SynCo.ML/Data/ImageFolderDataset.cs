using System.Buffers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace SynCo.ML.Data;

/// <summary>
/// The image files under a folder (searched recursively), decoded with SixLabors.ImageSharp and resized to one
/// fixed size on every read; nothing but the file list is kept in memory.
/// </summary>
/// <remarks>
/// <para>
/// Recognised extensions (case-insensitive): jpg, jpeg, png, bmp, gif, webp, tif, tiff. Files are ordered by their
/// path relative to the root (ordinal), so indices are stable across runs and machines.
/// </para>
/// <para>
/// Resize policy: the largest centred region with the target aspect ratio is cut out and resized to
/// <see cref="Height"/>×<see cref="Width"/> with a bicubic filter (ImageSharp's <c>ResizeMode.Crop</c>), so images
/// are never distorted. Only the first frame of animated GIF or multi-page TIFF files is used; EXIF orientation is
/// not applied (as PIL/torchvision's ImageFolder).
/// </para>
/// <para>Reads are thread-safe; each read decodes its file.</para>
/// </remarks>
public sealed class ImageFolderDataset : IImageDataset
{
    private static readonly string[] ExtensionList = { ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff" };
    private static readonly HashSet<string> ExtensionSet = new(ExtensionList, StringComparer.OrdinalIgnoreCase);

    /// <summary>ImageSharp's default formats, with the multi-frame decoders (GIF, TIFF) reading the first frame only.</summary>
    private static readonly Configuration Decoder = FirstFrameConfiguration();

    private readonly string[] _files;
    private readonly ImageFolderOptions _options;
    private readonly int _imageSize;
    private readonly List<SkippedImage> _skipped = new();
    private readonly object _skippedLock = new();
    private readonly string?[] _listedClassFolders;

    /// <summary>Lists and checks the images under <paramref name="folder"/>.</summary>
    /// <param name="folder">Root folder; subfolders are searched too.</param>
    /// <param name="options">Size, channels and error policy; null for the defaults (224×224 RGB, fail on unreadable files).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ArgumentException">The folder contains no image files (or, in skip mode, no readable ones).</exception>
    /// <exception cref="InvalidDataException">A file cannot be read and <see cref="ImageFolderOptions.SkipUnreadable"/> is false; the message names the file.</exception>
    public ImageFolderDataset(string folder, ImageFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        _options = options ?? new ImageFolderOptions();
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Image folder '{folder}' does not exist.");
        Folder = Path.GetFullPath(folder);
        _imageSize = _options.Channels * _options.Height * _options.Width;

        var candidates = Directory
            .EnumerateFiles(Folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System })
            .Where(f => ExtensionSet.Contains(Path.GetExtension(f)))
            .OrderBy(f => Path.GetRelativePath(Folder, f), StringComparer.Ordinal)
            .ToList();
        if (candidates.Count == 0)
            throw new ArgumentException(
                $"Image folder '{Folder}' (searched recursively) contains no image files with the extensions {string.Join(", ", SupportedExtensions)}.",
                nameof(folder));

        Sharded = _options.Shard.Count > 1;
        _listedClassFolders = candidates.Select(ClassFolderOf).ToArray();
        var (first, length) = _options.Shard.Range(candidates.Count).GetOffsetAndLength(candidates.Count);
        Listed = candidates.Count;
        if (Sharded) candidates = candidates.GetRange(first, length);

        var readable = new List<string>(candidates.Count);
        foreach (string file in candidates)
        {
            string? error = Check(file);
            if (error is null)
                readable.Add(file);
            else if (_options.SkipUnreadable)
                _skipped.Add(new SkippedImage(file, error));
            else
                throw Unreadable(file, error, null);
        }
        if (readable.Count == 0 && candidates.Count > 0)
            throw new ArgumentException(
                $"None of the {candidates.Count} image files under '{Folder}'{(Sharded ? $" in shard {_options.Shard}" : "")} could be read; see Skipped reasons, e.g. '{_skipped[0].Path}': {_skipped[0].Reason}",
                nameof(folder));
        _files = readable.ToArray();
    }

    /// <summary>Lists and checks the images under <paramref name="folder"/>.</summary>
    /// <param name="folder">Root folder; subfolders are searched too.</param>
    /// <param name="height">Height every image is resized to.</param>
    /// <param name="width">Width every image is resized to.</param>
    /// <param name="channels">3 for RGB, 1 for grayscale.</param>
    /// <param name="skipUnreadable">Skip and report unreadable files instead of failing (see <see cref="ImageFolderOptions.SkipUnreadable"/>).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ArgumentException">The folder contains no readable image files, or an argument is out of range.</exception>
    /// <exception cref="InvalidDataException">A file cannot be read and <paramref name="skipUnreadable"/> is false.</exception>
    public ImageFolderDataset(string folder, int height, int width, int channels = 3, bool skipUnreadable = false)
        : this(folder, new ImageFolderOptions { Height = height, Width = width, Channels = channels, SkipUnreadable = skipUnreadable })
    {
    }

    /// <summary>Image files listed under the folder before sharding and checks (all shards together).</summary>
    public int Listed { get; }

    /// <summary>Whether <see cref="ImageFolderOptions.Shard"/> splits the folder (more than one shard).</summary>
    public bool Sharded { get; }

    /// <summary>
    /// Whether every listed image file (of every shard) lies in a first-level class subfolder, so that every image
    /// has a label in <see cref="LoadLabelsFromSubfolders"/> whichever shard this is.
    /// </summary>
    public bool AllInClassFolders => _listedClassFolders.All(f => f is not null);

    /// <summary>Path of image <paramref name="index"/> relative to <see cref="Folder"/>, with '/' separators (e.g. "cat/001.png").</summary>
    /// <param name="index">Image index in [0, <see cref="Count"/>).</param>
    public string RelativePath(int index) => Path.GetRelativePath(Folder, _files[index]).Replace('\\', '/');

    /// <summary>The extensions recognised as images.</summary>
    public static IReadOnlyCollection<string> SupportedExtensions => ExtensionList;

    /// <summary>Full path of the root folder.</summary>
    public string Folder { get; }

    /// <summary>Full paths of the images, in dataset order (unreadable files found at construction are not included).</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>
    /// A snapshot of the files skipped so far, with reasons: those found unreadable at construction, and (in skip
    /// mode) those that failed to decode on a later read and were returned as black images.
    /// </summary>
    public IReadOnlyList<SkippedImage> Skipped
    {
        get
        {
            lock (_skippedLock) return _skipped.ToArray();
        }
    }

    /// <inheritdoc />
    public int Count => _files.Length;

    /// <inheritdoc />
    public int Channels => _options.Channels;

    /// <inheritdoc />
    public int Height => _options.Height;

    /// <inheritdoc />
    public int Width => _options.Width;

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The file can no longer be decoded and skip mode is off.</exception>
    public void ReadImage(int index, Span<byte> destination)
    {
        ImageDatasetChecks.CheckRead(index, Count, destination.Length, _imageSize);
        string file = _files[index];
        try
        {
            using var image = Load(file);
            Decode(image, destination[.._imageSize]);
        }
        catch (Exception e) when (IsReadError(e))
        {
            if (!_options.SkipUnreadable)
                throw Unreadable(file, e.Message, e);
            destination[.._imageSize].Clear();
            lock (_skippedLock)
            {
                if (!_skipped.Exists(s => s.Path == file))
                    _skipped.Add(new SkippedImage(file, e.Message));
            }
        }
    }

    /// <summary>
    /// Labels from the first-level subfolder names (<c>root/cat/x.png</c> → "cat"), as torchvision's ImageFolder;
    /// files directly in the root get −1.
    /// </summary>
    /// <returns>The label of every image and the class names.</returns>
    public ImageFolderLabels LoadLabelsFromSubfolders()
    {
        var folders = _files.Select(ClassFolderOf).ToArray();
        string[] names = (Sharded ? _listedClassFolders : folders).OfType<string>().Distinct().OrderBy(n => n, StringComparer.Ordinal).ToArray();
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        int[] labels = folders.Select(f => f is null ? -1 : index[f]).ToArray();
        return new ImageFolderLabels(labels, names);
    }

    private string? ClassFolderOf(string file)
    {
        string relative = Path.GetRelativePath(Folder, file);
        int cut = relative.IndexOfAny(new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar });
        return cut < 0 ? null : relative[..cut];
    }

    private string? Check(string file)
    {
        try
        {
            if (_options.VerifyByDecoding)
            {
                using var image = Load(file);
            }
            else
            {
                IImageInfo? info = Image.Identify(Decoder, file, out _);
                if (info is null)
                    return $"Not an image in a supported format ({string.Join(", ", SupportedExtensions)}).";
                if (info.Width <= 0 || info.Height <= 0)
                    return $"The image has no pixels ({info.Width}×{info.Height}).";
            }
            return null;
        }
        catch (Exception e) when (IsReadError(e))
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Decodes the whole file. A JPEG cut short inside its image data is an error here: ImageSharp 2 would decode it
    /// without one, with the missing part grey or black.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is a truncated JPEG.</exception>
    private static Image<Rgb24> Load(string file)
    {
        byte[] bytes = File.ReadAllBytes(file);
        if (JpegEnd.Truncation(bytes) is { } truncated)
            throw new InvalidDataException(truncated);
        return Image.Load<Rgb24>(Decoder, bytes);
    }

    private static Configuration FirstFrameConfiguration()
    {
        Configuration configuration = Configuration.Default.Clone();
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }

    private void Decode(Image<Rgb24> image, Span<byte> destination)
    {
        int h = _options.Height, w = _options.Width;
        if (image.Width != w || image.Height != h)
        {
            image.Mutate(ctx => ctx.Resize(new ResizeOptions
            {
                Size = new Size(w, h),
                Mode = ResizeMode.Crop,
                Position = AnchorPositionMode.Center,
                Sampler = KnownResamplers.Bicubic,
            }));
        }

        int plane = h * w;
        Rgb24[] rented = ArrayPool<Rgb24>.Shared.Rent(plane);
        try
        {
            Span<Rgb24> rgb = rented.AsSpan(0, plane);
            image.CopyPixelDataTo(rgb);
            ToPlanar(rgb, destination);
        }
        finally
        {
            ArrayPool<Rgb24>.Shared.Return(rented);
        }
    }

    private void ToPlanar(ReadOnlySpan<Rgb24> rgb, Span<byte> destination)
    {
        int plane = rgb.Length;
        if (_options.Channels == 3)
        {
            Span<byte> r = destination[..plane], g = destination.Slice(plane, plane), b = destination.Slice(2 * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                r[i] = rgb[i].R;
                g[i] = rgb[i].G;
                b[i] = rgb[i].B;
            }
        }
        else
        {
            for (int i = 0; i < plane; i++) // PIL's ITU-R 601-2 luma in 16-bit fixed point
                destination[i] = (byte)((rgb[i].R * 19595 + rgb[i].G * 38470 + rgb[i].B * 7471 + 0x8000) >> 16);
        }
    }

    private static bool IsReadError(Exception e) =>
        e is ImageFormatException or IOException or UnauthorizedAccessException or NotSupportedException
            or InvalidDataException or ImageProcessingException or ArgumentException;

    private static InvalidDataException Unreadable(string file, string reason, Exception? inner) =>
        new($"Cannot read image '{file}': {reason} (Set SkipUnreadable to skip unreadable files and list them in Skipped.)", inner);
}
