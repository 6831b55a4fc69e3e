using System.CommandLine;
using Microsoft.ML.OnnxRuntime;
using SynCo.Hosting;
using SynCo.ML.Featurization;
using SynCo.ML;

namespace SynCo.Cli.Commands;

/// <summary>
/// <c>synco featurize</c>: run an ONNX backbone over images in batches and write a feature file (with labels when
/// known): one CSV or .npy, or, with a folder as --out, one Parquet part per shard (--shard I/N or the scheduler's
/// environment), skipped when already complete.
/// </summary>
public sealed class FeaturizeCommand(Terminal terminal) : CliCommand(terminal)
{
    private readonly Option<string> _model = new("--model") { Description = "The ONNX backbone (e.g. <out>/backbone.onnx of synco pretrain, or synco export).", Required = true };
    private readonly Argument<string> _images = CliOptions.Images("Images to featurize (folders are resized to the model's input size)");
    private readonly Option<string> _out = CliOptions.Out("Features: a .csv (header f0..., label column when labelled) or .npy file (float32 N x D, labels in <out>.labels.txt and class names in <out>.classes.txt), " +
        "or a folder (no extension) that gets part-IIIII-of-NNNNN.parquet per shard (columns path, label, features).");
    private readonly Option<string?> _labels = new("--labels") { Description = "IDX input only: the IDX labels file to write alongside the features." };
    private readonly Option<int?> _batch = CliOptions.Batch(Defaults.FeaturizeBatchSize, "Images per ONNX Runtime call");
    private readonly Option<int?> _threads = CliOptions.Threads();
    private readonly Option<int?> _decodeThreads = CliOptions.Positive(new Option<int?>("--decode-threads")
    {
        Description = "Threads decoding the next batch's images while ONNX Runtime runs the current one (default: one per logical CPU).",
    });
    private readonly Option<string> _device = CliOptions.Device("ONNX Runtime");
    private readonly Option<bool> _skipUnreadable = CliOptions.SkipUnreadable();
    private readonly Option<string?> _shard = new("--shard")
    {
        Description = "Folder --out only: featurize shard I of N (0-based, e.g. 2/8), a contiguous slice of the sorted files or IDX range. " +
            "Default: JOB_COMPLETION_INDEX/JOB_COMPLETIONS (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (Slurm array), else 0/1.",
        HelpName = "I/N",
    };
    private readonly Option<bool> _overwrite = new("--overwrite") { Description = "Folder --out only: replace this shard's part even when it is complete (e.g. written by another model)." };

    /// <inheritdoc/>
    protected override Command Create() => new("featurize", "Compute a feature vector per image with an ONNX backbone (batched ONNX Runtime) and write CSV, .npy or sharded Parquet.")
    {
        _model, _images, _out, _labels, _batch, _threads, _decodeThreads, _device, _skipUnreadable, _shard, _overwrite,
    };

    /// <inheritdoc/>
    protected override int Execute(ParseResult parsed, CancellationToken cancellationToken)
    {
        string model = parsed.GetValue(_model)!, output = parsed.GetValue(_out)!, images = parsed.GetValue(_images)!;
        bool parquet = FeatureTable.IsFolder(output); // fails on a wrong extension before any work
        if (!parquet && parsed.GetValue(_shard) is not null)
            throw new UsageException($"--shard writes Parquet parts into a folder; pass a folder (no extension) as --out instead of '{output}'.");
        if (!parquet && parsed.IsGiven(_overwrite))
            throw new UsageException($"--overwrite is for folder outputs (Parquet parts); '{output}' is a file, which is always replaced.");
        var shard = parquet ? ResolveShard(parsed.GetValue(_shard)) : ShardSpec.Whole;
        if (!File.Exists(model)) throw new UsageException($"Model file '{model}' does not exist; pass the backbone.onnx written by synco pretrain or synco export.");
        var sharded = parquet ? new ShardedFeaturize(Terminal, model, output, shard, parsed.GetValue(_overwrite)) : null;
        if (sharded is not null && sharded.AlreadyDone()) return ExitCodes.Ok;

        var options = new OnnxFeaturizerOptions
        {
            Device = parsed.GetValue(_device)!, IntraOpThreads = parsed.GetValue(_threads),
            ReaderThreads = parsed.GetValue(_decodeThreads) ?? Environment.ProcessorCount,
        };
        if (parsed.GetValue(_batch) is { } batch) options.BatchSize = batch;
        using var featurizer = Open(model, options);
        Terminal.Line($"model {model}: input {featurizer.Channels}x{featurizer.Height}x{featurizer.Width}, output {featurizer.OutputDim} values; {featurizer.DeviceReason}");
        if (featurizer.Channels is not (1 or 3))
            throw new UsageException($"The model takes {featurizer.Channels} channels; image folders give 1 (grayscale) or 3 (RGB).");

        var input = InputImages.Load(images, new ImageSize(featurizer.Height, featurizer.Width), featurizer.Channels,
            parsed.GetValue(_skipUnreadable), parsed.GetValue(_labels), shard);
        Terminal.Line(input.Description);
        if (sharded is not null)
        {
            sharded.Write(featurizer, input, Path.GetFullPath(images), cancellationToken);
            return ExitCodes.Ok;
        }
        var features = Terminal.Progress("featurize", report => featurizer.Featurize(input.Data, new FeaturizeReporter(report), cancellationToken));
        input.ReportSkipped(Terminal);
        FeatureTable.Write(output, features, input.Labels, input.ClassNames);
        string labels = input.Labels is null ? "no labels" : FeatureTable.IsCsv(output) ? "labels in the label column" : $"labels in {output}{FeatureTable.LabelsSuffix}";
        Terminal.Line($"wrote {output}: {features.Length} x {featurizer.OutputDim} features, {labels}");
        return ExitCodes.Ok;
    }

    /// <summary>--shard, else the scheduler's environment, else the whole input.</summary>
    private static ShardSpec ResolveShard(string? text)
    {
        try
        {
            return text is not null ? ShardSpec.Parse(text) : ShardSpec.FromEnvironment() ?? ShardSpec.Whole;
        }
        catch (FormatException e)
        {
            throw new UsageException(text is not null ? $"--shard: {e.Message}" : e.Message);
        }
    }

    private static OnnxFeaturizer Open(string model, OnnxFeaturizerOptions options)
    {
        try
        {
            return new OnnxFeaturizer(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new UsageException($"'{model}' is not an ONNX model ONNX Runtime can load ({HostErrors.Describe(e)}); pass the backbone.onnx written by synco pretrain or synco export.");
        }
    }
}
