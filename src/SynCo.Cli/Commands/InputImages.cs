using SynCo.Hosting;
using SynCo.ML.Data;
using SynCo.ML.Featurization;

namespace SynCo.Cli.Commands;

/// <summary>
/// The images a command reads: an image folder (recursive, resized to one size, labels from class subfolders) or an
/// IDX images file (its own size, labels from an IDX labels file); all of it, or one shard's contiguous slice.
/// </summary>
/// <param name="Data">The images (of the shard, when sharded).</param>
/// <param name="Labels">One label per image, or null when the input has none.</param>
/// <param name="ClassNames">Name of each label value, or null.</param>
/// <param name="Description">One line for the log, e.g. "folder 'x': 64 images 3x16x16, 4 classes".</param>
/// <param name="Skipped">Files skipped as unreadable so far, with full paths (folders with --skip-unreadable); call it again after featurizing.</param>
/// <param name="PathOf">Image i's path relative to the input root ('/' separators), or its IDX index in the whole file.</param>
public sealed record InputImages(IImageDataset Data, int[]? Labels, string[]? ClassNames, string Description, Func<IReadOnlyList<SkippedImage>> Skipped,
    Func<int, string> PathOf)
{
    /// <summary>Loads <paramref name="path"/>; <paramref name="size"/> and <paramref name="channels"/> apply to folders only.</summary>
    /// <param name="path">An image folder or an IDX images file.</param>
    /// <param name="size">Size folder images are resized to.</param>
    /// <param name="channels">Channels of folder images (1 or 3).</param>
    /// <param name="skipUnreadable">Skip unreadable folder files instead of failing.</param>
    /// <param name="idxLabels">IDX input only: its labels file.</param>
    /// <param name="shard">The slice to load; null (or 0/1) for all of it.</param>
    /// <exception cref="UsageException">The path does not exist, or a folder-only / IDX-only setting does not fit the input.</exception>
    public static InputImages Load(string path, ImageSize size, int channels, bool skipUnreadable, string? idxLabels = null, ShardSpec? shard = null)
    {
        var part = shard ?? ShardSpec.Whole;
        string ofShard(int count, int total) => part.Count > 1 ? $"{count} of {total} images (shard {part})" : $"{count} images";
        if (Directory.Exists(path))
        {
            if (idxLabels is not null)
                throw new UsageException($"--labels is for IDX images files; '{path}' is a folder, whose labels come from its class subfolders.");
            var folder = new ImageFolderDataset(path, new ImageFolderOptions
            {
                Height = size.Height, Width = size.Width, Channels = channels, SkipUnreadable = skipUnreadable, Shard = part,
            });
            var labels = folder.LoadLabelsFromSubfolders();
            bool labelled = labels.ClassNames.Count > 0 && (folder.Sharded ? folder.AllInClassFolders : labels.Labels.All(l => l >= 0));
            string classes = labelled ? $", {labels.ClassNames.Count} classes from subfolders" : "";
            string root = folder.Folder;
            return new InputImages(folder, labelled ? labels.Labels.ToArray() : null, labelled ? labels.ClassNames.ToArray() : null,
                $"folder '{root}': {ofShard(folder.Count, folder.Listed)} resized to {channels}x{size}{classes}",
                () => folder.Skipped,
                folder.RelativePath);
        }
        if (File.Exists(path))
        {
            if (idxLabels is not null && !File.Exists(idxLabels))
                throw new UsageException($"Labels file '{idxLabels}' does not exist; pass the IDX labels file that belongs to '{path}'.");
            var idx = IdxImageDataset.Load(path, idxLabels);
            var slice = new ImageDatasetSlice(idx, part.Range(idx.Count));
            int[]? labels = idx.Labels?.Skip(slice.Start).Take(slice.Count).ToArray();
            string[]? names = idx.Labels is null ? null : Enumerable.Range(0, idx.Labels.DefaultIfEmpty(-1).Max() + 1).Select(i => i.ToString()).ToArray();
            string described = names is null ? "" : $", {names.Length} label values";
            return new InputImages(slice, labels, names,
                $"IDX file '{Path.GetFullPath(path)}': {ofShard(slice.Count, idx.Count)} {idx.Channels}x{idx.Height}x{idx.Width}{described}",
                Array.Empty<SkippedImage>, i => (slice.Start + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        throw new UsageException($"'{path}' does not exist: pass an image folder or an IDX images file.");
    }

    /// <summary>Writes the skipped files (at most a few) as log lines.</summary>
    public void ReportSkipped(Terminal terminal)
    {
        var skipped = Skipped();
        if (skipped.Count == 0) return;
        terminal.Line($"skipped {skipped.Count} unreadable file(s):");
        foreach (var s in skipped.Take(5)) terminal.Line($"  {s.Path}: {s.Reason}");
        if (skipped.Count > 5) terminal.Line($"  ... and {skipped.Count - 5} more");
    }
}
