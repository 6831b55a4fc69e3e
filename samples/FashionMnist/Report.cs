using System.Globalization;
using System.Text;
using Spectre.Console;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>The comparison table: per method, mean ± spread over seeds, printed and written as Markdown and CSV.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>One table row per method.</summary>
    public sealed record Row(Method Method, int Seeds, double Linear, double LinearSpread, double Knn, double KnnSpread,
        double FiveNn, double FiveNnSpread, double Seconds, double ImagesPerSecond);

    /// <summary>Aggregates the results by method; spread is half the range (max − min) / 2 over seeds.</summary>
    public static IReadOnlyList<Row> Summarise(IEnumerable<MethodResult> results) =>
        results.GroupBy(r => r.Method).OrderBy(g => g.Key).Select(g => new Row(g.Key, g.Count(),
            g.Average(r => r.LinearAccuracy), Spread(g.Select(r => r.LinearAccuracy)),
            g.Average(r => r.KnnAccuracy), Spread(g.Select(r => r.KnnAccuracy)),
            g.Average(r => r.FiveNnAccuracy), Spread(g.Select(r => r.FiveNnAccuracy)),
            g.Average(r => r.PretrainSeconds), g.Average(r => r.ImagesPerSecond))).ToList();

    /// <summary>Prints the table and writes <c>results.md</c> and <c>results.csv</c> into <paramref name="folder"/>.</summary>
    public static void Write(IReadOnlyList<Row> rows, SampleSettings settings, string folder)
    {
        var table = new Table().AddColumns("method", "linear probe", "kNN (k=200)", "5-NN", "pretrain time", "images/s");
        foreach (var r in rows)
            table.AddRow(r.Method.ToString(), Pct(r.Linear, r.LinearSpread, r.Seeds), Pct(r.Knn, r.KnnSpread, r.Seeds),
                Pct(r.FiveNn, r.FiveNnSpread, r.Seeds), r.Seconds > 0 ? $"{r.Seconds:F0} s" : "–", r.ImagesPerSecond > 0 ? r.ImagesPerSecond.ToString("F0", Inv) : "–");
        AnsiConsole.Write(table);

        var md = new StringBuilder();
        md.AppendLine($"Fashion-MNIST test accuracy. Pretraining: {settings.PretrainImages} unlabelled images, {settings.Epochs} epochs, " +
            $"ResNet-18 width {settings.Width.ToString(Inv)}, batch {settings.BatchSize}, K={settings.QueueSize}, lr {settings.LearningRate.ToString(Inv)} per 256, crop scale ≥ {settings.MinCropScale.ToString(Inv)}" +
            $"{(settings.Temperature is { } t ? $", T {t.ToString(Inv)}" : "")}" +
            $"{(settings.BatchNormSplits is { } k ? $", {k} batch-norm group(s)" : "")}" +
            $"{(settings.Symmetric ? ", symmetric loss" : "")}" +
            $"{(settings.Methods.Any(MethodNegatives.Synthesizes) ? $", synthetic negatives from epoch {settings.WarmupEpochs + 1}" : "")}; probes on {settings.ProbeImages} labelled training images; seeds {string.Join(", ", settings.Seeds)}.");
        md.AppendLine();
        md.AppendLine("| method | linear probe | kNN (k=200, T=0.1) | 5-NN | pretrain time | images/s |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in rows)
            md.AppendLine($"| {r.Method} | {Pct(r.Linear, r.LinearSpread, r.Seeds)} | {Pct(r.Knn, r.KnnSpread, r.Seeds)} | {Pct(r.FiveNn, r.FiveNnSpread, r.Seeds)} | " +
                $"{(r.Seconds > 0 ? r.Seconds.ToString("F0", Inv) + " s" : "–")} | {(r.ImagesPerSecond > 0 ? r.ImagesPerSecond.ToString("F0", Inv) : "–")} |");
        File.WriteAllText(Path.Combine(folder, "results.md"), md.ToString());

        var csv = new StringBuilder("method,seeds,linear,linear_spread,knn,knn_spread,five_nn,five_nn_spread,pretrain_seconds,images_per_second\n");
        foreach (var r in rows)
            csv.AppendLine(string.Join(",", r.Method, r.Seeds, F(r.Linear), F(r.LinearSpread), F(r.Knn), F(r.KnnSpread), F(r.FiveNn), F(r.FiveNnSpread), F(r.Seconds), F(r.ImagesPerSecond)));
        File.WriteAllText(Path.Combine(folder, "results.csv"), csv.ToString());
    }

    private static double Spread(IEnumerable<double> values) => (values.Max() - values.Min()) / 2;

    private static string Pct(double mean, double spread, int seeds) =>
        seeds > 1 ? $"{(100 * mean).ToString("F1", Inv)} ± {(100 * spread).ToString("F1", Inv)} %" : $"{(100 * mean).ToString("F1", Inv)} %";

    private static string F(double v) => v.ToString("G6", Inv);
}
