using Microsoft.ML;
using Microsoft.ML.Data;
namespace SynCo.ML.Data;

/// <summary>
/// Validates a pixel column of an <see cref="IDataView"/> and reads it once (checking every row, and keeping compact
/// uint8 storage when the input is to be held in memory) for pretraining.
/// Values follow <see cref="PixelBytes"/>' rule (the 0–255 scale of <c>ExtractPixels</c>' defaults, rounded to bytes).
/// </summary>
internal static class PixelColumnReader
{
    /// <summary>(C, H, W) of a float vector column, or an error that names the fix.</summary>
    public static (int C, int H, int W) Dimensions(DataViewSchema schema, string column)
    {
        var col = Find(schema, column);
        if (col.Type is not VectorDataViewType vt || vt.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column}' has type {col.Type}; SynCoPretrain takes a Vector<Single> " +
                "of (C, H, W) pixels (ExtractPixels) or an image column (LoadImages).");
        var dims = vt.Dimensions;
        if (dims.Length != 3 || dims.Any(d => d <= 0))
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column}' is a vector of {vt.Size} floats without (C, H, W) dimensions " +
                $"(it has [{string.Join(", ", dims)}]). Produce it with ExtractPixels, or declare the member with [VectorType(c, h, w)].");
        if (dims[0] is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column}' has {dims[0]} channels; SynCoPretrain supports 1 (grayscale) or 3 (RGB) channels.");
        return (dims[0], dims[1], dims[2]);
    }

    /// <summary>The column, or an error that lists the available columns.</summary>
    public static DataViewSchema.Column Find(DataViewSchema schema, string column) =>
        schema.GetColumnOrNull(column) ?? throw new ArgumentOutOfRangeException(nameof(column),
            $"Input column '{column}' was not found. Available columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}' ({c.Type})"))}.");

    /// <summary>
    /// The text column that names a row's image file: <paramref name="name"/> when given (it must exist and hold text),
    /// else the visible text column "ImagePath", else the last visible text column whose name ends in "Path" (any case),
    /// else the only visible text column; null when none fits.
    /// </summary>
    public static string? PathColumn(DataViewSchema schema, string? name)
    {
        if (name is not null)
        {
            var col = Find(schema, name);
            return col.Type is TextDataViewType ? name
                : throw new ArgumentOutOfRangeException(nameof(name), $"ImagePathColumnName '{name}' has type {col.Type}; it must be a text column (the file path LoadImages reads).");
        }
        var text = schema.Where(c => !c.IsHidden && c.Type is TextDataViewType).Select(c => c.Name).ToList();
        return text.LastOrDefault(n => n.Equals("ImagePath", StringComparison.OrdinalIgnoreCase))
            ?? text.LastOrDefault(n => n.EndsWith("Path", StringComparison.OrdinalIgnoreCase))
            ?? (text.Count == 1 ? text[0] : null);
    }

    /// <summary>What the first pass over a pixel column found.</summary>
    /// <param name="Valid">Row indices of the usable rows, ascending.</param>
    /// <param name="Skipped">The unusable rows, ascending (empty unless skipping).</param>
    /// <param name="Pixels">The usable rows' bytes, one image after another, when they were kept; else null.</param>
    public sealed record Scan(int[] Valid, IReadOnlyList<SkippedRow> Skipped, byte[]? Pixels);

    /// <summary>
    /// Reads every one of <paramref name="rows"/> rows once: checks each (fails on the first unusable row, or lists it
    /// when <paramref name="skipInvalid"/>), checks the 0–255 scale over all of them, and keeps the bytes when
    /// <paramref name="keep"/> (the caller has checked that rows·C·H·W bytes fit). <paramref name="threads"/> serial
    /// cursors read contiguous row ranges in parallel; the result does not depend on their number.
    /// </summary>
    public static Scan Read(IDataView data, string column, string? pathColumn, long rows, bool keep, bool skipInvalid, int threads,
        CancellationToken cancellationToken)
    {
        var (c, h, w) = Dimensions(data.Schema, column);
        int size = c * h * w;
        if (rows > Array.MaxLength)
            throw new ArgumentException($"The input has {rows} rows; SynCoPretrain reads at most {Array.MaxLength}. Train on a subset (mlContext.Data.TakeRows).", nameof(data));
        var pixels = keep ? new byte[rows * size] : null;
        int parts = (int)Math.Clamp(rows / 256, 1, Math.Max(1, threads));
        var found = new List<SkippedRow>[parts];
        var converts = new PixelBytes[parts];
        var ended = new long[parts];
        long firstBad = long.MaxValue; // fail mode: the lowest failing row seen so far; every part stops beyond it
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts, CancellationToken = cancellationToken }, part =>
        {
            long start = rows * part / parts, end = rows * (part + 1) / parts;
            var list = found[part] = new List<SkippedRow>();
            using var cursor = new PixelRowCursor(data, column, pathColumn, size);
            converts[part] = cursor.Convert;
            var scratch = keep ? null : new byte[size];
            ended[part] = end;
            if (!cursor.MoveTo(start - 1)) { ended[part] = Math.Max(0, cursor.Row + 1); return; }
            for (long row = start; row < end; row++)
            {
                if ((row & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
                if (row > Interlocked.Read(ref firstBad)) return;
                if (!cursor.MoveTo(row)) { ended[part] = row; return; }
                var bad = cursor.Read(keep ? pixels.AsSpan((int)(row * size), size) : scratch);
                if (bad is null) continue;
                list.Add(bad);
                if (!skipInvalid)
                {
                    long seen;
                    while (row < (seen = Interlocked.Read(ref firstBad)) && Interlocked.CompareExchange(ref firstBad, row, seen) != seen) { }
                    return;
                }
            }
        });
        var skipped = found.SelectMany(l => l).OrderBy(s => s.Row).ToList();
        if (!skipInvalid && skipped.Count > 0) throw skipped[0].Failure(column);
        for (int p = 0; p < parts; p++)
            if (ended[p] < rows * (p + 1) / parts)
                throw new InvalidOperationException($"The input view had {rows} rows when counted but ended after {ended[p]} when read; SynCoPretrain reads it more than once, so it must give the same rows each time.");
        if (rows == 0)
            throw new ArgumentException($"The input has no rows: pretraining needs unlabelled images in column '{column}'.", nameof(data));
        if (skipped.Count == rows)
            throw new ArgumentException($"All {rows} rows of column '{column}' were invalid and skipped; nothing is left to train on.", nameof(data));
        var convert = converts[0];
        foreach (var other in converts.Skip(1)) convert.Add(other);
        if (convert.UnitScaleProblem() is { } scaled)
            throw new ArgumentException($"Column '{column}': {scaled} (the exported model scales inside its graph).", nameof(data));
        var valid = new int[rows - skipped.Count];
        int next = 0, s = 0;
        for (int row = 0; row < rows; row++)
        {
            if (s < skipped.Count && skipped[s].Row == row) { s++; continue; }
            if (pixels is not null && next != row) Buffer.BlockCopy(pixels, row * size, pixels, next * size, size);
            valid[next++] = row;
        }
        if (pixels is not null && skipped.Count > 0) Array.Resize(ref pixels, valid.Length * size);
        return new Scan(valid, skipped, pixels);
    }
}
