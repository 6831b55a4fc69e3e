using Microsoft.ML;
using Microsoft.ML.Data;
namespace SynCo.ML.Data;

/// <summary>
/// Validates a pixel column of an <see cref="IDataView"/> and reads it into compact uint8 storage for pretraining.
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

    /// <summary>Reads every row; returns the dataset and the indices of skipped rows.</summary>
    public static (InMemoryImageDataset Data, List<long> Skipped) Read(IDataView data, string column, bool skipInvalid,
        CancellationToken cancellationToken)
    {
        var (c, h, w) = Dimensions(data.Schema, column);
        int size = c * h * w;
        var bytes = new List<byte[]>();
        var skipped = new List<long>();
        var convert = new PixelBytes();
        using var cursor = data.GetRowCursor(new[] { data.Schema[column] });
        var getter = cursor.GetGetter<VBuffer<float>>(data.Schema[column]);
        var buffer = default(VBuffer<float>);
        var dense = new float[size];
        var pixels = new byte[size];
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            if ((row & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            string? problem = null;
            try
            {
                getter(ref buffer);
                if (buffer.Length != size) problem = $"it has {buffer.Length} values where (C, H, W) = ({c}, {h}, {w}) needs {size}";
                else
                {
                    buffer.CopyTo(dense);
                    problem = convert.Convert(dense, pixels);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or FormatException or ArgumentException)
            {
                problem = $"it could not be read ({e.Message})";
            }
            if (problem is not null)
            {
                if (!skipInvalid)
                    throw new InvalidOperationException($"Row {row} of column '{column}': {problem}. Fix the input, or set InvalidImages = InvalidImageHandling.Skip to leave such rows out.");
                skipped.Add(row);
                continue;
            }
            bytes.Add(pixels.ToArray());
        }
        if (bytes.Count == 0)
            throw new ArgumentException(row < 0
                ? $"The input has no rows: pretraining needs unlabelled images in column '{column}'."
                : $"All {row + 1} rows of column '{column}' were invalid and skipped; nothing is left to train on.", nameof(data));
        if (convert.UnitScaleProblem() is { } scaled)
            throw new ArgumentException($"Column '{column}': {scaled} (the exported model scales inside its graph).", nameof(data));
        var all = new byte[bytes.Count * size];
        for (int i = 0; i < bytes.Count; i++) Buffer.BlockCopy(bytes[i], 0, all, i * size, size);
        return (InMemoryImageDataset.Wrap(all, c, h, w), skipped);
    }
}
