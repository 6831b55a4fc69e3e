using Parquet;
using Parquet.Schema;

namespace SynCo.ML.Featurization;

/// <summary>
/// Writes one feature part file, row group by row group, so memory stays at one row group whatever the part's size.
/// Columns: <c>path</c> (string, required), <c>label</c> (int32, required; only when the writer is labelled) and
/// <c>features</c> (list of float32, every row of length <see cref="EmbeddingSize"/>); plus key/value file metadata
/// (<see cref="ParquetFeatureMetadataKeys"/>). The rows go to <c>&lt;path&gt;.tmp</c> (a leftover from a crashed run is
/// replaced) and <see cref="Complete"/> renames it to <c>&lt;path&gt;</c>, so a reader never sees half a part;
/// disposing without <see cref="Complete"/> deletes the temporary file.
/// </summary>
/// <remarks>Not thread-safe. The methods block on Parquet.Net's asynchronous writer.</remarks>
public sealed class ParquetFeatureWriter : IDisposable
{
    /// <summary>Rows per row group unless told otherwise.</summary>
    public const int DefaultRowGroupSize = 4096;

    private static readonly ParquetOptions Options = new() { CompressionMethod = CompressionMethod.Snappy };

    private readonly DataField<string> _path = new("path", nullable: false);
    private readonly DataField<int> _label = new("label", nullable: false);
    private readonly ListField _features = new("features", new DataField<float>("element", nullable: false));
    private readonly FileStream _stream;
    private readonly ParquetWriter _writer;
    private readonly string[] _paths;
    private readonly int[] _labels;
    private readonly float[] _values;
    private readonly int[] _repetition;
    private readonly int[] _definition;
    private readonly DataField _element;
    private int _buffered;
    private bool _completed, _disposed;

    /// <summary>Starts a part at <paramref name="path"/> (written to <c>path + ".tmp"</c> until <see cref="Complete"/>).</summary>
    /// <param name="path">The final part file, e.g. <c>out/part-00000-of-00004.parquet</c>; its folder must exist.</param>
    /// <param name="embeddingSize">Length D of every feature vector, at least 1.</param>
    /// <param name="labelled">Whether rows carry an int32 <c>label</c> column.</param>
    /// <param name="rowGroupSize">Rows per row group, at least 1 (default <see cref="DefaultRowGroupSize"/>); memory use is about rowGroupSize × D × 8 bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    /// <exception cref="IOException">The temporary file cannot be created.</exception>
    public ParquetFeatureWriter(string path, int embeddingSize, bool labelled, int rowGroupSize = DefaultRowGroupSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        EmbeddingSize = Guard.Positive(embeddingSize, nameof(embeddingSize));
        RowGroupSize = Guard.Positive(rowGroupSize, nameof(rowGroupSize));
        if ((long)rowGroupSize * embeddingSize > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(rowGroupSize), rowGroupSize, $"rowGroupSize × embeddingSize must fit in one array; use at most {Array.MaxLength / embeddingSize} rows per group.");
        Path = System.IO.Path.GetFullPath(path);
        TemporaryPath = Path + ParquetFeatureFolder.TemporarySuffix;
        Labelled = labelled;
        _paths = new string[rowGroupSize];
        _labels = new int[labelled ? rowGroupSize : 0];
        _values = new float[rowGroupSize * embeddingSize];
        _repetition = new int[rowGroupSize * embeddingSize];
        for (int i = 0; i < _repetition.Length; i++) _repetition[i] = i % embeddingSize == 0 ? 0 : 1;
        var schema = labelled ? new ParquetSchema(_path, _label, _features) : new ParquetSchema(_path, _features);
        _element = (DataField)_features.Item;
        // Every list and every element is present: all definition levels are the element's maximum.
        _definition = new int[rowGroupSize * embeddingSize];
        Array.Fill(_definition, _element.MaxDefinitionLevel);
        _stream = new FileStream(TemporaryPath, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            _writer = ParquetWriter.CreateAsync(schema, _stream, Options).GetAwaiter().GetResult();
        }
        catch
        {
            _stream.Dispose();
            File.Delete(TemporaryPath);
            throw;
        }
    }

    /// <summary>Full path of the final part file.</summary>
    public string Path { get; }

    /// <summary>Full path of the file being written (<see cref="Path"/> + ".tmp").</summary>
    public string TemporaryPath { get; }

    /// <summary>Length D of every feature vector.</summary>
    public int EmbeddingSize { get; }

    /// <summary>Rows per row group.</summary>
    public int RowGroupSize { get; }

    /// <summary>Whether the part has a <c>label</c> column.</summary>
    public bool Labelled { get; }

    /// <summary>Rows added so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Adds one row; a full row group is written out.</summary>
    /// <param name="path">The image's path relative to the input root ('/' separators), or its IDX index as a string.</param>
    /// <param name="label">Its label, 0 or more; ignored (pass null) when the writer is not <see cref="Labelled"/>.</param>
    /// <param name="features">Exactly <see cref="EmbeddingSize"/> values.</param>
    /// <exception cref="ArgumentException">The vector has the wrong length, or a labelled writer got no label.</exception>
    /// <exception cref="InvalidOperationException">The part is already complete or disposed.</exception>
    public void Add(string path, int? label, ReadOnlySpan<float> features)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckOpen();
        if (features.Length != EmbeddingSize)
            throw new ArgumentException($"A row needs {EmbeddingSize} feature values; got {features.Length}.", nameof(features));
        if (Labelled && label is null)
            throw new ArgumentException("This part has a label column; pass each row's label.", nameof(label));
        _paths[_buffered] = path;
        if (Labelled) _labels[_buffered] = label!.Value;
        features.CopyTo(_values.AsSpan(_buffered * EmbeddingSize, EmbeddingSize));
        Rows++;
        if (++_buffered == RowGroupSize) Flush();
    }

    /// <summary>
    /// Writes the last row group and the file metadata, then renames the temporary file to <see cref="Path"/>
    /// (replacing an older part there). After this the writer only disposes.
    /// </summary>
    /// <param name="metadata">Key/value file metadata, e.g. the <see cref="ParquetFeatureMetadataKeys"/>.</param>
    /// <exception cref="InvalidOperationException">Already complete or disposed.</exception>
    public void Complete(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        CheckOpen();
        if (_buffered > 0) Flush();
        _writer.CustomMetadata = metadata.ToDictionary(p => p.Key, p => p.Value);
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(TemporaryPath, Path, overwrite: true);
        _completed = true;
    }

    /// <summary>Closes the file; without <see cref="Complete"/>, deletes the temporary file (no part appears).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_completed) return;
        try
        {
            _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // The part is being abandoned; whatever the writer could not finish is deleted below.
        }
        _stream.Dispose();
        File.Delete(TemporaryPath);
    }

    private void Flush()
    {
        int rows = _buffered, values = rows * EmbeddingSize;
        using (var group = _writer.CreateRowGroup())
        {
            group.WriteAsync(_path, new ArraySegment<string>(_paths, 0, rows)).GetAwaiter().GetResult();
            if (Labelled) group.WriteAsync<int>(_label, _labels.AsMemory(0, rows)).GetAwaiter().GetResult();
            group.WriteAllPartsAsync<float>(_element, _values.AsMemory(0, values), _definition.AsMemory(0, values), _repetition.AsMemory(0, values), CancellationToken.None).GetAwaiter().GetResult();
            group.CompleteValidate();
        }
        Array.Clear(_paths, 0, rows);
        _buffered = 0;
    }

    private void CheckOpen()
    {
        if (_completed || _disposed)
            throw new InvalidOperationException($"The part '{Path}' is already {(_completed ? "complete" : "disposed")}; start a new ParquetFeatureWriter.");
    }
}
