namespace SynCo.ML;

/// <summary>What to do with a row whose image is unreadable or whose pixels are not finite.</summary>
public enum InvalidImageHandling
{
    /// <summary>Stop with an error naming the row and the fix (default).</summary>
    Fail,

    /// <summary>Leave the row out of pretraining and report how many rows were skipped (log and <see cref="SynCoTransformer.SkippedRows"/>).</summary>
    Skip,
}
