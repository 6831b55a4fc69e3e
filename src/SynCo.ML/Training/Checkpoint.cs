using System.IO.Compression;
using System.Text;
using System.Text.Json;
using TorchSharp;
using SynCo.ML.Contrastive;
using SynCo.ML.Model;

namespace SynCo.ML.Training;

/// <summary>
/// The full training state after an epoch: both encoders (parameters and batch-norm statistics), the queue and its
/// pointer, the optimiser's momentum buffers, the epoch and step counters and the history. Random state needs no
/// blob: data order, augmentation and synthetic draws are seeded from (seed, epoch), so resuming at an epoch boundary
/// continues as if uninterrupted. Written atomically (temporary file, then rename), as a zip of named entries.
/// </summary>
public static class Checkpoint
{
    /// <summary>File name inside the checkpoint directory.</summary>
    public const string FileName = "synco-checkpoint.zip";

    private const int FormatVersion = 2;

    /// <summary>Identity of a run's configuration; a checkpoint only resumes a run with the same fingerprint.</summary>
    internal sealed record Meta(int Version, string Fingerprint, int NextEpoch, long GlobalStep, int QueuePointer, List<EpochSummary> History,
        EncoderDescription Encoder);

    /// <summary>Writes the state to <c>directory/synco-checkpoint.zip</c> atomically.</summary>
    internal static void Save(string directory, string fingerprint, int nextEpoch, long globalStep, ContrastiveEncoder query,
        ContrastiveEncoder key, KeyQueue queue, TorchSharp.Modules.OptimizerHelper optimizer, IReadOnlyList<EpochSummary> history,
        EncoderDescription description)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        string temp = path + ".tmp";
        // FileMode.Create: a temporary file left by a process killed while writing is overwritten, not an error.
        using (var zip = new ZipArchive(new FileStream(temp, FileMode.Create, FileAccess.Write), ZipArchiveMode.Create))
        {
            Write(zip, "meta.json", s => JsonSerializer.Serialize(s, new Meta(FormatVersion, fingerprint, nextEpoch, globalStep, queue.Pointer, history.ToList(), description)));
            Write(zip, "query.bin", s => { using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true); query.save(w); });
            Write(zip, "key.bin", s => { using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true); key.save(w); });
            Write(zip, "queue.bin", s => { using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true); queue.Keys.cpu().Save(w); });
            Write(zip, "optimizer.bin", s => { using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true); optimizer.save_state_dict(w); });
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads only the metadata, or null when there is no checkpoint.</summary>
    internal static Meta? ReadMeta(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        using var zip = ZipFile.OpenRead(path);
        using var s = Entry(zip, "meta.json", path).Open();
        return JsonSerializer.Deserialize<Meta>(s) ?? throw new InvalidDataException($"Checkpoint {path} has empty metadata; delete it to start over.");
    }

    /// <summary>Restores encoders, queue and optimiser from <c>directory/synco-checkpoint.zip</c>.</summary>
    internal static Meta Load(string directory, string fingerprint, ContrastiveEncoder query, ContrastiveEncoder key, KeyQueue queue,
        TorchSharp.Modules.OptimizerHelper optimizer)
    {
        string path = Path.Combine(directory, FileName);
        var meta = ReadMeta(directory) ?? throw new FileNotFoundException("No checkpoint to resume from.", path);
        if (meta.Version != FormatVersion)
            throw new InvalidDataException($"Checkpoint {path} has format {meta.Version}; this version reads {FormatVersion}. Delete it or use another CheckpointDirectory.");
        if (meta.Fingerprint != fingerprint)
            throw new CheckpointMismatchException(path, meta.Fingerprint, fingerprint);
        using var zip = ZipFile.OpenRead(path);
        Read(zip, "query.bin", path, r => query.load(r));
        Read(zip, "key.bin", path, r => key.load(r));
        Read(zip, "queue.bin", path, r => queue.Restore(TensorExtensionMethods.Load(r).to(queue.Keys.device), meta.QueuePointer));
        Read(zip, "optimizer.bin", path, r => optimizer.load_state_dict(r));
        return meta;
    }

    /// <summary>
    /// The trained query encoder (backbone and head, eval mode) from <c>directory/synco-checkpoint.zip</c>, with its
    /// description (architecture, image size, normalisation): what export and featurization need.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no checkpoint in <paramref name="directory"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this format.</exception>
    public static (ContrastiveEncoder Encoder, EncoderDescription Description) LoadEncoder(string directory)
    {
        string path = Path.Combine(directory, FileName);
        var meta = ReadMeta(directory) ?? throw new FileNotFoundException($"No checkpoint in {directory}: expected {FileName} (written by pretraining with a CheckpointDirectory).", path);
        if (meta.Version != FormatVersion)
            throw new InvalidDataException($"Checkpoint {path} has format {meta.Version}; this version reads {FormatVersion}.");
        var encoder = meta.Encoder.CreateEncoder();
        using var zip = ZipFile.OpenRead(path);
        Read(zip, "query.bin", path, r => encoder.load(r));
        encoder.eval();
        return (encoder, meta.Encoder);
    }

    private static void Write(ZipArchive zip, string name, Action<Stream> write)
    {
        using var s = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        write(s);
    }

    private static void Read(ZipArchive zip, string name, string path, Action<BinaryReader> read)
    {
        // Zip entry streams do not seek; TorchSharp's readers need only sequential reads, buffered here.
        using var buffer = new MemoryStream();
        using (var s = Entry(zip, name, path).Open()) s.CopyTo(buffer);
        buffer.Position = 0;
        using var r = new BinaryReader(buffer);
        read(r);
    }

    private static ZipArchiveEntry Entry(ZipArchive zip, string name, string path) =>
        zip.GetEntry(name) ?? throw new InvalidDataException($"Checkpoint {path} lacks '{name}'; it is incomplete or not a SynCo.ML checkpoint. Delete it to start over.");
}
