using Microsoft.ML;
using Microsoft.ML.Data;

namespace SynCo.ML.Data;

/// <summary>
/// A forward-only cursor over one (C, H, W) pixel column of an <see cref="IDataView"/> that computes rows on the calling
/// thread and turns each into bytes (<see cref="PixelBytes"/>), so that one row's failure (an image ML.NET cannot decode,
/// a wrong length, a NaN pixel) is that row's problem instead of the end of the pass.
/// </summary>
/// <remarks>
/// ML.NET computes a column in its getter, lazily: <c>LoadImages</c> decodes the file when the pixel getter asks for it.
/// <c>GetRowCursor</c> on a transformed view hands that work to worker threads ("splitter/consolidator", ML.NET's
/// <c>DataViewUtils.TryCreateConsolidatingCursor</c>), where a getter that throws ends <c>MoveNext</c> for every row.
/// This cursor asks for one serial cursor (<c>GetRowCursorSet</c> with n = 1), so a row's error surfaces in its getter,
/// here. Moving past rows without reading them computes no column, so it is cheap for such lazily computed views.
/// </remarks>
internal sealed class PixelRowCursor : IDisposable
{
    private readonly DataViewRowCursor _cursor;
    private readonly ValueGetter<VBuffer<float>>? _pixels;
    private readonly ValueGetter<ReadOnlyMemory<char>>? _path;
    private readonly float[] _dense;
    private VBuffer<float> _buffer;
    private ReadOnlyMemory<char> _text;

    /// <summary>A cursor over <paramref name="column"/> (and <paramref name="pathColumn"/> for messages), before row 0.</summary>
    public PixelRowCursor(IDataView data, string column, string? pathColumn, int size)
    {
        var columns = new List<DataViewSchema.Column> { data.Schema[column] };
        if (pathColumn is not null) columns.Add(data.Schema[pathColumn]);
        _cursor = Serial(data, columns);
        _pixels = _cursor.GetGetter<VBuffer<float>>(data.Schema[column]);
        if (pathColumn is not null) _path = _cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema[pathColumn]);
        _dense = new float[size];
        Column = column;
    }

    /// <summary>The pixel column.</summary>
    public string Column { get; }

    /// <summary>The current row, −1 before the first.</summary>
    public long Row { get; private set; } = -1;

    /// <summary>The 0–255 rule's state over every row read here (merge the cursors' with <see cref="PixelBytes.Add"/>).</summary>
    public PixelBytes Convert { get; } = new();

    /// <summary>Moves forward to <paramref name="row"/> without computing the rows passed; false when the view ends first.</summary>
    public bool MoveTo(long row)
    {
        while (Row < row)
        {
            if (!_cursor.MoveNext()) return false;
            Row++;
        }
        return true;
    }

    /// <summary>Reads the current row into <paramref name="destination"/>; null, or why the row cannot be used (with its file when known).</summary>
    public SkippedRow? Read(Span<byte> destination)
    {
        string? problem;
        try
        {
            _pixels!(ref _buffer);
            if (_buffer.Length != _dense.Length)
                problem = $"it has {_buffer.Length} values where the column's (C, H, W) needs {_dense.Length}";
            else
            {
                _buffer.CopyTo(_dense);
                problem = Convert.Convert(_dense, destination);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or FormatException or ArgumentException or UnauthorizedAccessException)
        {
            problem = $"it could not be read ({e.Message})";
        }
        return problem is null ? null : new SkippedRow(Row, CurrentPath(), problem);
    }

    /// <summary>Number of rows of <paramref name="data"/>: its own count, else one pass that computes no column.</summary>
    public static long CountRows(IDataView data)
    {
        if (data.GetRowCount() is { } known) return known;
        using var cursor = Serial(data, Array.Empty<DataViewSchema.Column>());
        long rows = 0;
        while (cursor.MoveNext()) rows++;
        return rows;
    }

    /// <inheritdoc/>
    public void Dispose() => _cursor.Dispose();

    private string? CurrentPath()
    {
        if (_path is null) return null;
        try
        {
            _path(ref _text);
            return _text.ToString();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>One cursor that computes rows on the thread that reads it (see the remarks).</summary>
    private static DataViewRowCursor Serial(IDataView data, IEnumerable<DataViewSchema.Column> columns)
    {
        var set = data.GetRowCursorSet(columns, 1);
        if (set.Length == 1) return set[0];
        foreach (var c in set) c.Dispose(); // n is only a recommendation: this view insists on several
        return data.GetRowCursor(columns);
    }
}
