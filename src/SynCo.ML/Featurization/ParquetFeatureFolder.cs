using System.Globalization;
using System.Text.RegularExpressions;

namespace SynCo.ML.Featurization;

/// <summary>
/// The layout of a sharded feature folder: one <c>part-IIIII-of-NNNNN.parquet</c> per shard (5-digit, 0-based I),
/// written first under <c>….parquet.tmp</c> and renamed when complete, with <c>part-IIIII-of-NNNNN.skipped.txt</c>
/// beside it when files were skipped. Readers glob <c>*.parquet</c>, which never matches a temporary file.
/// </summary>
public static partial class ParquetFeatureFolder
{
    /// <summary>Suffix of a part being written (removed by the rename that completes it).</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>The part file name of <paramref name="shard"/>, e.g. "part-00002-of-00003.parquet".</summary>
    public static string PartName(ShardSpec shard) => Stem(shard) + ".parquet";

    /// <summary>The skipped-files list beside the part of <paramref name="shard"/>, e.g. "part-00002-of-00003.skipped.txt".</summary>
    public static string SkippedName(ShardSpec shard) => Stem(shard) + ".skipped.txt";

    /// <summary>
    /// The complete part files in <paramref name="folder"/>, in part order (temporary files are not parts).
    /// </summary>
    /// <param name="folder">A folder written by sharded featurization.</param>
    /// <returns>(shard, full path) per part, ordered by shard index.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder holds no parts, parts of runs with different shard counts, or not all N parts; the message names the missing shards.</exception>
    public static IReadOnlyList<(ShardSpec Shard, string Path)> CompleteParts(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Feature folder '{folder}' does not exist; write it with synco featurize --out <folder>.");
        var parts = Directory.EnumerateFiles(folder, "part-*-of-*.parquet")
            .Select(path => (Match: PartPattern().Match(Path.GetFileName(path)), Path: path))
            .Where(p => p.Match.Success)
            .Select(p => (Shard: new ShardSpec(int.Parse(p.Match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(p.Match.Groups[2].Value, CultureInfo.InvariantCulture)), p.Path))
            .OrderBy(p => p.Shard.Index)
            .ToList();
        if (parts.Count == 0)
            throw new InvalidDataException($"'{folder}' holds no part-IIIII-of-NNNNN.parquet files; write them with synco featurize --out '{folder}' [--shard I/N].");
        int[] counts = parts.Select(p => p.Shard.Count).Distinct().ToArray();
        if (counts.Length > 1)
            throw new InvalidDataException($"'{folder}' mixes parts of runs with {string.Join(" and ", counts)} shards; keep one run per folder (delete the other run's parts or use another --out).");
        int n = counts[0];
        int[] missing = Enumerable.Range(0, n).Except(parts.Select(p => p.Shard.Index)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"'{folder}' has {parts.Count} of {n} parts; run the missing shard(s) {string.Join(", ", missing.Take(10).Select(i => $"{i}/{n}"))}{(missing.Length > 10 ? ", …" : "")} (synco featurize … --shard I/{n}).");
        return parts;
    }

    private static string Stem(ShardSpec shard) =>
        string.Create(CultureInfo.InvariantCulture, $"part-{shard.Index:D5}-of-{Math.Max(shard.Count, 1):D5}");

    [GeneratedRegex(@"^part-(\d{5,})-of-(\d{5,})\.parquet$")]
    private static partial Regex PartPattern();
}
