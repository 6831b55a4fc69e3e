namespace SynCo.ML.Data;

/// <summary>An image file that could not be read and was skipped.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="Reason">Why it could not be read (the decoder's or the file system's message).</param>
public sealed record SkippedImage(string Path, string Reason);
