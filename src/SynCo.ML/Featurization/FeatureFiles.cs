using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SynCo.ML.Featurization;

/// <summary>
/// Writes feature matrices (one float[] per image, all of one length D) for other tools: CSV with a header, and NumPy
/// <c>.npy</c> (format version 1.0, little-endian float32, C order, shape (N, D)) that <c>numpy.load</c> reads directly;
/// and reads such <c>.npy</c> files back.
/// </summary>
public static partial class FeatureFiles
{
    private static readonly byte[] NpyMagic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>Writes a CSV: header <c>f0,…,f{D−1}</c> (plus <c>label</c>), one row per vector, invariant culture, round-trip floats.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="features">N vectors of equal length D.</param>
    /// <param name="labels">Optional: N integer labels, written as a last column <c>label</c>.</param>
    /// <exception cref="ArgumentException">The vectors differ in length, or the label count is not N.</exception>
    public static void WriteCsv(string path, IReadOnlyList<float[]> features, IReadOnlyList<int>? labels = null)
    {
        int dim = CheckMatrix(features, labels);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        var line = new StringBuilder();
        for (int j = 0; j < dim; j++) line.Append(j == 0 ? "" : ",").Append('f').Append(j.ToString(CultureInfo.InvariantCulture));
        if (labels is not null) line.Append(dim == 0 ? "label" : ",label");
        writer.WriteLine(line);
        for (int i = 0; i < features.Count; i++)
        {
            line.Clear();
            float[] row = features[i];
            for (int j = 0; j < dim; j++)
                line.Append(j == 0 ? "" : ",").Append(row[j].ToString("R", CultureInfo.InvariantCulture));
            if (labels is not null) line.Append(dim == 0 ? "" : ",").Append(labels[i].ToString(CultureInfo.InvariantCulture));
            writer.WriteLine(line);
        }
    }

    /// <summary>Writes a float32 <c>.npy</c> of shape (N, D); an empty list gives shape (0, 0).</summary>
    /// <param name="path">The file to create or overwrite (conventionally ending in ".npy").</param>
    /// <param name="features">N vectors of equal length D.</param>
    /// <exception cref="ArgumentException">The vectors differ in length.</exception>
    public static void WriteNpy(string path, IReadOnlyList<float[]> features)
    {
        int dim = CheckMatrix(features, null);
        using var stream = File.Create(path);
        WriteNpyHeader(stream, "<f4", $"({features.Count}, {dim})");
        var bytes = new byte[dim * sizeof(float)];
        foreach (float[] row in features)
        {
            for (int j = 0; j < dim; j++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(j * 4), row[j]);
            stream.Write(bytes);
        }
    }

    /// <summary>Writes integer labels as an int32 <c>.npy</c> of shape (N,), to pair with a features file.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="labels">N labels.</param>
    public static void WriteNpy(string path, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        using var stream = File.Create(path);
        WriteNpyHeader(stream, "<i4", $"({labels.Count},)");
        var bytes = new byte[4];
        foreach (int label in labels)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes, label);
            stream.Write(bytes);
        }
    }

    /// <summary>Reads a 2-D float32 <c>.npy</c> (little-endian <c>&lt;f4</c>, C order, format version 1.x–3.x) into one float[] per row.</summary>
    /// <param name="path">The file.</param>
    /// <returns>N rows of D values.</returns>
    /// <exception cref="InvalidDataException">The file is not a .npy, or not 2-D little-endian float32 in C order.</exception>
    public static float[][] ReadNpy(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        byte[] magic = reader.ReadBytes(6);
        if (!magic.AsSpan().SequenceEqual(NpyMagic))
            throw new InvalidDataException($"'{path}' is not a NumPy .npy file (the magic string \\x93NUMPY is missing).");
        byte major = reader.ReadByte();
        reader.ReadByte();
        int headerLength = major switch
        {
            1 => reader.ReadUInt16(),
            2 or 3 => checked((int)reader.ReadUInt32()),
            _ => throw new InvalidDataException($"'{path}' has .npy format version {major}; versions 1 to 3 are supported."),
        };
        string header = Encoding.UTF8.GetString(reader.ReadBytes(headerLength));
        string descr = HeaderValue(DescrPattern(), header, path, "descr");
        string fortran = HeaderValue(FortranPattern(), header, path, "fortran_order");
        string shape = HeaderValue(ShapePattern(), header, path, "shape");
        if (descr != "<f4")
            throw new InvalidDataException($"'{path}' holds dtype '{descr}'; ReadNpy reads little-endian float32 ('<f4', numpy.float32) only.");
        if (fortran != "False")
            throw new InvalidDataException($"'{path}' is in Fortran order; save it with numpy.ascontiguousarray(x) first.");
        int[] dims = shape.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (dims.Length != 2)
            throw new InvalidDataException($"'{path}' has shape ({shape}); ReadNpy reads 2-D (N, D) arrays only.");
        var rows = new float[dims[0]][];
        byte[] bytes = new byte[dims[1] * sizeof(float)];
        for (int i = 0; i < dims[0]; i++)
        {
            try { stream.ReadExactly(bytes); }
            catch (EndOfStreamException e) { throw new InvalidDataException($"'{path}' ends after {i} of {dims[0]} rows.", e); }
            rows[i] = new float[dims[1]];
            for (int j = 0; j < dims[1]; j++) rows[i][j] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(j * 4));
        }
        return rows;
    }

    private static void WriteNpyHeader(Stream stream, string descr, string shape)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        // Magic (6) + version (2) + length (2) + dict + padding + '\n' is a multiple of 64, as numpy writes it.
        int unpadded = 10 + dict.Length + 1;
        string header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        stream.Write(NpyMagic);
        stream.Write(new byte[] { 1, 0 });
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)header.Length));
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
    }

    private static int CheckMatrix(IReadOnlyList<float[]> features, IReadOnlyList<int>? labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        int dim = features.Count == 0 ? 0 : features[0]?.Length ?? 0;
        for (int i = 0; i < features.Count; i++)
        {
            if (features[i] is null || features[i].Length != dim)
                throw new ArgumentException($"Row {i} has {features[i]?.Length.ToString(CultureInfo.InvariantCulture) ?? "no"} values but row 0 has {dim}; all feature vectors must have one length.", nameof(features));
        }
        if (labels is not null && labels.Count != features.Count)
            throw new ArgumentException($"There are {labels.Count} labels for {features.Count} feature rows; give one label per row.", nameof(labels));
        return dim;
    }

    private static string HeaderValue(Regex pattern, string header, string path, string key)
    {
        var m = pattern.Match(header);
        return m.Success ? m.Groups[1].Value : throw new InvalidDataException($"'{path}' has no '{key}' in its .npy header: {header.Trim()}");
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
