using System.Globalization;
using SynCo.Hosting;
using SynCo.ML.Featurization;

namespace SynCo.Cli.Commands;

/// <summary>
/// Feature files as synco featurize writes them: CSV (header f0..f{D-1}, optional last column "label") or .npy with
/// companion files <c>&lt;file&gt;.labels.txt</c> (one int per line) and <c>&lt;file&gt;.classes.txt</c> (one class name per line).
/// </summary>
/// <param name="Features">One vector per row.</param>
/// <param name="Labels">One label per row, or null.</param>
public sealed record FeatureTable(float[][] Features, int[]? Labels)
{
    /// <summary>Suffix of the labels companion file.</summary>
    public const string LabelsSuffix = ".labels.txt";

    /// <summary>Suffix of the class-names companion file.</summary>
    public const string ClassesSuffix = ".classes.txt";

    /// <summary>Whether <paramref name="path"/> names a CSV (else .npy); anything else is bad input.</summary>
    public static bool IsCsv(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => true,
        ".npy" => false,
        _ => throw new UsageException($"Feature file '{path}' must end in .csv or .npy, or be a folder (an existing one, or a name without extension) for Parquet parts."),
    };

    /// <summary>
    /// Whether <paramref name="path"/> names a folder of Parquet parts (an existing folder, or a name without
    /// extension) rather than a .csv or .npy file; any other extension is bad input.
    /// </summary>
    public static bool IsFolder(string path)
    {
        if (Directory.Exists(path) || Path.GetExtension(Path.TrimEndingDirectorySeparator(path)).Length == 0) return true;
        IsCsv(path);
        return false;
    }

    /// <summary>Writes features (and labels, class names) in the format the extension names.</summary>
    public static void Write(string path, float[][] features, int[]? labels, IReadOnlyList<string>? classNames)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (IsCsv(path))
        {
            FeatureFiles.WriteCsv(full, features, labels);
        }
        else
        {
            FeatureFiles.WriteNpy(full, features);
            if (labels is not null) File.WriteAllLines(full + LabelsSuffix, labels.Select(l => l.ToString(CultureInfo.InvariantCulture)));
        }
        if (labels is not null && classNames is not null) File.WriteAllLines(full + ClassesSuffix, classNames);
    }

    /// <summary>Reads a feature file; labels from <paramref name="labelsPath"/>, else the CSV label column, else the companion file.</summary>
    public static FeatureTable Read(string path, string? labelsPath)
    {
        if (Directory.Exists(path)) return ReadFolder(path, labelsPath);
        if (!File.Exists(path)) throw new UsageException($"Feature file '{path}' does not exist; write it with synco featurize.");
        float[][] features;
        int[]? labels = null;
        if (IsCsv(path)) (features, labels) = ReadCsv(path);
        else features = FeatureFiles.ReadNpy(path);
        if (labelsPath is not null)
        {
            if (!File.Exists(labelsPath)) throw new UsageException($"Labels file '{labelsPath}' does not exist.");
            labels = ReadLabels(labelsPath);
        }
        else if (labels is null && File.Exists(path + LabelsSuffix))
        {
            labels = ReadLabels(path + LabelsSuffix);
        }
        if (labels is not null && labels.Length != features.Length)
            throw new UsageException($"'{path}' has {features.Length} feature rows but its labels number {labels.Length}; give one label per row.");
        return new FeatureTable(features, labels);
    }

    /// <summary>A Parquet feature folder: every part, in part order; labels from the label column unless <paramref name="labelsPath"/> is given.</summary>
    private static FeatureTable ReadFolder(string path, string? labelsPath)
    {
        var table = FeatureFiles.ReadParquet(path);
        int[]? labels = table.Labels;
        if (labelsPath is not null)
        {
            if (!File.Exists(labelsPath)) throw new UsageException($"Labels file '{labelsPath}' does not exist.");
            labels = ReadLabels(labelsPath);
            if (labels.Length != table.Features.Length)
                throw new UsageException($"'{path}' has {table.Features.Length} feature rows but its labels number {labels.Length}; give one label per row.");
        }
        return new FeatureTable(table.Features, labels);
    }

    private static (float[][] Features, int[]? Labels) ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        string[] header = (reader.ReadLine() ?? throw new InvalidDataException($"'{path}' is empty; expected a header f0,f1,...[,label].")).Split(',');
        bool labelled = header.Length > 0 && header[^1].Trim().Equals("label", StringComparison.OrdinalIgnoreCase);
        int dim = labelled ? header.Length - 1 : header.Length;
        var features = new List<float[]>();
        var labels = new List<int>();
        int lineNumber = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length == 0) continue;
            string[] cells = line.Split(',');
            if (cells.Length != header.Length)
                throw new InvalidDataException($"'{path}' line {lineNumber} has {cells.Length} values but the header has {header.Length}.");
            var row = new float[dim];
            for (int j = 0; j < dim; j++)
            {
                if (!float.TryParse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture, out row[j]))
                    throw new InvalidDataException($"'{path}' line {lineNumber}: '{cells[j]}' is not a number.");
            }
            features.Add(row);
            if (labelled)
            {
                if (!int.TryParse(cells[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int label))
                    throw new InvalidDataException($"'{path}' line {lineNumber}: label '{cells[^1]}' is not an integer.");
                labels.Add(label);
            }
        }
        return (features.ToArray(), labelled ? labels.ToArray() : null);
    }

    private static int[] ReadLabels(string path) => File.ReadLines(path).Select((line, i) => (line: line.Trim(), i))
        .Where(x => x.line.Length > 0)
        .Select(x => int.TryParse(x.line, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new InvalidDataException($"'{path}' line {x.i + 1}: '{x.line}' is not an integer label (one label per line)."))
        .ToArray();
}
