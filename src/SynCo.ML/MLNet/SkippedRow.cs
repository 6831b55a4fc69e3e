namespace SynCo.ML;

/// <summary>A row of the estimator's input that was left out of pretraining (<see cref="InvalidImageHandling.Skip"/>).</summary>
/// <param name="Row">0-based row index in the input view.</param>
/// <param name="Path">
/// The row's image file as its path column holds it (<see cref="SynCoOptions.ImagePathColumnName"/>; relative to
/// <c>LoadImages</c>' folder when the column is), or null when the view has no such column.
/// </param>
/// <param name="Reason">Why the row could not be used (the decoder's message, a wrong length, a NaN pixel).</param>
public sealed record SkippedRow(long Row, string? Path, string Reason)
{
    /// <summary>"Row 7 of column 'Pixels' (image 'a/b.jpg'): reason", for messages.</summary>
    internal string Describe(string column) => $"Row {Row} of column '{column}'{(Path is null ? "" : $" (image '{Path}')")}: {Reason}";

    /// <summary>The error of <see cref="InvalidImageHandling.Fail"/>: what is wrong, where, and how to go on.</summary>
    internal InvalidOperationException Failure(string column) => new(
        $"{Describe(column)}. {(Path is null ? "Fix the input" : "Fix or remove the file")}, or set InvalidImages = InvalidImageHandling.Skip to leave such rows out.");
}
