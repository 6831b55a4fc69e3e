namespace SynCo.ML.Data;

/// <summary>
/// Locates the four Fashion-MNIST IDX files in a folder, plain (<c>train-images-idx3-ubyte</c>) or gzipped
/// (<c>train-images-idx3-ubyte.gz</c>).
/// </summary>
/// <remarks>
/// The default folder is where Debian's <c>dataset-fashion-mnist</c> package installs them
/// (<c>/usr/share/datasets/fashion-mnist</c>, gzipped). Elsewhere, download the four standard files from
/// https://github.com/zalandoresearch/fashion-mnist (folder <c>data/fashion</c>) into a folder and pass that folder.
/// </remarks>
public sealed class FashionMnistFiles
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The standard base names of the four files (without <c>.gz</c>).</summary>
    public static IReadOnlyList<string> StandardNames { get; } = new[]
    {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    };

    private FashionMnistFiles(string folder, string[] paths)
    {
        Folder = folder;
        TrainImages = paths[0];
        TrainLabels = paths[1];
        TestImages = paths[2];
        TestLabels = paths[3];
    }

    /// <summary>The folder the files were found in.</summary>
    public string Folder { get; }

    /// <summary>Path of the 60 000 training images.</summary>
    public string TrainImages { get; }

    /// <summary>Path of the 60 000 training labels.</summary>
    public string TrainLabels { get; }

    /// <summary>Path of the 10 000 test images.</summary>
    public string TestImages { get; }

    /// <summary>Path of the 10 000 test labels.</summary>
    public string TestLabels { get; }

    /// <summary>Whether all four files are present in <paramref name="folder"/> (default <see cref="DefaultFolder"/>).</summary>
    /// <param name="folder">The folder to look in, or null for <see cref="DefaultFolder"/>.</param>
    /// <returns>True when <see cref="Locate"/> would succeed.</returns>
    public static bool Exists(string? folder = null)
    {
        folder ??= DefaultFolder;
        return Directory.Exists(folder) && StandardNames.All(n => Find(folder, n) is not null);
    }

    /// <summary>Finds the four files in <paramref name="folder"/>, preferring the plain file when both forms exist.</summary>
    /// <param name="folder">The folder to look in, or null for <see cref="DefaultFolder"/>.</param>
    /// <returns>The located files.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist; the message says how to get the files.</exception>
    /// <exception cref="FileNotFoundException">Some files are missing; the message lists them and says how to get them.</exception>
    public static FashionMnistFiles Locate(string? folder = null)
    {
        folder ??= DefaultFolder;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The Fashion-MNIST folder '{folder}' does not exist. {HowToGet}");
        var paths = StandardNames.Select(n => Find(folder, n)).ToArray();
        var missing = StandardNames.Where((_, i) => paths[i] is null).ToArray();
        if (missing.Length > 0)
            throw new FileNotFoundException(
                $"Fashion-MNIST files missing in '{folder}': {string.Join(", ", missing.Select(m => m + "[.gz]"))}. {HowToGet}");
        return new FashionMnistFiles(folder, paths!);
    }

    /// <summary>How to obtain the files, for error messages.</summary>
    internal const string HowToGet =
        "To get them: on Debian/Ubuntu run 'sudo apt-get install dataset-fashion-mnist' (installs them into " + DefaultFolder +
        "), or download the four standard files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, " +
        "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from https://github.com/zalandoresearch/fashion-mnist " +
        "(folder data/fashion) into a folder and pass that folder.";

    private static string? Find(string folder, string name)
    {
        string plain = Path.Combine(folder, name);
        if (File.Exists(plain)) return plain;
        string gz = plain + ".gz";
        return File.Exists(gz) ? gz : null;
    }
}
