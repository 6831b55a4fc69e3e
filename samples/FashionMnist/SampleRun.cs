using System.Diagnostics;
using Spectre.Console;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>The whole sample: load, run each method and seed, report, plot. Returns the process exit code.</summary>
public static class SampleRun
{
    /// <summary>Runs <paramref name="settings"/>; bad input and missing data give a message and exit code 2.</summary>
    public static int Execute(SampleSettings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        FashionMnistData data;
        Experiment experiment;
        try
        {
            Check(settings);
            FashionMnistDownload.EnsureDefaultFiles(settings.DataFolder);
            data = FashionMnistData.Load(settings.DataFolder);
            experiment = new Experiment(settings, data);
            experiment.ValidateTrainingOptions();
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException)
        {
            // Library checks throw ArgumentOutOfRangeException; .NET appends "(Parameter 'x')" and "Actual value was" lines.
            string message = e is ArgumentException { ParamName: { } name } ? e.Message.Split('\n')[0].Replace($" (Parameter '{name}')", "") : e.Message;
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
            return 2;
        }
        Directory.CreateDirectory(settings.OutputFolder);
        AnsiConsole.MarkupLine($"Fashion-MNIST: {data.Train.Count} train / {data.Test.Count} test images. Methods: " +
            $"{string.Join(", ", settings.Methods)}; seeds {string.Join(", ", settings.Seeds)}; pretraining {settings.PretrainImages} images × {settings.Epochs} epochs.");

        var results = new List<MethodResult>();
        try
        {
            foreach (int seed in settings.Seeds)
                foreach (var method in settings.Methods)
                {
                    string? save = method == Method.SynCo && seed == settings.Seeds[0] ? settings.OutputFolder : null;
                    var r = experiment.Run(method, seed, save, cancellationToken);
                    results.Add(r);
                    AnsiConsole.MarkupLine($"[green]{method}[/] seed {seed}: linear probe [bold]{100 * r.LinearAccuracy:F1} %[/], kNN {100 * r.KnnAccuracy:F1} %, 5-NN {100 * r.FiveNnAccuracy:F1} %" +
                        (r.PretrainSeconds > 0 ? $", pretraining {r.PretrainSeconds:F0} s at {r.ImagesPerSecond:F0} img/s" : ""));
                }
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("[yellow]cancelled[/]");
            return 130;
        }
        catch (ArgumentException e)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return 2;
        }

        var rows = Report.Summarise(results);
        Report.Write(rows, settings, settings.OutputFolder);
        var plots = Plots.Write(results, FashionMnistData.Labels(data.Test), settings.OutputFolder);
        AnsiConsole.MarkupLine("Reference on this split (raw pixels): logistic regression 84.4 %, 5-NN 85.5 %.");
        AnsiConsole.MarkupLine($"Wrote {Markup.Escape(Path.Combine(settings.OutputFolder, "results.md"))}, results.csv, " +
            $"{plots.Count} plot{(plots.Count == 1 ? "" : "s")}{(settings.Methods.Contains(Method.SynCo) ? ", model.zip and backbone.onnx" : "")} in {clock.Elapsed.TotalMinutes:F1} min.");
        return 0;
    }

    private static void Check(SampleSettings s)
    {
        if (s.PretrainImages is < 1 or > 60_000) throw new ArgumentException($"--pretrain-images must be in 1–60000, not {s.PretrainImages}.");
        if (s.ProbeImages is < 1 or > 60_000) throw new ArgumentException($"--probe-images must be in 1–60000, not {s.ProbeImages}.");
        if (s.Seeds.Count == 0) throw new ArgumentException("--seeds needs at least one seed.");
        if (s.Methods.Count == 0) throw new ArgumentException("--methods needs at least one method.");
    }
}
