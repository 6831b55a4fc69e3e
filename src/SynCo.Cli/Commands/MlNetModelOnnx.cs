using System.Buffers.Binary;
using System.IO.Compression;
using SynCo.Hosting;

namespace SynCo.Cli.Commands;

/// <summary>
/// Finds the ONNX graph inside a model.zip saved by ML.NET. ML.NET's OnnxTransformer stores its model as the zip entry
/// <c>TransformerChain/Transform_NNN/OnnxModel</c>: a little-endian int32 byte count followed by the ONNX bytes
/// (BinaryWriter's WriteByteArray), exactly the bytes SynCoTransformer.GetOnnxModel() returns.
/// </summary>
internal static class MlNetModelOnnx
{
    private const string EntryName = "OnnxModel";

    /// <summary>The ONNX bytes of the model's single OnnxTransformer.</summary>
    /// <exception cref="UsageException">The file is not a zip, holds no ONNX model, or holds several.</exception>
    public static byte[] Extract(string modelZip)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(modelZip); }
        catch (InvalidDataException) { throw new UsageException($"'{modelZip}' is not a zip file; pass the model.zip written by mlContext.Model.Save."); }
        using (zip)
        {
            var entries = zip.Entries.Where(e => e.Name == EntryName).ToList();
            if (entries.Count == 0)
                throw new UsageException($"'{modelZip}' holds no ONNX model (no {EntryName} entry): it is not an ML.NET model with SynCoPretrain or ApplyOnnxModel.");
            if (entries.Count > 1)
                throw new UsageException($"'{modelZip}' holds {entries.Count} ONNX models ({string.Join(", ", entries.Select(e => e.FullName))}); synco export handles one.");
            using var buffer = new MemoryStream();
            using (var stream = entries[0].Open()) stream.CopyTo(buffer);
            byte[] bytes = buffer.ToArray();
            if (bytes.Length >= 4 && BinaryPrimitives.ReadInt32LittleEndian(bytes) == bytes.Length - 4) return bytes[4..];
            if (bytes.Length >= 8 && BinaryPrimitives.ReadInt64LittleEndian(bytes) == bytes.Length - 8) return bytes[8..];
            throw new UsageException($"'{modelZip}' entry {entries[0].FullName} is not in the layout ML.NET 5 writes (a length prefix and the ONNX bytes).");
        }
    }
}
