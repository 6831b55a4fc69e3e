using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;
using Parquet.Schema;

namespace SynCo.ML.Featurization;

/// <summary>Reading sharded feature folders (<see cref="ParquetFeatureFolder"/>, written by <see cref="ParquetFeatureWriter"/>).</summary>
public static partial class FeatureFiles
{
    /// <summary>Reads every part of a feature folder into memory, in part order (row order within each part).</summary>
    /// <param name="folder">A folder of <c>part-IIIII-of-NNNNN.parquet</c> files with all N parts present.</param>
    /// <returns>The rows, labels when the parts have a <c>label</c> column, class names and the first part's metadata.</returns>
    /// <inheritdoc cref="ParquetFeatureFolder.CompleteParts" path="/exception"/>
    /// <exception cref="InvalidDataException">Also: a part lacks the <c>path</c> or <c>features</c> column, the parts disagree on labels or D, or a row's vector has another length.</exception>
    public static ParquetFeatures ReadParquet(string folder) => ReadParquetAsync(folder).GetAwaiter().GetResult();

    private static async Task<ParquetFeatures> ReadParquetAsync(string folder)
    {
        var paths = new List<string>();
        var labels = new List<int>();
        var features = new List<float[]>();
        bool? labelled = null;
        IReadOnlyDictionary<string, string>? first = null;
        int dim = -1;
        foreach (var (_, part) in ParquetFeatureFolder.CompleteParts(folder))
        {
            await using var reader = await ParquetReader.CreateAsync(part);
            first ??= new Dictionary<string, string>(reader.CustomMetadata);
            var pathField = reader.Schema.DataFields.FirstOrDefault(f => f.Name == "path" && f.Path.ToString() == "path");
            var labelField = reader.Schema.DataFields.FirstOrDefault(f => f.Name == "label" && f.Path.ToString() == "label");
            var featureField = (reader.Schema.Fields.FirstOrDefault(f => f.Name == "features") as ListField)?.Item as DataField;
            if (pathField is null || featureField is null)
                throw new InvalidDataException($"'{part}' has no 'path' and 'features' (list of float) columns; it was not written by synco featurize.");
            if (labelled is { } l && l != (labelField is not null))
                throw new InvalidDataException($"'{part}' {(l ? "lacks" : "has")} a label column unlike the parts before it; featurize all shards of one folder with the same input.");
            labelled = labelField is not null;
            if (!int.TryParse(reader.CustomMetadata.GetValueOrDefault(ParquetFeatureMetadataKeys.EmbeddingSize), NumberStyles.None, CultureInfo.InvariantCulture, out int partDim) || partDim < 1)
                throw new InvalidDataException($"'{part}' has no valid '{ParquetFeatureMetadataKeys.EmbeddingSize}' metadata; it was not written by synco featurize.");
            if (dim >= 0 && partDim != dim)
                throw new InvalidDataException($"'{part}' holds {partDim} feature values per row but the parts before it {dim}; featurize all shards with the same model.");
            dim = partDim;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                int rows = checked((int)group.RowCount);
                var names = new string?[rows];
                await group.ReadAsync(pathField, names.AsMemory());
                paths.AddRange(names.Select(n => n ?? ""));
                if (labelField is not null)
                {
                    var values = new int[rows];
                    await group.ReadAsync<int>(labelField, values.AsMemory());
                    labels.AddRange(values);
                }
                var flat = new float[rows * dim];
                var repetition = new int[rows * dim];
                var definition = new int[rows * dim];
                await group.ReadRawAsync<float>(featureField, flat.AsMemory(), definition.AsMemory(), repetition.AsMemory());
                int absent = Array.FindIndex(definition, d => d != featureField.MaxDefinitionLevel);
                if (absent >= 0)
                    throw new InvalidDataException($"'{part}' row group {g} has a null or empty feature list at value {absent}; every row needs {dim} values.");
                int row = 0;
                for (; row < rows; row++)
                {
                    for (int j = 0; j < dim; j++)
                    {
                        if (repetition[row * dim + j] != (j == 0 ? 0 : 1))
                            throw new InvalidDataException($"'{part}' row group {g} row {row} does not hold exactly {dim} feature values; all vectors must have the length in its metadata.");
                    }
                    features.Add(flat.AsSpan(row * dim, dim).ToArray());
                }
                if (row != rows)
                    throw new InvalidDataException($"'{part}' row group {g} has {rows} rows but {row} feature vectors.");
            }
        }
        string[]? classes = labelled == true && first!.TryGetValue(ParquetFeatureMetadataKeys.ClassNames, out string? text) && text.Length > 0
            ? text.Split('\n') : null;
        return new ParquetFeatures(paths.ToArray(), labelled == true ? labels.ToArray() : null, features.ToArray(), classes, first!);
    }

    /// <summary>
    /// An ML.NET view over a feature folder for downstream trainers: columns "Path" (Text), "Label" (Int32; only when
    /// the parts have labels — map it with <c>MapValueToKey</c> for multiclass trainers) and "Features"
    /// (<c>Vector&lt;Single&gt;</c> of the known size D). The rows are read into memory first (as
    /// <see cref="ReadParquet"/>), then served with <c>LoadFromEnumerable</c>.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="folder">A complete feature folder (all N parts).</param>
    /// <inheritdoc cref="ReadParquet" path="/exception"/>
    public static IDataView LoadParquet(MLContext mlContext, string folder)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var table = ReadParquet(folder);
        int dim = table.Features.Length > 0 ? table.Features[0].Length
            : int.Parse(table.Metadata.GetValueOrDefault(ParquetFeatureMetadataKeys.EmbeddingSize, "1"), CultureInfo.InvariantCulture);
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dim);
        if (table.Labels is null) schema.Remove(schema[nameof(FeatureRow.Label)]);
        var rows = table.Features.Select((f, i) => new FeatureRow { Path = table.Paths[i], Label = table.Labels?[i] ?? 0, Features = f });
        return mlContext.Data.LoadFromEnumerable(rows.ToArray(), schema);
    }

    /// <summary>One row of <see cref="LoadParquet"/>.</summary>
    private sealed class FeatureRow
    {
        public string Path { get; set; } = "";

        public int Label { get; set; }

        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>The key/value metadata of one part file (see <see cref="ParquetFeatureMetadataKeys"/>).</summary>
    /// <param name="partPath">A complete part file.</param>
    /// <exception cref="IOException">The file is not a readable Parquet file.</exception>
    public static IReadOnlyDictionary<string, string> ReadParquetMetadata(string partPath) => ReadMetadataAsync(partPath).GetAwaiter().GetResult();

    private static async Task<IReadOnlyDictionary<string, string>> ReadMetadataAsync(string partPath)
    {
        await using var reader = await ParquetReader.CreateAsync(partPath);
        return new Dictionary<string, string>(reader.CustomMetadata);
    }
}
