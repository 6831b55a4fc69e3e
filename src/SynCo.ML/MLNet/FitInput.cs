using System.Globalization;
using Microsoft.ML;
using SynCo.ML.Data;
using SynCo.ML.Distributed;

namespace SynCo.ML;

/// <summary>
/// How <see cref="SynCoEstimator.Fit"/> reads its input: one checking pass over every row, then either the bytes kept in
/// memory (inputs within <see cref="SynCoOptions.InMemoryLimitMegabytes"/>) or a <see cref="StreamedPixelDataset"/> that
/// reads the view again every epoch within <see cref="SynCoOptions.StreamingBufferMegabytes"/>. The log says which and why.
/// </summary>
internal static class FitInput
{
    /// <summary>The dataset to train on and the rows left out.</summary>
    public static (IImageDataset Data, IReadOnlyList<SkippedRow> Skipped) Open(IDataView view, string column, SynCoOptions o, Action<string> log)
    {
        var (c, h, w) = PixelColumnReader.Dimensions(view.Schema, column);
        string? pathColumn = PixelColumnReader.PathColumn(view.Schema, o.ImagePathColumnName);
        long rows = PixelRowCursor.CountRows(view);
        long bytes = rows * c * h * w;
        var (limit, source) = Limit(o);
        bool stream = bytes > limit || bytes > Array.MaxLength;
        // The ranks of a job must train on one order: if any rank has to stream, all do.
        if (MpiWorld.Current(o.Run.Distributed) is { Size: > 1 } world) stream = world.AllReduceMax(stream ? 1 : 0) == 1;
        var scan = PixelColumnReader.Read(view, column, pathColumn, rows, keep: !stream, o.InvalidImages == InvalidImageHandling.Skip,
            Environment.ProcessorCount, o.CancellationToken);
        string size = string.Create(CultureInfo.InvariantCulture, $"input: {rows} rows of {c}x{h}x{w} pixels, {Megabytes(bytes)} as bytes");
        if (!stream)
        {
            log($"{size}, within the in-memory limit of {Megabytes(limit)} ({source}): read once and kept in memory");
            return (InMemoryImageDataset.Wrap(scan.Pixels!, c, h, w), scan.Skipped);
        }
        var (buffer, bufferSource) = Buffer(o);
        var data = new StreamedPixelDataset(view, column, pathColumn, c, h, w, scan.Valid, buffer, Math.Max(1, Environment.ProcessorCount / 2));
        string why = bytes > limit ? $"over the in-memory limit of {Megabytes(limit)} ({source})" : bytes <= Array.MaxLength ? "another rank streams" : "more than one .NET array holds";
        log($"{size}, {why}: streamed, each epoch read again through the view's cursors in windows of {data.WindowImages} images, " +
            $"holding at most {Megabytes(buffer)} of decoded images ({bufferSource}){(pathColumn is null ? "" : $"; image paths from column '{pathColumn}'")}");
        return (data, scan.Skipped);
    }

    /// <summary>The in-memory limit in bytes and where it comes from.</summary>
    internal static (long Bytes, string Source) Limit(SynCoOptions o)
    {
        if (o.InMemoryLimitMegabytes is { } mb) return ((long)mb << 20, "SynCoOptions.InMemoryLimitMegabytes");
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return ((long)(available * Defaults.InMemoryShareOfAvailableMemory),
            $"a quarter of the {Megabytes(available)} the runtime may use; set SynCoOptions.InMemoryLimitMegabytes to change it");
    }

    /// <summary>The streaming buffer in bytes and where it comes from.</summary>
    internal static (long Bytes, string Source) Buffer(SynCoOptions o)
    {
        if (o.StreamingBufferMegabytes is { } mb) return ((long)mb << 20, "SynCoOptions.StreamingBufferMegabytes");
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        long bytes = Math.Clamp((long)(available * Defaults.StreamingBufferShareOfAvailableMemory),
            (long)Defaults.StreamingBufferMinMegabytes << 20, (long)Defaults.StreamingBufferMaxMegabytes << 20);
        return (bytes, $"a sixteenth of the {Megabytes(available)} the runtime may use, within {Defaults.StreamingBufferMinMegabytes}–{Defaults.StreamingBufferMaxMegabytes} MB; " +
            "set SynCoOptions.StreamingBufferMegabytes to change it");
    }

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MB");
}
