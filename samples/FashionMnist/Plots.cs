using ScottPlot;
using SynCo.ML.Evaluation;
using SynCo.ML.Training;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>PNG plots of a run (ScottPlot): training curves, hardness telemetry and a PCA view of test embeddings.</summary>
public static class Plots
{
    private const int Width = 900, Height = 520;

    /// <summary>
    /// Writes every plot into <paramref name="folder"/>: accuracy against label fraction per probe (one line per method,
    /// from <paramref name="rows"/>), and for the first seed of each method its training curves, hardness and PCA view.
    /// </summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<MethodResult> results, IReadOnlyList<Report.Row> rows, IReadOnlyList<double> fractions,
        int[] testLabels, string folder)
    {
        var files = new List<string>();
        foreach (var (probe, name, file) in new[] { (FewLabelProbe.Linear, "linear probe", "labels-linear.png"), (FewLabelProbe.FiveNn, "5-NN", "labels-5nn.png") })
            files.Add(LabelCurves(rows, fractions, probe, name, Path.Combine(folder, file)));
        var firsts = results.GroupBy(r => r.Method).Select(g => g.First()).ToList();
        var trained = firsts.Where(r => r.History.Count > 0).ToList();
        if (trained.Count > 0)
        {
            files.Add(Curves(trained, h => h.Loss, "InfoNCE loss per epoch", "loss", Path.Combine(folder, "loss.png")));
            files.Add(Curves(trained, h => 100 * (h.Monitor ?? double.NaN), "kNN accuracy per epoch (monitor: 2,000-image bank, 1,000 test images)",
                "kNN accuracy (%)", Path.Combine(folder, "knn-monitor.png")));
        }
        foreach (var r in trained.Where(r => r.History.Any(h => h.SyntheticNegatives)))
            files.Add(Hardness(r, Path.Combine(folder, $"hardness-{r.Method.ToString().ToLowerInvariant()}.png")));
        foreach (var r in firsts)
            files.Add(Pca(r, testLabels, Path.Combine(folder, $"pca-{r.Method.ToString().ToLowerInvariant()}.png")));
        return files;
    }

    /// <summary>Test accuracy against the share of labels (log scale), one line per method, error bars = spread.</summary>
    private static string LabelCurves(IReadOnlyList<Report.Row> rows, IReadOnlyList<double> fractions, FewLabelProbe probe, string name, string path)
    {
        var plot = new Plot();
        var sorted = fractions.OrderBy(f => f).ToArray();
        double[] xs = sorted.Select(f => Math.Log10(100 * f)).ToArray();
        foreach (var r in rows)
        {
            var cells = sorted.Select(f => r.Cells[(probe, f)]).ToArray();
            var line = plot.Add.Scatter(xs, cells.Select(c => 100 * c.Mean).ToArray());
            line.LegendText = r.Method.ToString();
            var bars = plot.Add.ErrorBar(xs, cells.Select(c => 100 * c.Mean).ToArray(), cells.Select(c => 100 * c.Spread).ToArray());
            bars.Color = line.Color;
        }
        plot.Axes.Bottom.SetTicks(xs, sorted.Select(f => $"{100 * f:0.##} %").ToArray());
        return Save(plot, $"{name}: test accuracy against the share of labels (mean ± spread over seeds × draws)", "labelled training images (class-balanced)", "test accuracy (%)", Alignment.LowerRight, path);
    }

    private static string Curves(IEnumerable<MethodResult> runs, Func<EpochSummary, double> value, string title, string yLabel, string path)
    {
        var plot = new Plot();
        foreach (var r in runs)
        {
            var line = plot.Add.Scatter(r.History.Select(h => h.Epoch + 1.0).ToArray(), r.History.Select(value).ToArray());
            line.LegendText = r.Method.ToString();
        }
        return Save(plot, title, "epoch", yLabel, Alignment.UpperRight, path);
    }

    /// <summary>Mean cosine to the query of each negative group per epoch: are the synthetic negatives harder than the real ones?</summary>
    private static string Hardness(MethodResult run, string path)
    {
        var plot = new Plot();
        var groups = run.History.SelectMany(h => h.Hardness.Select(g => g.Group)).Where(g => g != "positive").Distinct();
        foreach (var group in groups)
        {
            var points = run.History.Select(h => (h.Epoch + 1.0, h.Hardness.FirstOrDefault(g => g.Group == group)))
                .Where(p => p.Item2 is not null).ToArray();
            var line = plot.Add.Scatter(points.Select(p => p.Item1).ToArray(), points.Select(p => p.Item2!.MeanCosine).ToArray());
            line.LegendText = $"{group} (share {points[^1].Item2!.SoftmaxShare:P1})";
        }
        return Save(plot, $"{run.Method}: how hard are the negatives? (legend: share of the softmax, last epoch)", "epoch", "mean cosine to query", Alignment.LowerRight, path);
    }

    private static string Pca(MethodResult run, int[] labels, string path)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var legend = new List<LegendItem>();
        for (int c = 0; c < FashionMnistData.ClassNames.Length; c++)
        {
            var index = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray();
            var color = palette.GetColor(c);
            var markers = plot.Add.Markers(index.Select(i => (double)run.TestProjection[i][0]).ToArray(), index.Select(i => (double)run.TestProjection[i][1]).ToArray(),
                color: color.WithAlpha(0.6));
            markers.MarkerSize = 3;
            // The 3-pixel plot markers would be unreadable in the legend, so it gets its own, larger ones.
            legend.Add(new LegendItem { LabelText = FashionMnistData.ClassNames[c], MarkerStyle = new MarkerStyle(MarkerShape.FilledCircle, 10, color) });
        }
        plot.Title($"{run.Method}: test embeddings, first two principal components");
        plot.ShowLegend(legend, Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
        return path;
    }

    /// <summary>Titles, labels and legend, then the PNG at <paramref name="path"/>, which it returns.</summary>
    private static string Save(Plot plot, string title, string xLabel, string yLabel, Alignment legend, string path)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        plot.SavePng(path, Width, Height);
        return path;
    }
}
