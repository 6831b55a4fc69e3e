using SynCo.ML.Model;
using System.Globalization;
using System.Text;
using Spectre.Console;
using SynCo.ML.Augmentation;
using SynCo.ML.Evaluation;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>
/// The few-label table: per method, each probe at each label fraction, mean ± spread over pretraining seeds × label
/// draws; printed, and written as <c>results.md</c>, <c>results.csv</c> (one row per method, probe and fraction) and
/// <c>draws.csv</c> (every seed and draw, with the linear probe's chosen L2 weight).
/// </summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly FewLabelProbe[] ProbeOrder = { FewLabelProbe.Linear, FewLabelProbe.FiveNn, FewLabelProbe.WeightedKnn };

    /// <summary>The probes in table order, each with the name its evaluation gives it.</summary>
    private static (FewLabelProbe Probe, string Name)[] Probes(FewLabelEvaluation evaluation) =>
        ProbeOrder.Select(p => (p, evaluation.ProbeName(p))).ToArray();

    /// <summary>One method: its pooled accuracies per (probe, fraction), its pretraining cost and the seconds its features and probes took.</summary>
    public sealed record Row(Method Method, IReadOnlyList<int> Seeds, IReadOnlyDictionary<(FewLabelProbe, double), Cell> Cells, double Seconds, double ImagesPerSecond,
        double ProbeSeconds);

    /// <summary>Mean and half the range of every seed's and draw's accuracy, and how many there were.</summary>
    public sealed record Cell(double Mean, double Spread, int Count, int Labels);

    /// <summary>Aggregates the results by method.</summary>
    public static IReadOnlyList<Row> Summarise(IEnumerable<MethodResult> results) =>
        results.GroupBy(r => r.Method).OrderBy(g => g.Key).Select(g => new Row(g.Key, g.Select(r => r.Seed).ToList(),
            g.SelectMany(r => r.Scores).GroupBy(s => (s.Probe, s.Fraction)).ToDictionary(c => c.Key, c =>
            {
                var all = c.SelectMany(s => s.Accuracies).ToList();
                return new Cell(all.Average(), (all.Max() - all.Min()) / 2, all.Count, c.First().LabelCount);
            }),
            g.Average(r => r.PretrainSeconds), g.Average(r => r.ImagesPerSecond), g.Average(r => r.ProbeSeconds))).ToList();

    /// <summary>Prints the table and the gains over raw pixels, and writes the result files into <paramref name="folder"/>.</summary>
    public static void Write(IReadOnlyList<Row> rows, IReadOnlyList<MethodResult> results, SampleSettings settings, string folder)
    {
        var fractions = settings.LabelFractions;
        var evaluation = settings.Evaluation();
        var probes = Probes(evaluation);
        var headers = new[] { "method", "probe" }.Concat(fractions.Select(f => $"{Percent(f)} labels")).Concat(new[] { "pretrain time", "images/s" }).ToArray();
        var table = new Table().AddColumns(headers);
        foreach (var r in rows)
            foreach (var p in probes)
                table.AddRow(new[] { r.Method.ToString(), p.Name }.Concat(Cells(r, p.Probe, fractions)).Concat(new[] { Seconds(r), Speed(r) }).ToArray());
        AnsiConsole.Write(table);
        var gains = Gains(rows, fractions, probes).Concat(PairedDifferences(results, fractions, probes)).ToList();
        foreach (var line in gains) AnsiConsole.MarkupLine(Markup.Escape(line));

        int[] labels = fractions.Select(f => rows.SelectMany(r => r.Cells).First(c => c.Key.Item2 == f).Value.Labels).ToArray();
        var md = new StringBuilder();
        md.AppendLine($"Fashion-MNIST test accuracy (10,000 test images) of frozen features. Pretraining: {settings.PretrainImages} unlabelled images, {settings.Epochs} epochs, " +
            $"{settings.Architecture.ToString().Replace("ResNet", "ResNet-")} width {settings.Width.ToString(Inv)}{(settings.SmallStem ? "" : ", ImageNet stem")}, batch {settings.BatchSize}, K={settings.QueueSize}, lr {settings.LearningRate.ToString(Inv)} per 256, crop scale ≥ {settings.MinCropScale.ToString(Inv)}" +
            $"{(settings.Temperature is { } t ? $", T {t.ToString(Inv)}" : "")}" +
            $"{(settings.BatchNormSplits is { } k ? $", {k} batch-norm group(s)" : "")}" +
            $"{(settings.KeyMomentum is { } m ? $", key momentum {m.ToString(Inv)}" : "")}" +
            $"{(settings.LearningRateWarmupEpochs > 0 ? $", {settings.LearningRateWarmupEpochs} epoch(s) of lr warm-up" : "")}" +
            $"{(settings.HeadHiddenDim is { } h ? $", head hidden width {h}" : "")}" +
            $"{(settings.EmbeddingDim is { } e ? $", embedding {e}-d" : "")}" +
            $"{(settings.Symmetric ? ", symmetric loss" : "")}" +
            $"{(settings.SmallCrops > 0 ? $", multi-crop: {settings.SmallCrops} small crops of {settings.SmallCropSize ?? SmallCropOptions.DefaultSide(28)} px at area {settings.SmallCropScale[0].ToString(Inv)}–{settings.SmallCropScale[1].ToString(Inv)}" : "")}" +
            $"{(settings.Methods.Any(MethodNegatives.Synthesizes) ? $", synthetic negatives from epoch {settings.WarmupEpochs + 1}" : "")}; pretraining seeds {string.Join(", ", settings.Seeds)}" +
            $"{(settings.Methods.Any(m => m == Method.RandomInit || MethodNegatives.Pretrains(m)) ? settings.ResolvedFeatureGrid == 1 ? "; backbone features globally average-pooled" : $"; backbone features averaged over a {settings.ResolvedFeatureGrid}×{settings.ResolvedFeatureGrid} grid of the 4×4 feature map ({settings.ResolvedFeatureGrid * settings.ResolvedFeatureGrid} × {new BackboneOptions { Architecture = settings.Architecture, WidthMultiplier = settings.Width }.FeatureDim} values)" : "")}.");
        md.AppendLine();
        md.AppendLine($"Probes are trained on {string.Join(", ", fractions.Select((f, i) => $"{Percent(f)} ({labels[i]:N0})"))} of the {settings.ProbeImages:N0} labelled training images: " +
            $"class-balanced draws with seeds {string.Join(", ", settings.DrawSeeds)} below 100 %. {evaluation.Describe()} " +
            "Mean ± half the range over seeds × draws.");
        md.AppendLine();
        md.AppendLine("| " + string.Join(" | ", headers) + " | features and probes |");
        md.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", headers.Length + 1)));
        foreach (var r in rows)
            foreach (var p in probes)
                md.AppendLine($"| {r.Method} | {p.Name} | {string.Join(" | ", Cells(r, p.Probe, fractions))} | {Seconds(r)} | {Speed(r)} | {r.ProbeSeconds.ToString("F0", Inv)} s |");
        if (gains.Count > 0)
        {
            md.AppendLine();
            foreach (var line in gains) md.AppendLine($"- {line}");
        }
        File.WriteAllText(Path.Combine(folder, "results.md"), md.ToString());

        var csv = new StringBuilder("method,probe,fraction,labels,runs,mean,spread,pretrain_seconds,images_per_second,probe_seconds\n");
        foreach (var r in rows)
            foreach (var ((probe, fraction), c) in r.Cells.OrderBy(c => c.Key.Item1).ThenBy(c => c.Key.Item2))
                csv.AppendLine(string.Join(",", r.Method, probe, F(fraction), c.Labels, c.Count, F(c.Mean), F(c.Spread), F(r.Seconds), F(r.ImagesPerSecond), F(r.ProbeSeconds)));
        File.WriteAllText(Path.Combine(folder, "results.csv"), csv.ToString());

        var draws = new StringBuilder("method,seed,probe,fraction,labels,draw_seed,accuracy,l2\n");
        foreach (var result in results)
            foreach (var s in result.Scores)
                for (int d = 0; d < s.Accuracies.Count; d++)
                    draws.AppendLine(string.Join(",", result.Method, result.Seed, s.Probe, F(s.Fraction), s.LabelCount, s.DrawSeeds[d], F(s.Accuracies[d]),
                        s.L2 is { } l2 ? F(l2[d]) : ""));
        File.WriteAllText(Path.Combine(folder, "draws.csv"), draws.ToString());
    }

    /// <summary>"SynCo − RawPixels: linear +3.1 / …" for every method that pretrains, when raw pixels ran too.</summary>
    private static IEnumerable<string> Gains(IReadOnlyList<Row> rows, IReadOnlyList<double> fractions, (FewLabelProbe Probe, string Name)[] probes)
    {
        var raw = rows.FirstOrDefault(r => r.Method == Method.RawPixels);
        if (raw is null) yield break;
        foreach (var r in rows.Where(r => MethodNegatives.Pretrains(r.Method)))
            yield return $"{r.Method} − RawPixels, points at {string.Join(" / ", fractions.Select(Percent))} of the labels: " + string.Join("; ", probes.Select(p =>
                $"{p.Name} {string.Join(" / ", fractions.Select(f => (100 * (r.Cells[(p.Probe, f)].Mean - raw.Cells[(p.Probe, f)].Mean)).ToString("+0.0;−0.0;0.0", Inv)))}"));
    }

    /// <summary>
    /// "SynCo − MoCoV2, paired by seed: …" for MoCHi and SynCo when MoCo v2 ran at the same seeds: the difference of the
    /// two methods' draw-mean accuracies at each seed (same seed, same label draws), mean ± half the range over seeds.
    /// </summary>
    private static IEnumerable<string> PairedDifferences(IReadOnlyList<MethodResult> results, IReadOnlyList<double> fractions, (FewLabelProbe Probe, string Name)[] probes)
    {
        var baseline = results.Where(r => r.Method == Method.MoCoV2).ToDictionary(r => r.Seed);
        foreach (var group in results.Where(r => MethodNegatives.Synthesizes(r.Method)).GroupBy(r => r.Method))
        {
            var pairs = group.Where(r => baseline.ContainsKey(r.Seed)).ToList();
            if (pairs.Count < 2) continue;
            yield return $"{group.Key} − MoCoV2, paired by seed ({string.Join(", ", pairs.Select(p => p.Seed))}), points at {string.Join(" / ", fractions.Select(Percent))} of the labels: " +
                string.Join("; ", probes.Select(p => $"{p.Name} " + string.Join(" / ", fractions.Select(f =>
                {
                    var d = pairs.Select(r => 100 * (r.Score(p.Probe, f).Mean - baseline[r.Seed].Score(p.Probe, f).Mean)).ToList();
                    return $"{d.Average().ToString("+0.00;−0.00;0.00", Inv)} ± {((d.Max() - d.Min()) / 2).ToString("0.00", Inv)}";
                }))));
        }
    }

    private static IEnumerable<string> Cells(Row r, FewLabelProbe probe, IReadOnlyList<double> fractions) =>
        fractions.Select(f => r.Cells[(probe, f)] is var c && c.Count > 1
            ? $"{(100 * c.Mean).ToString("F1", Inv)} ± {(100 * c.Spread).ToString("F1", Inv)} %"
            : $"{(100 * c.Mean).ToString("F1", Inv)} %");

    private static string Percent(double fraction) => $"{(100 * fraction).ToString("0.##", Inv)} %";

    private static string Seconds(Row r) => r.Seconds > 0 ? $"{r.Seconds.ToString("F0", Inv)} s" : "–";

    private static string Speed(Row r) => r.ImagesPerSecond > 0 ? r.ImagesPerSecond.ToString("F0", Inv) : "–";

    private static string F(double v) => v.ToString("G6", Inv);
}
