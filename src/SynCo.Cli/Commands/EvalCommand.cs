using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SynCo.Hosting;
using SynCo.ML.Evaluation;

namespace SynCo.Cli.Commands;

/// <summary>
/// <c>synco eval</c>: linear-probe, kNN and 5-NN accuracy of labelled train/test feature files, with the probes trained
/// on class-balanced shares of the training labels (<see cref="FewLabelEvaluation"/>).
/// </summary>
public sealed class EvalCommand(Terminal terminal) : CliCommand(terminal)
{
    private readonly Option<string> _train = new("--train") { Description = "Training features (.csv, .npy or a Parquet part folder from synco featurize): the kNN bank and the probe's training set.", Required = true };
    private readonly Option<string> _test = new("--test") { Description = "Test features (.csv, .npy or a Parquet part folder) scored by both classifiers.", Required = true };
    private readonly Option<string?> _trainLabels = new("--train-labels") { Description = "Labels of --train, one int per line (default: the CSV label column or <train>.labels.txt)." };
    private readonly Option<string?> _testLabels = new("--test-labels") { Description = "Labels of --test, one int per line (default: the CSV label column or <test>.labels.txt)." };
    private readonly Option<int> _k = CliOptions.Positive(new Option<int>("--k") { Description = "kNN: neighbours that vote.", DefaultValueFactory = _ => 200 });
    private readonly Option<double> _t = CliOptions.Positive(new Option<double>("--t") { Description = "kNN: vote temperature, weight exp(cosine / t).", DefaultValueFactory = _ => 0.1 });
    private readonly Option<double[]> _fractions = new("--fractions")
    {
        Description = "Shares of the training labels the probes train on, each in (0, 1]: class-balanced draws.", AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => SynCo.ML.Defaults.LabelFractions.ToArray(),
    };
    private readonly Option<int[]> _drawSeeds = new("--draw-seeds")
    {
        Description = "Seeds of the label draws: one draw per seed at each fraction below 1; mean ± half the range.", AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => SynCo.ML.Defaults.LabelDrawSeeds.ToArray(),
    };
    private readonly Option<bool> _eachDraw = new("--cross-validate-each-draw")
    {
        Description = "Cross-validate the linear probe's L2 weight on every label draw (default: on each fraction's first draw, reused for its other draws of the same size).",
    };

    /// <inheritdoc/>
    protected override Command Create() => new("eval", "Score features with a linear probe (L-BFGS logistic regression), a weighted kNN and a 5-NN trained on " +
        "1 %, 10 % and 100 % of the training labels (class-balanced draws); prints a table.")
    {
        _train, _test, _trainLabels, _testLabels, _k, _t, _fractions, _drawSeeds, _eachDraw,
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
        double[] fractions = parsed.GetValue(_fractions)!;
        int[] seeds = parsed.GetValue(_drawSeeds)!;
        bool eachDraw = parsed.GetValue(_eachDraw);
        var evaluation = new FewLabelEvaluation { Fractions = fractions, DrawSeeds = seeds, Neighbours = k, Temperature = t, CrossValidateEachDraw = eachDraw };
        var scores = evaluation.Evaluate(train.Features, trainLabels, test.Features, testLabels, classes, cancellationToken);

        var inv = CultureInfo.InvariantCulture;
        Terminal.Line($"train: {train.Features.Length} x {dim}, test: {test.Features.Length} x {dim}, {classes} classes; " +
            $"label draws: class-balanced, seeds {string.Join(", ", seeds)}");
        string Percent(double f) => (100 * f).ToString("0.##", inv) + " %";
        string[] header = new[] { "method" }.Concat(fractions.Select(f => $"{Percent(f)} ({scores.First(s => s.Fraction == f).LabelCount})")).ToArray();
        var rows = new[]
        {
            (Name: "linear probe", Probe: FewLabelProbe.Linear),
            (Name: string.Create(inv, $"kNN (k={k}, t={t})"), Probe: FewLabelProbe.WeightedKnn),
            (Name: string.Create(inv, $"5-NN (t={t})"), Probe: FewLabelProbe.FiveNn),
        }.Select(r => new[] { r.Name }.Concat(fractions.Select(f => Cell(scores.First(s => s.Probe == r.Probe && s.Fraction == f)))).ToArray()).ToList();
        if (Terminal.Interactive)
        {
            var table = new Table().AddColumn(header[0]);
            foreach (string h in header.Skip(1)) table.AddColumn(new TableColumn(Markup.Escape(h)).RightAligned());
            foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
            AnsiConsole.Write(table);
        }
        else
        {
            int[] widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max() + 2).ToArray();
            Terminal.Line(string.Concat(header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
            foreach (var row in rows) Terminal.Line(string.Concat(row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
        var l2 = fractions.Select(f => $"{Percent(f)}: {string.Join(", ", scores.First(s => s.Probe == FewLabelProbe.Linear && s.Fraction == f).L2!.Select(w => w.ToString("G", inv)))}");
        Terminal.Line($"linear probe L2 weight of each draw, cross-validated on {(eachDraw ? "every draw" : "each fraction's first draw")}: {string.Join("; ", l2)}");
        return ExitCodes.Ok;
    }

    private static string Cell(FewLabelScore score) =>
        (score.Mean * 100).ToString("F2", CultureInfo.InvariantCulture) + (score.Accuracies.Count > 1
            ? " ± " + (score.Spread * 100).ToString("F2", CultureInfo.InvariantCulture) : "") + " %";

    private static int[] RequireLabels(FeatureTable table, string path, string option) => table.Labels
        ?? throw new UsageException($"'{path}' has no labels: featurize a labelled input (class subfolders, or --labels for IDX) or pass {option} <file>.");
}
