using Microsoft.ML;
using Microsoft.ML.Data;
using SynCo.ML.Data;

namespace SynCo.ML;

/// <summary>
/// Validates a pixel column of an <see cref="IDataView"/> and reads it into compact uint8 storage for pretraining.
/// Values must be the 0–255 scale of <c>ExtractPixels</c>' defaults; they are rounded to bytes.
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
    public static (InMemoryImageDataset Data, List<long> Skipped) Read(IDataView data, string column, InvalidImageHandling invalid,
        CancellationToken cancellationToken)
    {
        var (c, h, w) = Dimensions(data.Schema, column);
        int size = c * h * w;
        var bytes = new List<byte[]>();
        var skipped = new List<long>();
        float max = 0;
        using var cursor = data.GetRowCursor(new[] { data.Schema[column] });
        var getter = cursor.GetGetter<VBuffer<float>>(data.Schema[column]);
        var buffer = default(VBuffer<float>);
        var dense = new float[size];
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            if ((row & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            string? problem = null;
            try
            {
                getter(ref buffer);
                if (buffer.Length != size) problem = $"has {buffer.Length} values where (C, H, W) = ({c}, {h}, {w}) needs {size}";
                else
                {
                    buffer.CopyTo(dense);
                    foreach (float v in dense)
                    {
                        if (!float.IsFinite(v)) { problem = "has a NaN or infinite pixel"; break; }
                        if (v < 0 || v > 255.5f) { problem = $"has pixel value {v} outside 0–255; SynCoPretrain expects ExtractPixels' default scale (no offsetImage/scaleImage)"; break; }
                        if (v > max) max = v;
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or FormatException or ArgumentException)
            {
                problem = $"could not be read ({e.Message})";
            }
            if (problem is not null)
            {
                if (invalid == InvalidImageHandling.Fail)
                    throw new InvalidOperationException($"Row {row} of column '{column}' {problem}. Fix the input, or set InvalidImages = InvalidImageHandling.Skip to leave such rows out.");
                skipped.Add(row);
                continue;
            }
            var b = new byte[size];
            for (int i = 0; i < size; i++) b[i] = (byte)MathF.Round(dense[i]);
            bytes.Add(b);
        }
        if (bytes.Count == 0)
            throw new ArgumentException(row < 0
                ? $"The input has no rows: pretraining needs unlabelled images in column '{column}'."
                : $"All {row + 1} rows of column '{column}' were invalid and skipped; nothing is left to train on.", nameof(data));
        if (max <= 1.0f)
            throw new ArgumentException($"Every pixel of column '{column}' lies in [0, 1]: the pixels look scaled to 0–1, but SynCoPretrain expects " +
                "ExtractPixels' default 0–255 scale (the exported model scales inside its graph). Remove scaleImage from ExtractPixels.", nameof(data));
        var all = new byte[bytes.Count * size];
        for (int i = 0; i < bytes.Count; i++) Buffer.BlockCopy(bytes[i], 0, all, i * size, size);
        return (InMemoryImageDataset.Wrap(all, c, h, w), skipped);
    }
}
