using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using SynCo.ML.Data;
using SynCo.ML.Onnx;
using SynCo.ML.Training;

namespace SynCo.ML;

/// <summary>
/// Pretrains an image backbone without labels when fitted (MoCo v2 with MoCHi/SynCo synthetic hard negatives, on
/// TorchSharp), exports it to ONNX and returns a <see cref="SynCoTransformer"/> that featurizes images through ONNX
/// Runtime. Create it with <see cref="SynCoCatalog.SynCoPretrain(TransformsCatalog, SynCoOptions)"/>.
/// </summary>
/// <remarks>
/// <para>Input column: a <c>Vector&lt;Single&gt;</c> with dimensions (C, H, W), C = 1 or 3, in ExtractPixels' default 0–255
/// scale; or an image column (the fitted chain then resizes and extracts pixels itself). Output column: a known-size
/// <c>Vector&lt;Single&gt;</c> embedding.</para>
/// <para>The fitted model is built from ML.NET's own savable transformers around the exported ONNX, so
/// <c>mlContext.Model.Save</c>/<c>Load</c> work natively; a loaded model comes back as ML.NET's <c>TransformerChain</c>
/// with identical embeddings (training history and the <see cref="SynCoTransformer.ExportOnnx(string)"/> API live on the
/// in-memory <see cref="SynCoTransformer"/>).</para>
/// </remarks>
public sealed class SynCoEstimator : IEstimator<SynCoTransformer>
{
    private readonly TransformsCatalog _catalog;

    internal SynCoEstimator(TransformsCatalog catalog, SynCoOptions options)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        if (options.OutputColumnName == options.InputColumnName)
            throw new ArgumentException($"OutputColumnName and InputColumnName are both '{options.InputColumnName}'; give the embedding column its own name.", nameof(options));
    }

    /// <summary>The options this estimator fits with (changes after construction are seen by the next <see cref="Fit"/>).</summary>
    public SynCoOptions Options { get; }

    /// <summary>Validates the input column and describes the output column without training.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var o = Options;
        var matches = inputSchema.Where(c => c.Name == o.InputColumnName).ToList();
        if (matches.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{o.InputColumnName}' was not found. Available columns: " +
                string.Join(", ", inputSchema.Select(c => $"'{c.Name}'")) + ".");
        var col = matches[^1];
        if (col.ItemType is ImageDataViewType)
        {
            var (_, _, pixels) = ImagePreparation(o, col.ItemType as ImageDataViewType);
            return _catalog.CopyColumns(o.OutputColumnName, pixels.Name).GetOutputSchema(pixels.Estimator.GetOutputSchema(inputSchema));
        }
        if (col.Kind != SchemaShape.Column.VectorKind.Vector || col.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Column '{o.InputColumnName}' is {col.Kind} of {col.ItemType}; SynCoPretrain takes a " +
                "known-size Vector<Single> of (C, H, W) pixels (ExtractPixels) or an image column (LoadImages).");
        return _catalog.CopyColumns(o.OutputColumnName, o.InputColumnName).GetOutputSchema(inputSchema);
    }

    /// <summary>Pretrains on <paramref name="input"/> (labels, if any, are ignored), exports and returns the featurizer.</summary>
    /// <remarks>
    /// <para>The input is read once to check every row (and count them). Inputs whose pixels fit within
    /// <see cref="SynCoOptions.InMemoryLimitMegabytes"/> as bytes are kept in memory from that pass; larger ones are
    /// streamed: each epoch reads the view again through its cursors (so ML.NET decodes image files again), a window of
    /// the epoch's order at a time on background threads, holding at most <see cref="SynCoOptions.StreamingBufferMegabytes"/>
    /// of decoded images. Both paths visit the same seeded order and train the same model; the log says which ran and why.</para>
    /// <para>Rows are read with serial cursors, so an image ML.NET cannot decode is that row's error: it names the row and,
    /// when the view has a path column (<see cref="SynCoOptions.ImagePathColumnName"/>), the file; with
    /// <see cref="InvalidImageHandling.Skip"/> the row is left out and listed in <see cref="SynCoTransformer.SkippedRowDetails"/>.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">The column is missing or of the wrong type, the data is empty or smaller than a batch, or pixels are not 0–255.</exception>
    /// <exception cref="InvalidOperationException">A row is unreadable and <see cref="SynCoOptions.InvalidImages"/> is <see cref="InvalidImageHandling.Fail"/>.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><see cref="SynCoOptions.CancellationToken"/> was cancelled.</exception>
    public SynCoTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var host = HostLog.For(_catalog);
        var o = Options.ForFit();
        o.Run.Seed ??= host.Seed() ?? 0;
        var userLog = Options.Run.Log;
        Action<string> log = o.Run.Log = m => { host.Info(m); userLog?.Invoke(m); };

        var column = PixelColumnReader.Find(input.Schema, o.InputColumnName);
        ITransformer? prep = null;
        string pixelColumn = o.InputColumnName;
        IDataView pixels = input;
        string[] temporary = Array.Empty<string>();
        if (column.Type is ImageDataViewType imageType)
        {
            var (resized, width, prepared) = ImagePreparation(o, imageType);
            prep = prepared.Estimator.Fit(input);
            pixels = prep.Transform(input);
            pixelColumn = prepared.Name;
            temporary = new[] { resized, pixelColumn };
            log($"image column '{o.InputColumnName}': resized to {width} and converted to RGB pixels inside the fitted chain");
        }
        var (data, skipped) = FitInput.Open(pixels, pixelColumn, o, log);
        if (skipped.Count > 0)
            log($"skipped {skipped.Count} invalid row(s) (first: {string.Join("; ", skipped.Take(10).Select(s => s.Describe(pixelColumn)))})");

        o.Backbone.CheckFeatureGrid(o.FeatureGrid, data.Height, data.Width, nameof(SynCoOptions.FeatureGrid));   // before the hours of training
        using var result = new Pretrainer(o).Train(data, o.CancellationToken);
        var spec = result.Description.ExportSpec();
        spec.FeatureGrid = o.FeatureGrid;
        spec.Output = o.Output;
        spec.L2Normalize = o.NormalizeOutput;
        spec.InputName = pixelColumn;
        spec.OutputName = o.OutputColumnName;
        byte[] onnx = BackboneOnnxExporter.ExportToBytes(result.Encoder, spec);
        o.Run.Log = userLog; // the transformer outlives this fit's mlContext channel
        var model = SynCoTransformer.Create(_catalog, onnx, result.Encoder.Backbone, prep, pixels, pixelColumn, temporary, o, result.History, skipped, result.DeviceReason);
        model.StreamedPeakBytes = (data as StreamedPixelDataset)?.PeakBytesHeld;
        return model;
    }

    /// <summary>The resize + pixel-extraction estimator for an image input, with its temporary column names.</summary>
    private (string Resized, string Size, (string Name, IEstimator<ITransformer> Estimator) Pixels) ImagePreparation(SynCoOptions o, ImageDataViewType? type)
    {
        int width = o.ImageWidth ?? (type is { Width: > 0 } ? type.Width : 0);
        int height = o.ImageHeight ?? (type is { Height: > 0 } ? type.Height : 0);
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"Column '{o.InputColumnName}' holds images of unknown size; set SynCoOptions.ImageWidth and ImageHeight " +
                "(e.g. 32 and 32) so the fitted chain can resize them.");
        string resized = $"{o.OutputColumnName}.SynCoResized", pixels = $"{o.OutputColumnName}.SynCoPixels";
        var estimator = _catalog.ResizeImages(resized, width, height, o.InputColumnName)
            .Append(_catalog.ExtractPixels(pixels, resized));
        return (resized, $"{width}x{height}", (pixels, estimator));
    }
}
