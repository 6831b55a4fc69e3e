using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SynCo.ML.Data;

namespace SynCo.ML.Featurization;

/// <summary>
/// Runs an image ONNX model (such as SynCo.ML's exported backbone: input float32 raw 0–255 pixels [N, C, H, W], output
/// float32 [N, D]) over whole datasets in batches with one ONNX Runtime session, instead of ML.NET's one row per call.
/// </summary>
/// <remarks>
/// <para>Device: with "auto" the CUDA execution provider is appended when ONNX Runtime lists
/// <c>CUDAExecutionProvider</c> (the GPU build, <c>-p:SynCoOnnxRuntimeGpu=true</c>) and the session opens with it;
/// otherwise the featurizer runs on the CPU and <see cref="DeviceReason"/> says why ("CUDA execution provider
/// unavailable: …"). An explicit "cuda"/"cuda:N" throws when the build has no CUDA provider at all (a configuration
/// error: the switch is missing), but falls back to the CPU with the same message when the GPU build is there and no
/// usable GPU, CUDA or cuDNN is (the same binaries then run on any machine).</para>
/// <para>One instance reuses its pinned input and output buffers across calls, so it is not thread-safe; use one per thread.</para>
/// </remarks>
/// <example>
/// <code>
/// using var featurizer = new OnnxFeaturizer("backbone.onnx", new OnnxFeaturizerOptions { BatchSize = 128 });
/// float[][] features = featurizer.Featurize(new ImageFolderDataset("photos", featurizer.Height, featurizer.Width));
/// FeatureFiles.WriteNpy("features.npy", features);
/// </code>
/// </example>
public sealed class OnnxFeaturizer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _sessionOptions;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _input;
    private readonly float[] _output;
    private readonly OrtValue _fullInput;
    private readonly OrtValue _fullOutput;
    private bool _disposed;

    /// <summary>Opens an ONNX model file.</summary>
    /// <param name="modelPath">Path of an .onnx file with one float32 input [N, C, H, W] and one float32 output [N, D].</param>
    /// <param name="options">Device, threads and batch size; null = defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <inheritdoc cref="OnnxFeaturizer(byte[], OnnxFeaturizerOptions?)" path="/exception"/>
    public OnnxFeaturizer(string modelPath, OnnxFeaturizerOptions? options = null)
        : this(ReadModel(modelPath), options)
    {
    }

    /// <summary>Opens an ONNX model held in memory.</summary>
    /// <param name="model">The ONNX model bytes: one float32 input [N, C, H, W] (N symbolic or any) and one float32 output [N, D].</param>
    /// <param name="options">Device, threads and batch size; null = defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is illegal, "cuda" was asked for in a build without the CUDA provider, or the model's input/output is not of the shape above.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the model.</exception>
    public OnnxFeaturizer(byte[] model, OnnxFeaturizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Options = options ?? new OnnxFeaturizerOptions();
        Options.Validate();
        (_session, _sessionOptions, ExecutionProvider, DeviceReason) = OrtDevice.Open(model, Options);
        try
        {
            (InputName, Channels, Height, Width) = ReadInput(_session);
            (OutputName, OutputDim) = ReadOutput(_session);
            ModelMetadata = new Dictionary<string, string>(_session.ModelMetadata.CustomMetadataMap);
            int batch = Options.BatchSize;
            _input = new float[checked(batch * Channels * Height * Width)];
            _output = new float[checked(batch * OutputDim)];
            _fullInput = OrtValue.CreateTensorValueFromMemory(_input, new long[] { batch, Channels, Height, Width });
            _fullOutput = OrtValue.CreateTensorValueFromMemory(_output, new long[] { batch, OutputDim });
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The options in use (validated at construction).</summary>
    public OnnxFeaturizerOptions Options { get; }

    /// <summary>The execution provider that runs the model: "CUDAExecutionProvider" or "CPUExecutionProvider".</summary>
    public string ExecutionProvider { get; }

    /// <summary>One line saying which device runs the model and why (including why CUDA is not used, when it was wanted).</summary>
    public string DeviceReason { get; }

    /// <summary>Name of the model's input tensor.</summary>
    public string InputName { get; }

    /// <summary>Name of the model's output tensor.</summary>
    public string OutputName { get; }

    /// <summary>Channels C of the input images.</summary>
    public int Channels { get; }

    /// <summary>Height H of the input images.</summary>
    public int Height { get; }

    /// <summary>Width W of the input images.</summary>
    public int Width { get; }

    /// <summary>Length D of each output vector.</summary>
    public int OutputDim { get; }

    /// <summary>The model's <c>metadata_props</c> (for SynCo.ML exports the <see cref="Onnx.OnnxMetadataKeys"/>); empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> ModelMetadata { get; } = new Dictionary<string, string>();

    /// <summary>Featurizes every image of <paramref name="images"/>, in dataset order.</summary>
    /// <param name="images">Images of exactly the model's (C, H, W); e.g. <see cref="ImageFolderDataset"/> or <see cref="InMemoryImageDataset"/>.</param>
    /// <param name="progress">Receives (images done, total, images/s) after every batch; called on the featurizing thread.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <returns>One float[<see cref="OutputDim"/>] per image, row i for image i.</returns>
    /// <exception cref="ArgumentException">The dataset's (C, H, W) differs from the model's.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="InvalidDataException">An <see cref="ImageFolderDataset"/> file cannot be decoded and skipping is off.</exception>
    public float[][] Featurize(IImageDataset images, IProgress<FeaturizeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var results = new float[images.Count][];
        int dim = OutputDim;
        FeaturizeBatches(images, (first, count, features) =>
        {
            for (int i = 0; i < count; i++) results[first + i] = features.Slice(i * dim, dim).ToArray();
        }, progress, cancellationToken);
        return results;
    }

    /// <summary>
    /// Featurizes every image of <paramref name="images"/> in dataset order and hands each batch to
    /// <paramref name="onBatch"/> as it is done, so the caller can write it out (memory stays at one batch whatever
    /// the dataset's size). Images are decoded on <see cref="OnnxFeaturizerOptions.ReaderThreads"/> threads, the next
    /// batch while ONNX Runtime runs the current one.
    /// </summary>
    /// <param name="images">Images of exactly the model's (C, H, W).</param>
    /// <param name="onBatch">Called on the featurizing thread with each batch's <c>count × D</c> float32 features.</param>
    /// <param name="progress">Receives (images done, total, images/s) after every batch.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <exception cref="ArgumentException">The dataset's (C, H, W) differs from the model's.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="InvalidDataException">An <see cref="ImageFolderDataset"/> file cannot be decoded and skipping is off.</exception>
    public void FeaturizeBatches(IImageDataset images, FeatureBatchHandler onBatch, IProgress<FeaturizeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(onBatch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (images.Channels != Channels || images.Height != Height || images.Width != Width)
            throw new ArgumentException($"The images are (C, H, W) = ({images.Channels}, {images.Height}, {images.Width}) but the model takes " +
                $"({Channels}, {Height}, {Width}); load or resize the images to {Channels}x{Height}x{Width}.", nameof(images));
        var loader = new BatchLoader(images, Options.BatchSize, dropLast: false, shuffle: false, readerThreads: Options.ReaderThreads);
        var clock = Stopwatch.StartNew();
        int done = 0;
        foreach (var batch in loader.GetBatches(0, cancellationToken: cancellationToken))
        {
            int count = batch.Indices.Count;
            using (batch)
            {
                ReadOnlySpan<byte> pixels = batch.Images.bytes;
                for (int i = 0; i < pixels.Length; i++) _input[i] = pixels[i];
            }
            Run(count);
            onBatch(done, count, _output.AsSpan(0, count * OutputDim));
            done += count;
            progress?.Report(new FeaturizeProgress(done, images.Count, done / clock.Elapsed.TotalSeconds));
        }
    }

    /// <summary>
    /// Featurizes a pixel column of an ML.NET <see cref="IDataView"/> in batches, reading it with one cursor (the data is
    /// never loaded whole).
    /// </summary>
    /// <param name="data">The rows.</param>
    /// <param name="pixelColumn">A <c>Vector&lt;Single&gt;</c> of C·H·W raw 0–255 pixels, planar (ExtractPixels' default output).</param>
    /// <param name="progress">Receives progress after every batch (total = the row count when the view knows it).</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <returns>One float[<see cref="OutputDim"/>] per row, in cursor order.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or not a float vector.</exception>
    /// <exception cref="ArgumentException">The column's vector size is not the model's C·H·W.</exception>
    public float[][] Featurize(IDataView data, string pixelColumn, IProgress<FeaturizeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var column = PixelColumnReader.Find(data.Schema, pixelColumn);
        int size = Channels * Height * Width;
        if (column.Type is not VectorDataViewType { ItemType: var item } vector || item != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(pixelColumn), $"Column '{pixelColumn}' has type {column.Type}; featurization takes a Vector<Single> of raw 0–255 pixels (ExtractPixels).");
        if (vector.Size != size)
            throw new ArgumentException($"Column '{pixelColumn}' holds {vector.Size} values per row ({string.Join("x", vector.Dimensions.ToArray())}) but the model takes " +
                $"(C, H, W) = ({Channels}, {Height}, {Width}) = {size}; resize the images to {Width}x{Height} before ExtractPixels.", nameof(pixelColumn));

        long? total = data.GetRowCount();
        var results = new List<float[]>();
        var clock = Stopwatch.StartNew();
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var row = default(VBuffer<float>);
        int count = 0;
        void Flush()
        {
            Run(count);
            for (int i = 0; i < count; i++) results.Add(_output.AsSpan(i * OutputDim, OutputDim).ToArray());
            count = 0;
            progress?.Report(new FeaturizeProgress(results.Count, total, results.Count / clock.Elapsed.TotalSeconds));
        }
        while (true)
        {
            if (count == 0) cancellationToken.ThrowIfCancellationRequested();
            if (!cursor.MoveNext()) break;
            getter(ref row);
            row.CopyTo(_input.AsSpan(count * size, size));
            if (++count == Options.BatchSize) Flush();
        }
        if (count > 0) Flush();
        return results.ToArray();
    }

    /// <summary>Runs the first <paramref name="count"/> images of the input buffer into the first <paramref name="count"/> rows of the output buffer.</summary>
    private void Run(int count)
    {
        if (count == Options.BatchSize)
        {
            _session.Run(_runOptions, new[] { InputName }, new[] { _fullInput }, new[] { OutputName }, new[] { _fullOutput });
        }
        else
        {
            // The last, smaller batch: views over the same pinned buffers with a shorter batch dimension.
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                _input.AsMemory(0, count * Channels * Height * Width), new long[] { count, Channels, Height, Width });
            using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                _output.AsMemory(0, count * OutputDim), new long[] { count, OutputDim });
            _session.Run(_runOptions, new[] { InputName }, new[] { input }, new[] { OutputName }, new[] { output });
        }
    }

    /// <summary>Releases the ONNX Runtime session and the pinned buffers.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _fullInput?.Dispose();
        _fullOutput?.Dispose();
        _runOptions.Dispose();
        _session?.Dispose();
        _sessionOptions?.Dispose();
    }

    private static byte[] ReadModel(string modelPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"ONNX model '{modelPath}' does not exist; export one with SynCoTransformer.ExportOnnx or BackboneOnnxExporter.", modelPath);
        return File.ReadAllBytes(modelPath);
    }

    private static (string Name, int C, int H, int W) ReadInput(InferenceSession session)
    {
        if (session.InputMetadata.Count != 1)
            throw new ArgumentException($"The model has {session.InputMetadata.Count} inputs ({string.Join(", ", session.InputMetadata.Keys)}); featurization needs exactly one [N, C, H, W] float input.", "model");
        var (name, meta) = session.InputMetadata.Single();
        int[] d = meta.Dimensions;
        if (meta.ElementDataType != TensorElementType.Float || d.Length != 4 || d[1] <= 0 || d[2] <= 0 || d[3] <= 0)
            throw new ArgumentException($"Input '{name}' is {meta.ElementDataType} [{string.Join(", ", d)}]; featurization needs float [N, C, H, W] with fixed C, H and W.", "model");
        return (name, d[1], d[2], d[3]);
    }

    private static (string Name, int D) ReadOutput(InferenceSession session)
    {
        if (session.OutputMetadata.Count != 1)
            throw new ArgumentException($"The model has {session.OutputMetadata.Count} outputs ({string.Join(", ", session.OutputMetadata.Keys)}); featurization needs exactly one [N, D] float output.", "model");
        var (name, meta) = session.OutputMetadata.Single();
        int[] d = meta.Dimensions;
        if (meta.ElementDataType != TensorElementType.Float || d.Length != 2 || d[1] <= 0)
            throw new ArgumentException($"Output '{name}' is {meta.ElementDataType} [{string.Join(", ", d)}]; featurization needs float [N, D] with a fixed D.", "model");
        return (name, d[1]);
    }
}
