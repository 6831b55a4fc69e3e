using SynCo.Hosting;
using SynCo.ML.Data;

namespace SynCo.Cli.Commands;

/// <summary>
/// The images a command reads: an image folder (recursive, resized to one size, labels from class subfolders) or an
/// IDX images file (its own size, labels from an IDX labels file).
/// </summary>
/// <param name="Data">The images.</param>
/// <param name="Labels">One label per image, or null when the input has none.</param>
/// <param name="ClassNames">Name of each label value, or null.</param>
/// <param name="Description">One line for the log, e.g. "folder 'x': 64 images 3x16x16, 4 classes".</param>
/// <param name="Skipped">Files skipped as unreadable (folders with --skip-unreadable).</param>
public sealed record InputImages(IImageDataset Data, int[]? Labels, string[]? ClassNames, string Description, IReadOnlyList<SkippedImage> Skipped)
{
    /// <summary>Loads <paramref name="path"/>; <paramref name="size"/> and <paramref name="channels"/> apply to folders only.</summary>
    /// <exception cref="UsageException">The path does not exist, or a folder-only / IDX-only setting does not fit the input.</exception>
    public static InputImages Load(string path, ImageSize size, int channels, bool skipUnreadable, string? idxLabels = null)
    {
        if (Directory.Exists(path))
        {
            if (idxLabels is not null)
                throw new UsageException($"--labels is for IDX images files; '{path}' is a folder, whose labels come from its class subfolders.");
            var folder = new ImageFolderDataset(path, new ImageFolderOptions
            {
                Height = size.Height, Width = size.Width, Channels = channels, SkipUnreadable = skipUnreadable,
            });
            var labels = folder.LoadLabelsFromSubfolders();
            bool labelled = labels.ClassNames.Count > 0 && labels.Labels.All(l => l >= 0);
            string classes = labelled ? $", {labels.ClassNames.Count} classes from subfolders" : "";
            return new InputImages(folder, labelled ? labels.Labels.ToArray() : null, labelled ? labels.ClassNames.ToArray() : null,
                $"folder '{folder.Folder}': {folder.Count} images resized to {channels}x{size}{classes}", folder.Skipped);
        }
        if (File.Exists(path))
        {
            if (idxLabels is not null && !File.Exists(idxLabels))
                throw new UsageException($"Labels file '{idxLabels}' does not exist; pass the IDX labels file that belongs to '{path}'.");
            var idx = IdxImageDataset.Load(path, idxLabels);
            int[]? labels = idx.Labels?.ToArray();
            string[]? names = labels is null ? null : Enumerable.Range(0, labels.DefaultIfEmpty(-1).Max() + 1).Select(i => i.ToString()).ToArray();
            string described = labels is null ? "" : $", {names!.Length} label values";
            return new InputImages(idx, labels, names, $"IDX file '{Path.GetFullPath(path)}': {idx.Count} images {idx.Channels}x{idx.Height}x{idx.Width}{described}",
                Array.Empty<SkippedImage>());
        }
        throw new UsageException($"'{path}' does not exist: pass an image folder or an IDX images file.");
    }

    /// <summary>Writes the skipped files (at most a few) as log lines.</summary>
    public void ReportSkipped(Terminal terminal)
    {
        if (Skipped.Count == 0) return;
        terminal.Line($"skipped {Skipped.Count} unreadable file(s):");
        foreach (var s in Skipped.Take(5)) terminal.Line($"  {s.Path}: {s.Reason}");
        if (Skipped.Count > 5) terminal.Line($"  ... and {Skipped.Count - 5} more");
    }
}
