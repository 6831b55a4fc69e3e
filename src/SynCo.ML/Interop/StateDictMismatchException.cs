namespace SynCo.ML.Interop;

/// <summary>
/// A weights file does not fit a backbone: keys are missing or unexpected, or shapes differ. The message lists them
/// (the first 20 of each kind); the properties hold all of them.
/// </summary>
public sealed class StateDictMismatchException : ArgumentException
{
    private const int Listed = 20;

    /// <summary>Creates the exception; the message is built from the lists.</summary>
    /// <param name="path">The weights file.</param>
    /// <param name="missingKeys">Backbone keys the file lacks (after prefix removal).</param>
    /// <param name="unexpectedKeys">File keys the backbone does not have (after prefix removal).</param>
    /// <param name="shapeMismatches">One "key: file [..] vs backbone [..]" entry per key whose shapes differ.</param>
    public StateDictMismatchException(string path, IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys,
        IReadOnlyList<string> shapeMismatches)
        : base(Describe(path, missingKeys, unexpectedKeys, shapeMismatches), "path")
    {
        Path = path;
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>The weights file.</summary>
    public string Path { get; }

    /// <summary>Backbone keys the file lacks.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>File keys the backbone does not have.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; }

    /// <summary>Keys present in both with different shapes, as "key: file [..] vs backbone [..]".</summary>
    public IReadOnlyList<string> ShapeMismatches { get; }

    private static string Describe(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapes)
    {
        static string List(string title, IReadOnlyList<string> items) => items.Count == 0 ? "" :
            $" {title} ({items.Count}): {string.Join(", ", items.Take(Listed))}{(items.Count > Listed ? $", ... and {items.Count - Listed} more" : "")}.";
        return $"The weights in '{path}' do not fit the backbone." + List("Missing keys", missing) + List("Unexpected keys", unexpected) +
            List("Shape mismatches", shapes) +
            " Build the backbone with the file's architecture, width, input channels and stem (BackboneOptions), or export the weights " +
            "from a matching model (torchvision keys; 'module.encoder_q.'/'encoder_q.' prefixes and 'fc.*' are handled).";
    }
}
