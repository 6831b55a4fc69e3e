using SynCo.ML.Model;

namespace SynCo.ML.Training;

/// <summary>
/// Where and how a pretraining run executes, none of which changes what a seeded run learns except the seed itself:
/// the device, the seed, threads, checkpoints, and the callbacks that report progress.
/// </summary>
/// <example>
/// <code>
/// options.Run.Device = "cpu";
/// options.Run.CheckpointDirectory = "checkpoints";           // re-running resumes after the last finished epoch
/// options.Run.OnEpoch = e => Console.WriteLine($"epoch {e.Epoch + 1}: loss {e.Loss:F3}");
/// </code>
/// </example>
public sealed class RunOptions
{
    /// <summary>"auto" (default; CUDA when available, else the CPU), "cpu", "cuda" or "cuda:N" (see <see cref="DeviceSpec"/>).</summary>
    public string Device { get; set; } = Defaults.Device;

    /// <summary>Seed of weights, data order, augmentation and negatives. Null = 0 (the ML.NET estimator uses the MLContext's seed).</summary>
    public int? Seed { get; set; }

    /// <summary>TorchSharp intra-op threads, positive; null leaves libtorch's default (the core count).</summary>
    public int? Threads { get; set; }

    /// <summary>
    /// On Linux with glibc, keep freed native memory mapped for the next step instead of returning it to the kernel
    /// (<c>mallopt</c>: blocks up to 32 MiB from the heap, up to 1 GiB of free memory kept). Default true: with glibc's
    /// defaults libtorch's CPU training spends much of each step in page faults, and the sample's training step runs
    /// 1.65 times as fast with it, with bit-identical weights (docs/benchmarks.md). The setting is process-wide and stays
    /// once made; the process then keeps its peak native memory. False leaves glibc's defaults, as does an environment
    /// that sets glibc's malloc tunables itself (<c>MALLOC_*_</c> or <c>GLIBC_TUNABLES</c>). Does nothing elsewhere than
    /// glibc.
    /// </summary>
    public bool TuneNativeAllocator { get; set; } = true;

    /// <summary>Folder for the per-epoch checkpoint; null (default) disables checkpoints.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>
    /// Resume from the checkpoint in <see cref="CheckpointDirectory"/> when one exists. Default true. A checkpoint written
    /// under other training options (augmentation and negatives included) or for data of another image count or size is
    /// refused with <see cref="CheckpointMismatchException"/>; <see cref="Threads"/> may change.
    /// </summary>
    public bool Resume { get; set; } = true;

    /// <summary>
    /// Data-parallel training under an MPI launcher (<c>mpirun</c>, <c>srun</c>, a Kubeflow MPIJob): <see cref="DistributedMode.Auto"/>
    /// (default) joins the job the launcher started — N ranks then train one model exactly as one process would on the
    /// global batch, with <see cref="PretrainOptions.BatchSize"/> and <see cref="Model.BackboneOptions.BatchNormSplits"/>
    /// meaning the global batch and the global number of batch-norm groups; <see cref="DistributedMode.Off"/> trains
    /// alone even under a launcher. Without a launcher nothing changes and no MPI library is loaded.
    /// </summary>
    public DistributedMode Distributed { get; set; } = DistributedMode.Auto;

    /// <summary>Called after every step (on the training thread; keep it cheap).</summary>
    public Action<TrainingProgress>? OnProgress { get; set; }

    /// <summary>Called after every epoch with its summary.</summary>
    public Action<EpochSummary>? OnEpoch { get; set; }

    /// <summary>Optional per-epoch monitor (e.g. kNN accuracy on a labelled subset) given the query encoder in eval mode and the epoch.</summary>
    public Func<ContrastiveEncoder, int, double>? Monitor { get; set; }

    /// <summary>Receives one-line log messages (device choice, resume, checkpoints).</summary>
    public Action<string>? Log { get; set; }

    /// <summary>Checks every value without loading native code (the device is parsed, not resolved).</summary>
    /// <exception cref="ArgumentException">The device is not a legal value, or <see cref="Threads"/> is not positive.</exception>
    public void Validate()
    {
        DeviceSpec.Parse(Device, nameof(Device));
        if (Threads is { } threads) Guard.Positive(threads, nameof(Threads));
    }

    /// <summary>A copy that shares the callbacks.</summary>
    public RunOptions Clone() => (RunOptions)MemberwiseClone();
}

/// <summary>Whether a run joins the MPI job its launcher started.</summary>
public enum DistributedMode
{
    /// <summary>Join the job when an MPI launcher started the process; otherwise train alone.</summary>
    Auto,
    /// <summary>Always train alone.</summary>
    Off,
}
