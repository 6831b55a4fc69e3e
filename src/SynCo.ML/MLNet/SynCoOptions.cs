using SynCo.ML.Onnx;
using SynCo.ML.Training;

namespace SynCo.ML;

/// <summary>
/// Options of <see cref="SynCoEstimator"/>: the columns, what the fitted featurizer outputs, and every pretraining
/// setting of <see cref="PretrainOptions"/> (backbone, recipe, negatives, device, checkpoints, progress callbacks).
/// </summary>
/// <example>
/// <code>
/// var options = new SynCoOptions { OutputColumnName = "Features", InputColumnName = "Pixels", Epochs = 20, BatchSize = 128 };
/// options.Backbone.WidthMultiplier = 0.25;
/// options.Negatives = NegativeOptions.SynCo(options.MoCo.QueueSize);
/// var estimator = mlContext.Transforms.SynCoPretrain(options);
/// </code>
/// </example>
public sealed class SynCoOptions : PretrainOptions
{
    /// <summary>
    /// Name of the output column: a known-size <c>Vector&lt;Single&gt;</c> embedding (backbone features, or the projection when
    /// <see cref="Output"/> is <see cref="OnnxOutputKind.Projection"/>). Default "Features".
    /// </summary>
    public string OutputColumnName { get; set; } = Defaults.OutputColumnName;

    /// <summary>
    /// Name of the input column. Either a <c>Vector&lt;Single&gt;</c> with dimensions (C, H, W) of 0–255 pixels, as
    /// <c>ExtractPixels</c> produces by default or a <c>[VectorType(c, h, w)]</c> member declares; or an image column
    /// (<c>MLImage</c>, from <c>LoadImages</c>), which the fitted chain resizes to <see cref="ImageWidth"/>×<see cref="ImageHeight"/>
    /// and turns into RGB pixels itself. Default "Pixels".
    /// </summary>
    public string InputColumnName { get; set; } = Defaults.InputColumnName;

    /// <summary>Output the backbone features (default) or the projection head's embedding.</summary>
    public OnnxOutputKind Output { get; set; } = OnnxOutputKind.Features;

    /// <summary>
    /// Cells per side of the grid the backbone features are averaged over (<see cref="OnnxExportSpec.FeatureGrid"/>): 1
    /// (default) gives <see cref="Model.BackboneOptions.FeatureDim"/> values per row, g gives FeatureDim·g², keeping
    /// where in the image each feature fired, which helps few-label classifiers on aligned images (Fashion-MNIST at 600
    /// labels: docs/benchmarks.md). At most the feature map's shorter side (4 for 28–32 px images with the small stem);
    /// checked before training. Only 1 with <see cref="OnnxOutputKind.Projection"/>.
    /// </summary>
    public int FeatureGrid { get; set; } = Defaults.FeatureGrid;

    /// <summary>L2-normalise the output vectors (inside the ONNX graph). Default false.</summary>
    public bool NormalizeOutput { get; set; }

    /// <summary>For an image input column: width to resize to. Null = the column's own width if its type states one.</summary>
    public int? ImageWidth { get; set; }

    /// <summary>For an image input column: height to resize to. Null = the column's own height if its type states one.</summary>
    public int? ImageHeight { get; set; }

    /// <summary>Rows with unreadable images or non-finite pixels: fail (default) or skip and report.</summary>
    public InvalidImageHandling InvalidImages { get; set; } = InvalidImageHandling.Fail;

    /// <summary>
    /// The text column whose value names a row's image file in messages and in <see cref="SynCoTransformer.SkippedRowDetails"/>
    /// (e.g. the path column <c>LoadImages</c> reads). Null (default) = found by rule: the visible text column named
    /// "ImagePath", else the last visible text column whose name ends in "Path" (any case), else the only visible text
    /// column; none when no column fits.
    /// </summary>
    public string? ImagePathColumnName { get; set; }

    /// <summary>
    /// Inputs whose pixels take at most this many MB as bytes (rows × C × H × W) are read once and kept in memory for all
    /// epochs; larger inputs are streamed: every epoch reads the view again through its cursors (ML.NET decodes image
    /// files again), holding at most <see cref="StreamingBufferMegabytes"/> of decoded images. Null (default) = a quarter
    /// of the memory the runtime says it may use (<c>GC.GetGCMemoryInfo().TotalAvailableMemoryBytes</c>: a process whose
    /// heap is capped with <c>DOTNET_GCHeapHardLimit</c> streams by itself). 0 = always stream. Both paths train on the
    /// same seeded order and give the same model; the log says which ran and why.
    /// </summary>
    public int? InMemoryLimitMegabytes { get; set; }

    /// <summary>
    /// Memory bound, in MB, of the decoded images held while streaming (two read-ahead windows of the epoch's order; each
    /// epoch makes one forward pass over the view's rows per window). At least 1. Null (default) = a sixteenth of the
    /// memory the runtime may use, within 16–1024 MB (20 MB under a 320 MB heap cap, 1 GB on a 16 GB machine). Raise it
    /// for inputs of very many rows, where each pass over the rows costs more than the decoding it saves.
    /// </summary>
    public int? StreamingBufferMegabytes { get; set; }

    /// <summary>ONNX Runtime intra-op threads of the fitted featurizer; null = ONNX Runtime's default.</summary>
    public int? OnnxThreads { get; set; }

    /// <summary>
    /// Memory bound, in MB, of the embeddings the fitted transformer keeps per transformed view, so downstream trainers'
    /// passes read stored vectors instead of running the backbone per row and pass (see <see cref="SynCoTransformer.Transform"/>).
    /// Non-negative; 0 turns the cache off (ML.NET's row-by-row ONNX chain). Default 1024 MB: 2 M rows of 128 floats.
    /// </summary>
    public int EmbeddingCacheMegabytes { get; set; } = Defaults.EmbeddingCacheMegabytes;

    /// <summary>Cancels <see cref="SynCoEstimator.Fit"/> between training steps (ML.NET's own cancellation is internal).</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// The copy one <see cref="SynCoEstimator.Fit"/> trains with: its <see cref="PretrainOptions.Run"/> is its own, so the
    /// estimator can fill in the MLContext's seed and log without changing these options; the other parts are shared.
    /// </summary>
    internal SynCoOptions ForFit()
    {
        var copy = (SynCoOptions)MemberwiseClone();
        copy.Run = Run.Clone();
        return copy;
    }

    /// <inheritdoc/>
    public override void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputColumnName)) throw new ArgumentException("OutputColumnName must name a column.", nameof(OutputColumnName));
        if (string.IsNullOrWhiteSpace(InputColumnName)) throw new ArgumentException("InputColumnName must name a column.", nameof(InputColumnName));
        if (ImageWidth is { } w) Guard.Positive(w, nameof(ImageWidth));
        if (ImageHeight is { } h) Guard.Positive(h, nameof(ImageHeight));
        if (OnnxThreads is { } t) Guard.Positive(t, nameof(OnnxThreads));
        Guard.NonNegative(EmbeddingCacheMegabytes, nameof(EmbeddingCacheMegabytes));
        Guard.Positive(FeatureGrid, nameof(FeatureGrid));
        if (FeatureGrid != 1 && Output == OnnxOutputKind.Projection)
            throw new ArgumentException($"FeatureGrid is {FeatureGrid}, but the projection head takes the globally pooled features; set FeatureGrid = 1 or Output = Features.", nameof(FeatureGrid));
        if (InMemoryLimitMegabytes is { } limit) Guard.NonNegative(limit, nameof(InMemoryLimitMegabytes));
        if (StreamingBufferMegabytes is { } buffer) Guard.Positive(buffer, nameof(StreamingBufferMegabytes));
        if (ImagePathColumnName is { } path && string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("ImagePathColumnName must name a column, or be null to find it by rule.", nameof(ImagePathColumnName));
        base.Validate();
    }
}
