using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using SynCo.Hosting;
using SynCo.ML.Featurization;
using SynCo.ML.Onnx;

namespace SynCo.Cli.Commands;

/// <summary>
/// <c>synco featurize … --out &lt;folder&gt;</c>: one shard's part file (<see cref="ParquetFeatureFolder"/>), written batch
/// by batch through <see cref="ParquetFeatureWriter"/>; a complete part of the same model is skipped, one of another
/// model is refused unless --overwrite.
/// </summary>
internal sealed class ShardedFeaturize(Terminal terminal, string model, string folder, ShardSpec shard, bool overwrite)
{
    private readonly string _part = Path.Combine(Path.GetFullPath(folder), ParquetFeatureFolder.PartName(shard));

    /// <summary>Lower-case hex SHA-256 of the model file.</summary>
    public string ModelSha256 { get; } = Sha256(model);

    /// <summary>
    /// Whether this shard's part is already complete with the same model (then says so in one line); throws when it
    /// is complete with another model and --overwrite is not set.
    /// </summary>
    /// <exception cref="UsageException">The part was made by another model, or cannot be read, and --overwrite is off.</exception>
    public bool AlreadyDone()
    {
        if (!File.Exists(_part) || overwrite) return false;
        string? existing;
        try
        {
            existing = FeatureFiles.ReadParquetMetadata(_part).GetValueOrDefault(ParquetFeatureMetadataKeys.ModelSha256);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException)
        {
            throw new UsageException($"'{_part}' exists but is not a readable feature part ({HostErrors.Describe(e)}); pass --overwrite to replace it, or another --out.");
        }
        if (existing == ModelSha256)
        {
            terminal.Line($"shard {shard}: {Path.GetFileName(_part)} is already complete with this model (sha256 {ModelSha256[..12]}…); skipped");
            return true;
        }
        throw new UsageException($"'{_part}' was written by another model (sha256 {(existing ?? "unknown")[..Math.Min(12, (existing ?? "unknown").Length)]}…, this one {ModelSha256[..12]}…); pass --overwrite to replace it, or another --out.");
    }

    /// <summary>Featurizes <paramref name="input"/> (this shard's images) and writes the part, atomically.</summary>
    public void Write(OnnxFeaturizer featurizer, InputImages input, string inputRoot, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_part)!);
        int dim = featurizer.OutputDim;
        int[]? labels = input.Labels;
        var clock = Stopwatch.StartNew();
        using (var writer = new ParquetFeatureWriter(_part, dim, labelled: labels is not null))
        {
            terminal.Progress($"featurize shard {shard}", report =>
            {
                featurizer.FeaturizeBatches(input.Data, (first, count, features) =>
                {
                    for (int i = 0; i < count; i++)
                        writer.Add(input.PathOf(first + i), labels?[first + i], features.Slice(i * dim, dim));
                }, new FeaturizeReporter(report), cancellationToken);
                return 0;
            });
            var skipped = input.Skipped().Select(s => $"{(Directory.Exists(inputRoot) ? Path.GetRelativePath(inputRoot, s.Path).Replace('\\', '/') : s.Path)}: {OneLine(s.Reason)}").ToArray();
            string skippedFile = Path.Combine(Path.GetDirectoryName(_part)!, ParquetFeatureFolder.SkippedName(shard));
            if (skipped.Length > 0) File.WriteAllLines(skippedFile, skipped);
            else File.Delete(skippedFile);
            writer.Complete(Metadata(featurizer, writer.Rows, input.ClassNames, skipped));
        }
        double rate = input.Data.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        string labelled = labels is null ? "no labels" : "with labels";
        terminal.Line(string.Create(CultureInfo.InvariantCulture,
            $"shard {shard}: wrote {_part}: {input.Data.Count} x {dim} features, {labelled}, {rate:F0} images/s"));
        input.ReportSkipped(terminal);
    }

    private Dictionary<string, string> Metadata(OnnxFeaturizer featurizer, long rows, string[]? classNames, string[] skipped)
    {
        var meta = featurizer.ModelMetadata;
        string Get(string key) => meta.TryGetValue(key, out string? v) ? v : "?";
        string normalization = meta.ContainsKey(OnnxMetadataKeys.ChannelMean)
            ? $"scale={Get(OnnxMetadataKeys.PixelScale)}; mean={Get(OnnxMetadataKeys.ChannelMean)}; std={Get(OnnxMetadataKeys.ChannelStd)}; l2_normalized={Get(OnnxMetadataKeys.L2Normalized)}"
            : "unknown";
        var result = new Dictionary<string, string>
        {
            [ParquetFeatureMetadataKeys.Model] = Path.GetFileName(model),
            [ParquetFeatureMetadataKeys.ModelSha256] = ModelSha256,
            [ParquetFeatureMetadataKeys.InputSize] = $"{featurizer.Channels}x{featurizer.Height}x{featurizer.Width}",
            [ParquetFeatureMetadataKeys.EmbeddingSize] = featurizer.OutputDim.ToString(CultureInfo.InvariantCulture),
            [ParquetFeatureMetadataKeys.Normalization] = normalization,
            [ParquetFeatureMetadataKeys.Shard] = shard.ToString(),
            [ParquetFeatureMetadataKeys.ImageCount] = rows.ToString(CultureInfo.InvariantCulture),
            [ParquetFeatureMetadataKeys.Skipped] = string.Join("\n", skipped),
        };
        if (classNames is not null) result[ParquetFeatureMetadataKeys.ClassNames] = string.Join("\n", classNames);
        return result;
    }

    private static string OneLine(string text) => text.Replace("\r", " ").Replace("\n", " ");

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
