namespace SynCo.ML.Training;

/// <summary>
/// Thrown when a checkpoint exists but was written under another configuration (training options, augmentation and
/// negatives included, or data of another image count or size), so resuming would silently train something else.
/// </summary>
public sealed class CheckpointMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception for the checkpoint at <paramref name="path"/>.</summary>
    public CheckpointMismatchException(string path, string written, string requested)
        : base($"Checkpoint {path} was written by a different configuration ({written}); this run is ({requested}). " +
               "Delete it, set Resume = false, or choose another CheckpointDirectory.")
    {
        Path = path;
        Written = written;
        Requested = requested;
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    /// <summary>The configuration the checkpoint was written with.</summary>
    public string Written { get; }

    /// <summary>The configuration of the run that tried to resume.</summary>
    public string Requested { get; }
}
