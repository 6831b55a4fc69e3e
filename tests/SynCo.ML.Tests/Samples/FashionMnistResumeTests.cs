using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using SynCo.ML.Tests.Data;

namespace SynCo.ML.Tests.Samples;

/// <summary>
/// The README's main command as a separate process (samples/FashionMnist, tiny settings) on the real Fashion-MNIST files:
/// with <c>--checkpoint</c>, a re-run of a finished method reads its saved features-and-probes result instead of
/// recomputing it, a run under other settings recomputes it from the pretraining checkpoint without training again, and
/// a method trained again (its checkpoint deleted) does not reuse the old training's result.
/// </summary>
public class FashionMnistResumeTests
{
    [Fact]
    public void ARerunReusesFinishedResultsWhileOtherSettingsOrAnotherTrainingRecomputeThem()
    {
        FashionMnistPrerequisite.Require();
        string sample = RepositoryProgram.Built("samples/FashionMnist", "FashionMnist.dll");   // built by the test project's reference
        string root = Directory.CreateTempSubdirectory("synco-sample-").FullName;
        string checkpoints = Path.Combine(root, "ck");
        string[] Args(string output, params string[] fractions) =>
            new[] { "--methods", "MoCoV2", "--pretrain-images", "256", "--epochs", "1", "--warmup", "0", "--batch", "64", "--probe-images", "500",
                "--draw-seeds", "1", "--threads", "1", "--checkpoint", checkpoints, "--out", Path.Combine(root, output), "--fractions" }.Concat(fractions).ToArray();
        try
        {
            var first = Run(sample, Args("first", "1"));
            Assert.Contains("epoch 1/1 done", first);
            string saved = Path.Combine(checkpoints, "MoCoV2-seed1", "evaluation.json");
            double linear = LinearAtAllLabels(Path.Combine(root, "first"));

            // Mark the saved result: a re-run that reads it reports the mark; one that recomputes would report the real figure.
            var json = JsonNode.Parse(File.ReadAllText(saved))!;
            var score = json["Scores"]!.AsArray().Single(s => (string)s!["Probe"]! == "Linear")!;
            score["Accuracies"] = new JsonArray(0.123456);
            File.WriteAllText(saved, json.ToJsonString());
            var again = Run(sample, Args("again", "1"));
            Assert.Contains("finished earlier", again);
            Assert.DoesNotContain("epoch 1/1 done", again);
            Assert.Equal(0.123456, LinearAtAllLabels(Path.Combine(root, "again")), 6);

            // Other label fractions: the saved result does not apply, so it is recomputed from the finished checkpoint
            // (no epoch runs) and the linear probe on all labels repeats the first run's figure.
            var other = Run(sample, Args("other", "0.5", "1"));
            Assert.DoesNotContain("finished earlier", other);
            Assert.DoesNotContain("epoch 1/1 done", other);
            Assert.Equal(linear, LinearAtAllLabels(Path.Combine(root, "other")), 6);
            Assert.NotEqual(0.123456, linear, 3);

            // The checkpoint deleted: the method trains again, and the saved result, which belongs to the old training,
            // is not reused even under the same settings.
            File.Delete(Path.Combine(checkpoints, "MoCoV2-seed1", "synco-checkpoint.zip"));
            var retrained = Run(sample, Args("retrained", "0.5", "1"));
            Assert.Contains("epoch 1/1 done", retrained);
            Assert.DoesNotContain("finished earlier", retrained);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Run(string sample, string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet");
        start.ArgumentList.Add(sample);
        foreach (string a in args) start.ArgumentList.Add(a);
        var (exitCode, output) = RepositoryProgram.Run(start, TimeSpan.FromMinutes(5));
        Assert.True(exitCode == 0, $"exit {exitCode}: {output}");
        return output;
    }

    /// <summary>The linear probe's mean at 100 % of the labels, from the run's results.csv.</summary>
    private static double LinearAtAllLabels(string folder) =>
        File.ReadLines(Path.Combine(folder, "results.csv")).Skip(1).Select(l => l.Split(','))
            .Where(c => c[1] == "Linear" && c[2] == "1").Select(c => double.Parse(c[5], CultureInfo.InvariantCulture)).Single();
}
