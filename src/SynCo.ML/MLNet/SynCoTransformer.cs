using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using SynCo.ML.Training;

namespace SynCo.ML;

/// <summary>
/// The fitted featurizer: the pretrained backbone as ONNX, run by ML.NET's <c>OnnxTransformer</c> (after ML.NET's own
/// resize and pixel extraction when the input was an image column). It behaves as any ML.NET transformer —
/// <c>Transform</c>, prediction engines, <c>mlContext.Model.Save</c> — and adds the training history and ONNX export.
/// Dispose it to delete its temporary ONNX file.
/// </summary>
public sealed class SynCoTransformer : ITransformer, IDisposable
{
    private readonly ITransformer _inner;
    private readonly byte[] _onnx;
    private readonly string _onnxPath;

    private SynCoTransformer(ITransformer inner, byte[] onnx, string onnxPath, SynCoOptions options, int embeddingSize,
        IReadOnlyList<EpochSummary> history, IReadOnlyList<long> skipped, string deviceReason)
    {
        _inner = inner;
        _onnx = onnx;
        _onnxPath = onnxPath;
        InputColumnName = options.InputColumnName;
        OutputColumnName = options.OutputColumnName;
        EmbeddingSize = embeddingSize;
        History = history;
        SkippedRows = skipped;
        DeviceReason = deviceReason;
    }

    /// <summary>The input column (pixels or images).</summary>
    public string InputColumnName { get; }

    /// <summary>The output column: a <c>Vector&lt;Single&gt;</c> of <see cref="EmbeddingSize"/> values.</summary>
    public string OutputColumnName { get; }

    /// <summary>Length of each output vector.</summary>
    public int EmbeddingSize { get; }

    /// <summary>Per-epoch loss, learning rate, throughput and hardness telemetry of the pretraining run.</summary>
    public IReadOnlyList<EpochSummary> History { get; }

    /// <summary>Row indices left out of pretraining (with <see cref="InvalidImageHandling.Skip"/>).</summary>
    public IReadOnlyList<long> SkippedRows { get; }

    /// <summary>Which device trained and why.</summary>
    public string DeviceReason { get; }

    /// <summary>The exported ONNX model (a copy): input = raw 0–255 pixels [N, C, H, W], output = embeddings [N, D].</summary>
    public byte[] GetOnnxModel() => (byte[])_onnx.Clone();

    /// <summary>Writes the ONNX backbone to <paramref name="path"/> (for ONNX Runtime, other engines, or bulk featurization).</summary>
    public void ExportOnnx(string path) => File.WriteAllBytes(path, _onnx);

    /// <summary>Writes the ONNX backbone to <paramref name="stream"/> (left open).</summary>
    public void ExportOnnx(Stream stream) => stream.Write(_onnx);

    /// <inheritdoc/>
    public bool IsRowToRowMapper => _inner.IsRowToRowMapper;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _inner.GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _inner.GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => _inner.Transform(input);

    /// <summary>Saves as ML.NET's own transformer chain; <c>mlContext.Model.Load</c> restores it without SynCo.ML types.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _inner.Save(ctx);

    /// <summary>Releases the ONNX Runtime session and deletes the temporary ONNX file.</summary>
    public void Dispose()
    {
        (_inner as IDisposable)?.Dispose();
        try { File.Delete(_onnxPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    internal static SynCoTransformer Create(TransformsCatalog catalog, byte[] onnx, ITransformer? prep, IDataView pixels, string pixelColumn,
        string[] temporaryColumns, SynCoOptions o, IReadOnlyList<EpochSummary> history, IReadOnlyList<long> skipped, string deviceReason)
    {
        // ML.NET's Stream overload copies the model to a temp file it never deletes; own the file instead.
        string dir = Path.Combine(Path.GetTempPath(), "synco-ml");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, onnx);
        var onnxOptions = new OnnxOptions
        {
            ModelFile = path, InputColumns = new[] { pixelColumn }, OutputColumns = new[] { o.OutputColumnName },
            IntraOpNumThreads = o.OnnxThreads,
        };
        var scorer = catalog.ApplyOnnxModel(onnxOptions).Fit(pixels);
        var parts = new List<ITransformer>();
        if (prep is not null) parts.Add(prep);
        parts.Add(scorer);
        if (temporaryColumns.Length > 0) parts.Add(catalog.DropColumns(temporaryColumns).Fit(scorer.Transform(pixels)));
        var chain = new TransformerChain<ITransformer>(parts.ToArray());
        var outType = chain.GetOutputSchema(pixels.Schema)[o.OutputColumnName].Type as VectorDataViewType;
        return new SynCoTransformer(chain, onnx, path, o, outType?.Size ?? 0, history, skipped, deviceReason);
    }
}
