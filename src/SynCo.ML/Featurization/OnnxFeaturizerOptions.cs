namespace SynCo.ML.Featurization;

/// <summary>Where and how <see cref="OnnxFeaturizer"/> runs the ONNX backbone.</summary>
public sealed class OnnxFeaturizerOptions
{
    /// <summary>
    /// "auto" (default: ONNX Runtime's CUDA execution provider when this build has it and a GPU is usable, else the CPU),
    /// "cpu", "cuda" or "cuda:N". See <see cref="OnnxFeaturizer"/> for what happens when CUDA is unavailable.
    /// </summary>
    public string Device { get; set; } = Defaults.Device;

    /// <summary>ONNX Runtime intra-op threads; null (default) = ONNX Runtime's default (one per physical core).</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>Images per ONNX Runtime call; positive. Default <see cref="Defaults.FeaturizeBatchSize"/>.</summary>
    public int BatchSize { get; set; } = Defaults.FeaturizeBatchSize;

    /// <summary>Threads that read (decode) the images of one batch ahead of inference; positive. Default 1.</summary>
    public int ReaderThreads { get; set; } = 1;

    /// <summary>Checks every value; the messages say what is legal.</summary>
    /// <exception cref="ArgumentException">The device is not one of the legal values.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    public void Validate()
    {
        DeviceSpec.Parse(Device, nameof(Device));
        if (IntraOpThreads is { } t) Guard.Positive(t, nameof(IntraOpThreads));
        Guard.Positive(BatchSize, nameof(BatchSize));
        Guard.Positive(ReaderThreads, nameof(ReaderThreads));
    }
}
