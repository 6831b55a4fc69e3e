using Microsoft.ML;
using Microsoft.ML.Data;

namespace SynCo.ML;

/// <summary>
/// What <see cref="SynCoTransformer.Transform"/> returns: the ML.NET chain's output view, with the embedding column
/// served from memory. The first cursor that reads the embedding column featurizes every input row once, in batches
/// through ONNX Runtime; later cursors (an iterative trainer's passes, a normaliser's fit, the evaluation) read the
/// stored vectors instead of running the backbone per row and per pass. Cursors that do not read the embedding column,
/// and inputs whose embeddings would exceed the memory bound, go straight to the chain.
/// </summary>
internal sealed class EmbeddingCacheView : IDataView
{
    private readonly IDataView _input;
    private readonly IDataView _chainOutput;
    private readonly SynCoTransformer _owner;
    private readonly int _column;
    private readonly object _lock = new();
    private float[][]? _embeddings;
    private bool _tooLarge;

    public EmbeddingCacheView(IDataView input, IDataView chainOutput, SynCoTransformer owner)
    {
        _input = input;
        _chainOutput = chainOutput;
        _owner = owner;
        _column = chainOutput.Schema[owner.OutputColumnName].Index;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _chainOutput.Schema;

    public long? GetRowCount() => _chainOutput.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        if (!needed.Any(c => c.Index == _column) || Embeddings() is not { } embeddings)
            return _chainOutput.GetRowCursor(needed);
        var others = needed.Where(c => c.Index != _column).ToList();
        return new Cursor(_chainOutput.GetRowCursor(others), _chainOutput.Schema[_column], embeddings);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    /// <summary>The stored embeddings, computed on first use; null when they would not fit the bound (or caching is off).</summary>
    private float[][]? Embeddings()
    {
        lock (_lock)
        {
            if (_embeddings is not null || _tooLarge) return _embeddings;
            long bound = _owner.EmbeddingCacheBytes;
            long bytesPerRow = 4L * _owner.EmbeddingSize;
            long? rows = _input.GetRowCount();
            if (bound <= 0 || (rows is { } n && n * bytesPerRow > bound))
            {
                _tooLarge = true;
                if (bound > 0)
                    _owner.Log?.Invoke($"embedding cache: {rows} rows x {_owner.EmbeddingSize} floats exceed the bound of {bound / (1 << 20)} MB; " +
                        "each pass runs the backbone per row (raise SynCoOptions.EmbeddingCacheMegabytes, or use mlContext.Data.Cache)");
                return null;
            }
            _embeddings = _owner.FeaturizeForCache(_input);
            if (_embeddings.Length * bytesPerRow > bound) // the row count was unknown up front
            {
                _embeddings = null;
                _tooLarge = true;
                return null;
            }
            return _embeddings;
        }
    }

    /// <summary>The chain's cursor over the other columns, with the embedding column read from <see cref="Embeddings"/> by row position.</summary>
    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _inner;
        private readonly DataViewSchema.Column _column;
        private readonly float[][] _embeddings;

        public Cursor(DataViewRowCursor inner, DataViewSchema.Column column, float[][] embeddings)
        {
            _inner = inner;
            _column = column;
            _embeddings = embeddings;
        }

        public override DataViewSchema Schema => _inner.Schema;

        public override long Position => _inner.Position;

        public override long Batch => _inner.Batch;

        public override bool MoveNext()
        {
            if (!_inner.MoveNext()) return false;
            if (_inner.Position >= _embeddings.Length)
                throw new InvalidOperationException($"The input view has more rows than the {_embeddings.Length} it had when its embeddings were computed; " +
                    "SynCo's embedding cache needs a view that gives the same rows on every cursor.");
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index == _column.Index || _inner.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != _column.Index) return _inner.GetGetter<TValue>(column);
            if (typeof(TValue) != typeof(VBuffer<float>))
                throw new InvalidOperationException($"Column '{column.Name}' is a Vector<Single>; ask for a VBuffer<float> getter, not {typeof(TValue).Name}.");
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                float[] row = _embeddings[_inner.Position];
                var editor = VBufferEditor.Create(ref value, row.Length);
                row.CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
