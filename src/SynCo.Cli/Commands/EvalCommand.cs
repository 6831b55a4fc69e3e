using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SynCo.Hosting;
using SynCo.ML.Evaluation;

namespace SynCo.Cli.Commands;

/// <summary><c>synco eval</c>: kNN and linear-probe accuracy of labelled train/test feature files.</summary>
public sealed class EvalCommand(Terminal terminal) : CliCommand(terminal)
{
    private readonly Option<string> _train = new("--train") { Description = "Training features (.csv, .npy or a Parquet part folder from synco featurize): the kNN bank and the probe's training set.", Required = true };
    private readonly Option<string> _test = new("--test") { Description = "Test features (.csv, .npy or a Parquet part folder) scored by both classifiers.", Required = true };
    private readonly Option<string?> _trainLabels = new("--train-labels") { Description = "Labels of --train, one int per line (default: the CSV label column or <train>.labels.txt)." };
    private readonly Option<string?> _testLabels = new("--test-labels") { Description = "Labels of --test, one int per line (default: the CSV label column or <test>.labels.txt)." };
    private readonly Option<int> _k = CliOptions.Positive(new Option<int>("--k") { Description = "kNN: neighbours that vote.", DefaultValueFactory = _ => 200 });
    private readonly Option<double> _t = CliOptions.Positive(new Option<double>("--t") { Description = "kNN: vote temperature, weight exp(cosine / t).", DefaultValueFactory = _ => 0.1 });
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of the linear probe.", DefaultValueFactory = _ => 0 };

    /// <inheritdoc/>
    protected override Command Create() => new("eval", "Score features with a weighted kNN classifier and a linear probe (L-BFGS logistic regression); prints a table.")
    {
        _train, _test, _trainLabels, _testLabels, _k, _t, _seed,
    };

    /// <inheritdoc/>
    protected override int Execute(ParseResult parsed, CancellationToken cancellationToken)
    {
        string trainPath = parsed.GetValue(_train)!, testPath = parsed.GetValue(_test)!;
        var train = FeatureTable.Read(trainPath, parsed.GetValue(_trainLabels));
        var test = FeatureTable.Read(testPath, parsed.GetValue(_testLabels));
        int[] trainLabels = RequireLabels(train, trainPath, "--train-labels"), testLabels = RequireLabels(test, testPath, "--test-labels");
        if (train.Features.Length == 0 || test.Features.Length == 0)
            throw new UsageException("Both feature files need at least one row.");
        int dim = train.Features[0].Length;
        if (test.Features[0].Length != dim)
            throw new UsageException($"The train features have {dim} values per row but the test features {test.Features[0].Length}; featurize both with the same model.");
        if (trainLabels.Concat(testLabels).Any(l => l < 0))
            throw new UsageException("Labels must be 0 or more (images directly in the root folder have no class; move them into class subfolders).");
        int classes = trainLabels.Concat(testLabels).Max() + 1;

        int k = parsed.GetValue(_k);
        double t = parsed.GetValue(_t);
        cancellationToken.ThrowIfCancellationRequested();
        double knn = new KnnClassifier(train.Features, trainLabels, classes, k, t).Accuracy(test.Features, testLabels);
        cancellationToken.ThrowIfCancellationRequested();
        double probe = LinearProbe.Accuracy(train.Features, trainLabels, test.Features, testLabels, parsed.GetValue(_seed));

        var inv = CultureInfo.InvariantCulture;
        Terminal.Line($"train: {train.Features.Length} x {dim}, test: {test.Features.Length} x {dim}, {classes} classes");
        var rows = new[]
        {
            (Method: string.Create(inv, $"kNN (k={k}, t={t})"), Accuracy: knn),
            (Method: "linear probe", Accuracy: probe),
        };
        if (Terminal.Interactive)
        {
            var table = new Table().AddColumn("method").AddColumn(new TableColumn("accuracy").RightAligned());
            foreach (var (method, accuracy) in rows) table.AddRow(Markup.Escape(method), (accuracy * 100).ToString("F2", inv) + " %");
            AnsiConsole.Write(table);
        }
        else
        {
            int width = rows.Max(r => r.Method.Length) + 2;
            Terminal.Line("method".PadRight(width) + "accuracy");
            foreach (var (method, accuracy) in rows) Terminal.Line(method.PadRight(width) + (accuracy * 100).ToString("F2", inv) + " %");
        }
        return ExitCodes.Ok;
    }

    private static int[] RequireLabels(FeatureTable table, string path, string option) => table.Labels
        ?? throw new UsageException($"'{path}' has no labels: featurize a labelled input (class subfolders, or --labels for IDX) or pass {option} <file>.");
}
