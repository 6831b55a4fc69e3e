using System.Collections;
using SynCo.ML.Model;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SynCo.ML.Interop;

/// <summary>
/// Moves <see cref="ResNet"/> backbone weights to and from PyTorch as torchvision-keyed state dicts: <c>.pt</c>/<c>.pth</c>
/// (the zip format of <c>torch.save</c>, read by <c>torch.load</c>) or <c>.safetensors</c>, chosen by the file extension.
/// </summary>
/// <remarks>
/// <para>Keys are torchvision's (<c>conv1.weight</c>, <c>bn1.running_mean</c>, <c>layer1.0.conv1.weight</c>, …,
/// <c>num_batches_tracked</c> included). The classifier/projection <c>fc.*</c> is never written or read, so in PyTorch load the
/// file into a torchvision model whose <c>fc</c> is <c>torch.nn.Identity()</c> with <c>strict=True</c>.</para>
/// <para>Matching torchvision model: <c>torchvision.models.resnet18/34/50(width_per_group=…)</c> equals the backbone at width 1
/// and 3 channels with the standard stem (ResNet-10: <c>torchvision.models.resnet.ResNet(BasicBlock, [1, 1, 1, 1])</c>).
/// For the small stem (images ≤ 64 px by default) replace <c>conv1</c> with
/// <c>Conv2d(in_channels, width, 3, 1, 1, bias=False)</c> and <c>maxpool</c> with <c>Identity()</c>; for other widths or
/// channel counts build the torchvision ResNet with matching layer widths. Pixels go in normalised ((x/255 − mean)/std):
/// the scaling and normalisation live only in the exported ONNX graph.</para>
/// </remarks>
/// <example>
/// <code>
/// PyTorchWeights.SaveBackbone(result.Encoder.Backbone, "backbone.pt");
/// // Python: m = torchvision.models.resnet18(); m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False); m.maxpool = nn.Identity()
/// //         m.fc = nn.Identity(); m.load_state_dict(torch.load("backbone.pt"), strict=True)
/// </code>
/// </example>
public static class PyTorchWeights
{
    /// <summary>Key prefixes removed on load, in order of preference (MoCo's DataParallel and plain query encoder).</summary>
    public static IReadOnlyList<string> EncoderPrefixes { get; } = new[] { "module.encoder_q.", "encoder_q." };

    /// <summary>Writes the backbone's state dict without <c>fc.*</c>: PyTorch zip format for .pt/.pth, safetensors for .safetensors.</summary>
    /// <param name="backbone">The backbone (any device; tensors are copied to the CPU).</param>
    /// <param name="path">Destination ending in ".pt", ".pth" or ".safetensors".</param>
    /// <exception cref="ArgumentException">The extension is none of those.</exception>
    public static void SaveBackbone(ResNet backbone, string path)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        bool safetensors = IsSafetensors(path);
        using var scope = torch.NewDisposeScope();
        var stateDict = new Dictionary<string, Tensor>();
        foreach (var (key, tensor) in backbone.state_dict())
            if (!IsHead(key)) stateDict[key] = tensor.detach().cpu().contiguous();
        if (safetensors) Safetensors.SaveStateDict(path, stateDict);
        else PyTorchPickler.PickleStateDict(path, stateDict);
    }

    /// <summary>
    /// Loads backbone weights from a .pt/.pth (<c>torch.save</c> zip format) or .safetensors state dict into
    /// <paramref name="backbone"/> (every key must match; missing <c>num_batches_tracked</c> entries, absent in old files, are tolerated).
    /// </summary>
    /// <param name="backbone">The backbone to overwrite; its device and dtype are kept.</param>
    /// <param name="path">
    /// A torchvision state dict, or a MoCo checkpoint: a top-level <c>state_dict</c> entry is unwrapped, keys with the
    /// <c>module.encoder_q.</c> or <c>encoder_q.</c> prefix are taken (and the key encoder, queue etc. ignored), a plain
    /// <c>module.</c> prefix is removed, and <c>fc.*</c> is ignored.
    /// </param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The extension is not .pt, .pth or .safetensors.</exception>
    /// <exception cref="StateDictMismatchException">Keys are missing or unexpected, or shapes differ; the message lists them.</exception>
    public static void LoadBackbone(ResNet backbone, string path)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        bool safetensors = IsSafetensors(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
        using var scope = torch.NewDisposeScope();
        var loaded = BackboneKeys(safetensors ? Safetensors.LoadStateDict(path) : Unpickle(path));
        var expected = backbone.state_dict().Where(p => !IsHead(p.Key)).ToDictionary(p => p.Key, p => p.Value);

        var missing = expected.Keys.Where(k => !loaded.ContainsKey(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        var unexpected = loaded.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        var shapes = loaded.Where(p => expected.TryGetValue(p.Key, out var t) && !t.shape.SequenceEqual(p.Value.shape))
            .Select(p => $"{p.Key}: file [{string.Join(", ", p.Value.shape)}] vs backbone [{string.Join(", ", expected[p.Key].shape)}]").ToList();
        if (missing.Count + unexpected.Count + shapes.Count > 0)
            throw new StateDictMismatchException(path, missing, unexpected, shapes);

        using var noGrad = torch.no_grad();
        foreach (var (key, source) in loaded) expected[key].copy_(source);
    }

    /// <summary>The backbone entries of a loaded state dict: MoCo prefixes removed, other encoders and <c>fc.*</c> dropped.</summary>
    private static Dictionary<string, Tensor> BackboneKeys(IReadOnlyDictionary<string, Tensor> raw)
    {
        string? prefix = EncoderPrefixes.FirstOrDefault(p => raw.Keys.Any(k => k.StartsWith(p, StringComparison.Ordinal)));
        if (prefix is null && raw.Count > 0 && raw.Keys.All(k => k.StartsWith("module.", StringComparison.Ordinal))) prefix = "module.";
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, tensor) in raw)
        {
            if (prefix is not null && !key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            string name = prefix is null ? key : key[prefix.Length..];
            if (!IsHead(name)) result[name] = tensor;
        }
        return result;
    }

    /// <summary>Reads a <c>torch.save</c> file: the dict itself or its <c>state_dict</c> entry (MoCo checkpoints); non-tensor values are skipped.</summary>
    private static Dictionary<string, Tensor> Unpickle(string path)
    {
        Hashtable table = PyTorchUnpickler.UnpickleStateDict(path);
        if (table["state_dict"] is Hashtable inner) table = inner;
        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry entry in table)
            if (entry.Key is string key && entry.Value is Tensor tensor) result[key] = tensor;
        return result;
    }

    private static bool IsHead(string key) => key.StartsWith("fc.", StringComparison.Ordinal);

    private static bool IsSafetensors(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".safetensors" => true,
            ".pt" or ".pth" => false,
            _ => throw new ArgumentException($"'{path}' has extension '{ext}'; use \".pt\" or \".pth\" (PyTorch torch.save format) or \".safetensors\".", nameof(path)),
        };
    }
}
