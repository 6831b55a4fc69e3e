using System.CommandLine;
using SynCo.Hosting;
using SynCo.ML.Featurization;
using SynCo.ML;

namespace SynCo.Cli.Commands;

/// <summary><c>synco featurize</c>: run an ONNX backbone over images in batches and write a feature file (with labels when known).</summary>
public sealed class FeaturizeCommand(Terminal terminal) : CliCommand(terminal)
{
    private readonly Option<string> _model = new("--model") { Description = "The ONNX backbone (e.g. <out>/backbone.onnx of synco pretrain, or synco export).", Required = true };
    private readonly Argument<string> _images = CliOptions.Images("Images to featurize (folders are resized to the model's input size)");
    private readonly Option<string> _out = CliOptions.Out("Features file: .csv (header f0..., label column when labelled) or .npy (float32 N x D, labels in <out>.labels.txt and class names in <out>.classes.txt).");
    private readonly Option<string?> _labels = new("--labels") { Description = "IDX input only: the IDX labels file to write alongside the features." };
    private readonly Option<int?> _batch = CliOptions.Batch(Defaults.FeaturizeBatchSize, "Images per ONNX Runtime call");
    private readonly Option<int?> _threads = CliOptions.Threads();
    private readonly Option<string> _device = CliOptions.Device("ONNX Runtime");
    private readonly Option<bool> _skipUnreadable = CliOptions.SkipUnreadable();

    /// <inheritdoc/>
    protected override Command Create() => new("featurize", "Compute a feature vector per image with an ONNX backbone (batched ONNX Runtime) and write CSV or .npy.")
    {
        _model, _images, _out, _labels, _batch, _threads, _device, _skipUnreadable,
    };

    /// <inheritdoc/>
    protected override int Execute(ParseResult parsed, CancellationToken cancellationToken)
    {
        string model = parsed.GetValue(_model)!, output = parsed.GetValue(_out)!;
        FeatureTable.IsCsv(output); // fail on a wrong extension before any work
        if (!File.Exists(model)) throw new UsageException($"Model file '{model}' does not exist; pass the backbone.onnx written by synco pretrain or synco export.");
        var options = new OnnxFeaturizerOptions { Device = parsed.GetValue(_device)!, IntraOpThreads = parsed.GetValue(_threads) };
        if (parsed.GetValue(_batch) is { } batch) options.BatchSize = batch;
        using var featurizer = new OnnxFeaturizer(model, options);
        Terminal.Line($"model {model}: input {featurizer.Channels}x{featurizer.Height}x{featurizer.Width}, output {featurizer.OutputDim} values; {featurizer.DeviceReason}");
        if (featurizer.Channels is not (1 or 3))
            throw new UsageException($"The model takes {featurizer.Channels} channels; image folders give 1 (grayscale) or 3 (RGB).");

        var input = InputImages.Load(parsed.GetValue(_images)!, new ImageSize(featurizer.Height, featurizer.Width), featurizer.Channels,
            parsed.GetValue(_skipUnreadable), parsed.GetValue(_labels));
        Terminal.Line(input.Description);
        var features = Terminal.Progress("featurize", report => featurizer.Featurize(input.Data, new FeaturizeReporter(report), cancellationToken));
        input.ReportSkipped(Terminal);
        FeatureTable.Write(output, features, input.Labels, input.ClassNames);
        string labels = input.Labels is null ? "no labels" : FeatureTable.IsCsv(output) ? "labels in the label column" : $"labels in {output}{FeatureTable.LabelsSuffix}";
        Terminal.Line($"wrote {output}: {features.Length} x {featurizer.OutputDim} features, {labels}");
        return ExitCodes.Ok;
    }
}
