using Microsoft.ML;
using Microsoft.ML.Data;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.ML.Transforms.Onnx;
using SynCo.ML.Data;
using SynCo.ML.Featurization;
using SynCo.ML.Interop;
using SynCo.ML.Model;
using SynCo.ML.Training;

namespace SynCo.ML;

/// <summary>
/// The fitted featurizer: the pretrained backbone as ONNX, run by ML.NET's <c>OnnxTransformer</c> (after ML.NET's own
/// resize and pixel extraction when the input was an image column). It behaves as any ML.NET transformer —
/// <c>Transform</c>, prediction engines, <c>mlContext.Model.Save</c> — and adds the training history, ONNX and PyTorch
/// export, and batched featurization of whole datasets. Dispose it to delete its temporary ONNX file.
/// </summary>
/// <remarks>
/// <c>mlContext.Model.Load</c> returns ML.NET's own <c>TransformerChain</c>, not this type: it holds only the ONNX graph
/// with batch norm folded, from which the training weights cannot be recovered. Call <see cref="ExportPyTorch"/>
/// (and <see cref="ExportOnnx(string)"/> for <see cref="OnnxFeaturizer"/>) on the fitted transformer before the process ends.
/// </remarks>
public sealed class SynCoTransformer : ITransformer, IDisposable
{
    private readonly ITransformer _inner;
    private readonly ITransformer? _prep;
    private readonly string _pixelColumn;
    private readonly byte[] _onnx;
    private readonly string _onnxPath;
    private readonly BackboneOptions _backboneOptions;
    private readonly int _imageHeight, _imageWidth;
    private readonly byte[] _backboneWeights;
    private readonly int? _onnxThreads;
    private readonly ConditionalWeakTable<IDataView, EmbeddingCacheView> _views = new();
    private long _featurizedRows;

    private SynCoTransformer(ITransformer inner, ITransformer? prep, string pixelColumn, byte[] onnx, string onnxPath, ResNet backbone,
        SynCoOptions options, int embeddingSize, IReadOnlyList<EpochSummary> history, IReadOnlyList<SkippedRow> skipped, string deviceReason)
    {
        _inner = inner;
        _prep = prep;
        _pixelColumn = pixelColumn;
        _onnx = onnx;
        _onnxPath = onnxPath;
        _backboneOptions = backbone.Options;
        (_imageHeight, _imageWidth) = (backbone.ImageHeight, backbone.ImageWidth);
        using var weights = new MemoryStream();
        using (var writer = new BinaryWriter(weights, Encoding.UTF8, leaveOpen: true)) backbone.save(writer);
        _backboneWeights = weights.ToArray();
        InputColumnName = options.InputColumnName;
        OutputColumnName = options.OutputColumnName;
        EmbeddingSize = embeddingSize;
        History = history;
        SkippedRowDetails = skipped;
        SkippedRows = skipped.Select(s => s.Row).ToArray();
        DeviceReason = deviceReason;
        EmbeddingCacheBytes = (long)options.EmbeddingCacheMegabytes << 20;
        Log = options.Run.Log;
        _onnxThreads = options.OnnxThreads;
    }

    /// <summary>The input column (pixels or images).</summary>
    public string InputColumnName { get; }

    /// <summary>The output column: a <c>Vector&lt;Single&gt;</c> of <see cref="EmbeddingSize"/> values.</summary>
    public string OutputColumnName { get; }

    /// <summary>Length of each output vector.</summary>
    public int EmbeddingSize { get; }

    /// <summary>Per-epoch loss, learning rate, throughput and hardness telemetry of the pretraining run.</summary>
    public IReadOnlyList<EpochSummary> History { get; }

    /// <summary>
    /// The memory bound of the embedding cache behind <see cref="Transform"/>, in bytes (<see cref="SynCoOptions.EmbeddingCacheMegabytes"/>);
    /// 0 when it is off.
    /// </summary>
    public long EmbeddingCacheBytes { get; }

    /// <summary>
    /// Rows this transformer has run through the backbone to fill embedding caches: a view's rows once, however many
    /// passes a downstream trainer makes over <see cref="Transform"/>'s output (the row-by-row ML.NET path is not counted).
    /// </summary>
    public long FeaturizedRows => Interlocked.Read(ref _featurizedRows);

    /// <summary>Receives one-line log messages (the options' <see cref="RunOptions.Log"/>).</summary>
    internal Action<string>? Log { get; }

    /// <summary>Row indices left out of pretraining (with <see cref="InvalidImageHandling.Skip"/>).</summary>
    public IReadOnlyList<long> SkippedRows { get; }

    /// <summary>The rows left out of pretraining with their image file, when the input names one, and the reason.</summary>
    public IReadOnlyList<SkippedRow> SkippedRowDetails { get; }

    /// <summary>When the fit streamed its input: the most bytes of decoded images it held at once; null when it kept the input in memory.</summary>
    internal long? StreamedPeakBytes { get; set; }

    /// <summary>Which device trained and why.</summary>
    public string DeviceReason { get; }

    /// <summary>The exported ONNX model (a copy): input = raw 0–255 pixels [N, C, H, W], output = embeddings [N, D].</summary>
    public byte[] GetOnnxModel() => (byte[])_onnx.Clone();

    /// <summary>Writes the ONNX backbone to <paramref name="path"/> (for ONNX Runtime, other engines, or bulk featurization).</summary>
    public void ExportOnnx(string path) => File.WriteAllBytes(path, _onnx);

    /// <summary>Writes the ONNX backbone to <paramref name="stream"/> (left open).</summary>
    public void ExportOnnx(Stream stream) => stream.Write(_onnx);

    /// <summary>
    /// A new CPU <see cref="ResNet"/> with the trained (unfolded) backbone weights, in eval mode; the caller disposes it.
    /// Use it for TorchSharp fine-tuning or as the reference of the ONNX output (after scaling and normalising the pixels).
    /// </summary>
    public ResNet CreateBackbone()
    {
        var backbone = new ResNet(_backboneOptions, _imageHeight, _imageWidth);
        using var reader = new BinaryReader(new MemoryStream(_backboneWeights));
        backbone.load(reader);
        backbone.eval();
        return backbone;
    }

    /// <summary>
    /// Writes the trained backbone as a torchvision-keyed PyTorch state dict (<c>fc.*</c> excluded): ".pt"/".pth" for
    /// <c>torch.load</c>, ".safetensors" for safetensors (see <see cref="PyTorchWeights"/> for the matching torchvision model).
    /// Only available on the fitted object: a model reloaded with <c>mlContext.Model.Load</c> has just the folded ONNX graph.
    /// </summary>
    /// <param name="path">Destination ending in ".pt", ".pth" or ".safetensors".</param>
    /// <exception cref="ArgumentException">The extension is none of those.</exception>
    public void ExportPyTorch(string path)
    {
        using var backbone = CreateBackbone();
        PyTorchWeights.SaveBackbone(backbone, path);
    }

    /// <summary>
    /// Featurizes every image of <paramref name="images"/> in batches with ONNX Runtime (this model's ONNX graph), in
    /// dataset order: much faster than <see cref="Transform"/>, which ML.NET runs one row per call.
    /// </summary>
    /// <param name="images">uint8 images of the training (C, H, W); planar RGB (or grey) 0–255 as <see cref="IImageDataset"/> defines.</param>
    /// <param name="options">Device ("auto" tries ONNX Runtime's CUDA provider), threads and batch size; null = defaults.</param>
    /// <param name="progress">Receives (images done, total, images/s) after every batch, on the calling thread.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <returns>One float[<see cref="EmbeddingSize"/>] per image, equal (to float rounding) to this transformer's output column.</returns>
    /// <exception cref="ArgumentException">The images' (C, H, W) differ from the model's, or an option is illegal.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <example>
    /// Image files: pass an <see cref="ImageFolderDataset"/> (ImageSharp decode + centre-crop resize; unreadable files
    /// fail, or are skipped and listed in <see cref="ImageFolderDataset.Skipped"/>):
    /// <code>
    /// var files = new ImageFolderDataset("photos", height: 32, width: 32, channels: 3, skipUnreadable: true);
    /// float[][] features = model.Featurize(files, new OnnxFeaturizerOptions { BatchSize = 128 });
    /// FeatureFiles.WriteNpy("features.npy", features);
    /// </code>
    /// </example>
    public float[][] Featurize(IImageDataset images, OnnxFeaturizerOptions? options = null, IProgress<FeaturizeProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        using var featurizer = new OnnxFeaturizer(_onnx, options);
        return featurizer.Featurize(images, progress, cancellationToken);
    }

    /// <summary>
    /// Featurizes the <see cref="InputColumnName"/> column of <paramref name="data"/> in batches with ONNX Runtime, reading
    /// it with one cursor (nothing is loaded whole). An image input column goes through the same ML.NET resize and pixel
    /// extraction as <see cref="Transform"/>.
    /// </summary>
    /// <param name="data">Rows with the input column the model was fitted on.</param>
    /// <param name="options">Device, threads and batch size; null = defaults.</param>
    /// <param name="progress">Receives progress after every batch.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <returns>One float[<see cref="EmbeddingSize"/>] per row, in cursor order.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of another type.</exception>
    public float[][] Featurize(IDataView data, OnnxFeaturizerOptions? options = null, IProgress<FeaturizeProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        PixelColumnReader.Find(data.Schema, InputColumnName);
        IDataView pixels = _prep?.Transform(data) ?? data;
        using var featurizer = new OnnxFeaturizer(_onnx, options);
        return featurizer.Featurize(pixels, _pixelColumn, progress, cancellationToken);
    }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => _inner.IsRowToRowMapper;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _inner.GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _inner.GetRowToRowMapper(inputSchema);

    /// <summary>
    /// Adds the embedding column to <paramref name="input"/>. The result reads like ML.NET's own transformers' output,
    /// but its embeddings are computed once per input view, in batches, the first time a cursor reads them, and then
    /// served from memory (bounded by <see cref="EmbeddingCacheBytes"/>): a downstream trainer that makes many passes
    /// (SDCA, L-BFGS, FastTree) runs the backbone once per row, not once per row and pass. Transforming the same view
    /// again returns the same cached view. With the cache off, or for inputs whose embeddings exceed the bound, this is
    /// ML.NET's row-by-row ONNX chain.
    /// </summary>
    /// <param name="input">Rows with the <see cref="InputColumnName"/> column (a <c>Vector&lt;Single&gt;</c> of (C, H, W) 0–255 pixels, or an image column).</param>
    /// <returns>The input's columns plus <see cref="OutputColumnName"/>, a known-size <c>Vector&lt;Single&gt;</c>.</returns>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (EmbeddingCacheBytes <= 0) return _inner.Transform(input);
        return _views.GetValue(input, view => new EmbeddingCacheView(view, _inner.Transform(view), this));
    }

    /// <summary>Featurizes every row of <paramref name="input"/> for an embedding cache (the CPU, as ML.NET's ONNX scorer runs).</summary>
    internal float[][] FeaturizeForCache(IDataView input)
    {
        var rows = Featurize(input, new OnnxFeaturizerOptions { Device = "cpu", IntraOpThreads = _onnxThreads });
        Interlocked.Add(ref _featurizedRows, rows.Length);
        return rows;
    }

    /// <summary>Saves as ML.NET's own transformer chain; <c>mlContext.Model.Load</c> restores it without SynCo.ML types.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _inner.Save(ctx);

    /// <summary>Releases the ONNX Runtime session and deletes the temporary ONNX file.</summary>
    public void Dispose()
    {
        (_inner as IDisposable)?.Dispose();
        try { File.Delete(_onnxPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    internal static SynCoTransformer Create(TransformsCatalog catalog, byte[] onnx, ResNet backbone, ITransformer? prep, IDataView pixels, string pixelColumn,
        string[] temporaryColumns, SynCoOptions o, IReadOnlyList<EpochSummary> history, IReadOnlyList<SkippedRow> skipped, string deviceReason)
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
        return new SynCoTransformer(chain, prep, pixelColumn, onnx, path, backbone, o, outType?.Size ?? 0, history, skipped, deviceReason);
    }
}
