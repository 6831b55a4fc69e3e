using SynCo.ML.Featurization;

namespace SynCo.ML.Data;

/// <summary>Settings of an <see cref="ImageFolderDataset"/>.</summary>
public sealed class ImageFolderOptions
{
    private int _height = 224;
    private int _width = 224;
    private int _channels = 3;

    /// <summary>Height every image is resized to, positive. Default 224.</summary>
    public int Height
    {
        get => _height;
        set => _height = Guard.Pixels(value, nameof(Height));
    }

    /// <summary>Width every image is resized to, positive. Default 224.</summary>
    public int Width
    {
        get => _width;
        set => _width = Guard.Pixels(value, nameof(Width));
    }

    /// <summary>
    /// 3 for RGB (alpha is dropped), 1 for grayscale (luma 0.299 R + 0.587 G + 0.114 B, the same integer formula as
    /// PIL's <c>convert("L")</c>). Default 3.
    /// </summary>
    public int Channels
    {
        get => _channels;
        set => _channels = value is 1 or 3 ? value
            : throw new ArgumentOutOfRangeException(nameof(Channels), value, "Channels must be 1 (grayscale) or 3 (RGB).");
    }

    /// <summary>
    /// When true, files that cannot be read are skipped and listed in <see cref="ImageFolderDataset.Skipped"/>;
    /// when false (the default) the first such file fails with an <see cref="InvalidDataException"/> naming it.
    /// </summary>
    /// <remarks>
    /// Files are checked when the dataset is built (header only, or a full decode with
    /// <see cref="VerifyByDecoding"/>) and left out if unreadable. A file that passes that check but fails to decode
    /// later (damaged image data, or changed on disk) is, in skip mode, returned as a black image and listed in
    /// <see cref="ImageFolderDataset.Skipped"/>; indices never shift after construction.
    /// </remarks>
    public bool SkipUnreadable { get; set; }

    /// <summary>
    /// When true, every file is fully decoded once while the dataset is built, so damaged image data is found up
    /// front (slow for large folders). When false (the default) only the headers are read then.
    /// </summary>
    /// <remarks>
    /// A JPEG cut short inside its image data (intact headers) counts as unreadable on a full decode, as in PIL:
    /// ImageSharp 2 alone would decode it without an error, the missing part grey or black.
    /// </remarks>
    public bool VerifyByDecoding { get; set; }

    /// <summary>
    /// The part of the folder this dataset holds: shard I of N takes the contiguous slice <see cref="ShardSpec.Range"/>
    /// of all image files (readable or not) in ordinal relative-path order, and checks only those. Default
    /// <see cref="ShardSpec.Whole"/>. With more than one shard, a shard may be empty, and class names
    /// (<see cref="ImageFolderDataset.LoadLabelsFromSubfolders"/>) come from every listed file, so label values agree
    /// across shards.
    /// </summary>
    public ShardSpec Shard { get; set; } = ShardSpec.Whole;
}
