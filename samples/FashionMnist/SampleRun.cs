using System.Diagnostics;
using Spectre.Console;
using SynCo.Hosting;
using SynCo.ML.Evaluation;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>The whole sample: load, run each method and seed, report, plot. Returns the process exit code.</summary>
public static class SampleRun
{
    /// <summary>
    /// Runs <paramref name="settings"/>, writing to <paramref name="terminal"/>. Bad input and missing data give one
    /// error line and exit code 2, a failed run 1, Ctrl+C 130 (see <see cref="ExitCodes"/>).
    /// </summary>
    public static int Execute(SampleSettings settings, Terminal terminal, CancellationToken cancellationToken) =>
        HostErrors.Run(terminal, () => Run(settings, terminal, cancellationToken), () => settings.CheckpointFolder is { } folder
            ? $"cancelled; the checkpoints of finished epochs and the results of finished methods are kept in {folder}: re-run the same command to resume."
            : "cancelled.");

    private static int Run(SampleSettings settings, Terminal terminal, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Check(settings);
        FashionMnistDownload.EnsureDefaultFiles(settings.DataFolder);
        var data = FashionMnistData.Load(settings.DataFolder);
        var experiment = new Experiment(settings, data, terminal);
        experiment.ValidateTrainingOptions();
        Directory.CreateDirectory(settings.OutputFolder);
        AnsiConsole.MarkupLine($"Fashion-MNIST: {data.Train.Count} train / {data.Test.Count} test images. Methods: " +
            $"{string.Join(", ", settings.Methods)}; seeds {string.Join(", ", settings.Seeds)}; pretraining {settings.PretrainImages} images × {settings.Epochs} epochs.");

        var results = new List<MethodResult>();
        foreach (int seed in settings.Seeds)
            foreach (var method in settings.Methods)
            {
                if (method == Method.RawPixels && seed != settings.Seeds[0]) continue;   // no seed: the same figures every time
                string? save = method == Method.SynCo && seed == settings.Seeds[0] ? settings.OutputFolder : null;
                var r = experiment.Run(method, seed, save, cancellationToken);
                results.Add(r);
                AnsiConsole.MarkupLine($"[green]{method}[/] seed {seed}: " + string.Join(", ", settings.LabelFractions.Select(f =>
                        $"{100 * f:0.##} % labels: linear [bold]{100 * r.Score(FewLabelProbe.Linear, f).Mean:F1} %[/], 5-NN {100 * r.Score(FewLabelProbe.FiveNn, f).Mean:F1} %")) +
                    (r.PretrainSeconds > 0 ? $"; pretraining {r.PretrainSeconds:F0} s at {r.ImagesPerSecond:F0} img/s" : "") +
                    $"; features and probes {r.ProbeSeconds:F0} s");
            }

        var rows = Report.Summarise(results);
        Report.Write(rows, results, settings, settings.OutputFolder);
        var plots = Plots.Write(results, rows, settings.LabelFractions, FashionMnistData.Labels(data.Test), settings.OutputFolder);
        AnsiConsole.MarkupLine($"Wrote {Markup.Escape(Path.Combine(settings.OutputFolder, "results.md"))}, results.csv, " +
            $"draws.csv, {plots.Count} plot{(plots.Count == 1 ? "" : "s")}{(settings.Methods.Contains(Method.SynCo) ? ", model.zip and backbone.onnx" : "")} in {clock.Elapsed.TotalMinutes:F1} min.");
        return ExitCodes.Ok;
    }

    private static void Check(SampleSettings s)
    {
        if (s.PretrainImages is < 1 or > 60_000) throw new UsageException($"--pretrain-images must be in 1–60000, not {s.PretrainImages}.");
        if (s.ProbeImages is < 1 or > 60_000) throw new UsageException($"--probe-images must be in 1–60000, not {s.ProbeImages}.");
        if (s.Seeds.Count == 0) throw new UsageException("--seeds needs at least one seed.");
        if (s.Methods.Count == 0) throw new UsageException("--methods needs at least one method.");
    }
}
