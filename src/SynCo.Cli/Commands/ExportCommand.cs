using System.CommandLine;
using SynCo.Hosting;
using SynCo.ML.Model;
using SynCo.ML.Onnx;
using SynCo.ML.Training;

namespace SynCo.Cli.Commands;

/// <summary><c>synco export</c>: the ONNX backbone from a pretraining checkpoint or from a saved ML.NET model.</summary>
public sealed class ExportCommand(Terminal terminal) : CliCommand(terminal)
{
    private readonly Option<string?> _checkpoint = new("--checkpoint")
    {
        Description = "Folder holding synco-checkpoint.zip (the --out folder of synco pretrain).",
    };

    private readonly Option<string?> _model = new("--model")
    {
        Description = "A model.zip saved with mlContext.Model.Save after SynCoPretrain; its embedded ONNX graph is written as is.",
    };

    private readonly Option<string> _out = CliOptions.Out("The ONNX file to write, e.g. backbone.onnx.");

    private readonly Option<string> _output = CliOptions.Choice("--output",
        "What the model returns: the backbone's pooled features, or the projection head's embedding. --checkpoint only.", "features", "projection");

    private readonly Option<bool> _normalize = new("--normalize")
    {
        Description = "Divide each output vector by its L2 norm (for cosine-similarity search). --checkpoint only.",
    };

    private readonly Option<int> _grid = new("--feature-grid")
    {
        Description = "Average the features over a g x g grid of the last feature map instead of globally: g*g times as many values, which keep where a feature fired (1 = global, the default; at most 4 for 28-32 px images). --checkpoint only.",
        DefaultValueFactory = _ => SynCo.ML.Defaults.FeatureGrid,
    };

    /// <inheritdoc/>
    protected override Command Create() => new("export", "Write the trained backbone as an ONNX model (input: raw 0-255 pixels [N,C,H,W], normalisation inside).")
    {
        _checkpoint, _model, _out, _output, _normalize, _grid,
    };

    /// <inheritdoc/>
    protected override int Execute(ParseResult parsed, CancellationToken cancellationToken)
    {
        string? checkpoint = parsed.GetValue(_checkpoint), model = parsed.GetValue(_model);
        string output = parsed.GetValue(_out)!;
        if ((checkpoint is null) == (model is null))
            throw new UsageException("Pass exactly one of --checkpoint <folder> (a synco pretrain output) or --model <model.zip> (a saved ML.NET model).");
        if (model is not null)
        {
            if (parsed.IsGiven(_output) || parsed.IsGiven(_normalize) || parsed.IsGiven(_grid))
                throw new UsageException("--output, --normalize and --feature-grid apply to --checkpoint only: a saved ML.NET model holds one fixed ONNX graph.");
            if (!File.Exists(model))
                throw new UsageException($"Model file '{model}' does not exist; pass the .zip written by mlContext.Model.Save.");
            byte[] onnx = MlNetModelOnnx.Extract(model);
            WriteAtomically(output, s => s.Write(onnx));
            Terminal.Line($"wrote {output} ({onnx.Length:N0} bytes) from the ML.NET model {model}");
            return ExitCodes.Ok;
        }
        var kind = parsed.GetValue(_output)!.Equals("projection", StringComparison.OrdinalIgnoreCase) ? OnnxOutputKind.Projection : OnnxOutputKind.Features;
        var spec = ExportCheckpoint(checkpoint!, output, kind, parsed.GetValue(_normalize), parsed.GetValue(_grid));
        Terminal.Line($"wrote {output}: {spec}");
        return ExitCodes.Ok;
    }

    /// <summary>Exports the encoder in <paramref name="checkpointDirectory"/> to <paramref name="path"/>; shared with pretrain.</summary>
    /// <returns>The export spec used (input size, normalisation, output).</returns>
    public static OnnxExportSpec ExportCheckpoint(string checkpointDirectory, string path, OnnxOutputKind output, bool normalize, int featureGrid = SynCo.ML.Defaults.FeatureGrid)
    {
        if (!Directory.Exists(checkpointDirectory))
            throw new UsageException($"Checkpoint folder '{checkpointDirectory}' does not exist; pass the --out folder of synco pretrain.");
        var (encoder, description) = Checkpoint.LoadEncoder(checkpointDirectory);
        using (encoder)
            return Export(encoder, description, path, output, normalize, featureGrid);
    }

    /// <summary>Writes <paramref name="encoder"/> to <paramref name="path"/> as ONNX with the normalisation <paramref name="description"/> records.</summary>
    public static OnnxExportSpec Export(ContrastiveEncoder encoder, EncoderDescription description, string path, OnnxOutputKind output, bool normalize,
        int featureGrid = SynCo.ML.Defaults.FeatureGrid)
    {
        var spec = description.ExportSpec();
        spec.Output = output;
        spec.L2Normalize = normalize;
        if (featureGrid != 1 && output == OnnxOutputKind.Projection)
            throw new UsageException("--feature-grid applies to --output features only: the projection head takes the globally pooled features.");
        spec.FeatureGrid = featureGrid;   // the exporter checks it against the feature map ("FeatureGrid is …" reads as --feature-grid)
        WriteAtomically(path, s => BackboneOnnxExporter.Export(encoder, spec, s));
        return spec;
    }

    /// <summary>Writes a file through a temporary sibling, so an interrupted run never leaves half a model.</summary>
    internal static void WriteAtomically(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp";
        try
        {
            using (var stream = File.Create(temp)) write(stream);
        }
        catch
        {
            File.Delete(temp);   // a refused export (bad --feature-grid, say) leaves nothing behind
            throw;
        }
        File.Move(temp, full, overwrite: true);
    }
}
