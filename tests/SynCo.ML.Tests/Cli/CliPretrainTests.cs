using System.Globalization;
using SynCo.ML.Featurization;
using SynCo.ML.Tests.Evaluation;

namespace SynCo.ML.Tests.Cli;

public class CliPretrainTests(PretrainedRunFixture run) : IClassFixture<PretrainedRunFixture>
{
    [Fact]
    public void CtrlCExitsWith130AndKeepsTheCheckpoint()
    {
        Assert.True(run.Cancelled.ExitCode == 130, run.Cancelled.ToString());
        Assert.Contains("re-run the same command to resume", run.Cancelled.Error);
        Assert.DoesNotContain("   at ", run.Cancelled.Error);
    }

    [Fact]
    public void RerunAfterCancelResumesAtTheNextEpochAndWritesOnnxAndHistory()
    {
        var resumed = run.Resumed;
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("resumed from", resumed.Output);
        Assert.DoesNotContain("epoch 1/2:", resumed.Output);
        Assert.Contains("epoch 2/2:", resumed.Output);
        Assert.True(File.Exists(run.Backbone));

        string[] history = File.ReadAllLines(Path.Combine(run.Run, "history.csv"));
        Assert.Equal(3, history.Length); // header + 2 epochs, the first restored from the checkpoint
        Assert.StartsWith("epoch,loss,lr,images_per_s,seconds,synthetic_negatives,", history[0]);
        Assert.Contains("adversarial_share", history[0]);
        Assert.StartsWith("1,", history[1]);
        Assert.StartsWith("2,", history[2]);
    }

    [Fact]
    public async Task RerunOfAFinishedRunTrainsNoEpochAgain()
    {
        var again = await CliRun.Of(run.PretrainArgs);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("resumed from", again.Output);
        Assert.DoesNotContain("epoch 1/2:", again.Output);
        Assert.DoesNotContain("epoch 2/2:", again.Output);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run.Run, "history.csv")).Length);
    }

    [Fact]
    public async Task ExportFromTheCheckpointGivesBackboneOnnxOutputs()
    {
        string exported = run.Scratch("exported.onnx");
        var export = await CliRun.Of("export", "--checkpoint", run.Run, "--out", exported);
        Assert.True(export.ExitCode == 0, export.ToString());

        var images = new SynCo.ML.Data.ImageFolderDataset(run.Images, 16, 16, 3);
        using var original = new OnnxFeaturizer(run.Backbone);
        using var fromExport = new OnnxFeaturizer(exported);
        var expected = original.Featurize(images);
        var actual = fromExport.Featurize(images);
        Assert.Equal(images.Count, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
    }

    [Fact]
    public async Task ExportWithAFeatureGridKeepsEachCellWhoseMeanIsTheGlobalFeature()
    {
        string exported = run.Scratch("grid2.onnx");
        var export = await CliRun.Of("export", "--checkpoint", run.Run, "--out", exported, "--feature-grid", "2");
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("(2x2 grid)", export.Output);

        // 16 px images, small stem: a 2x2 feature map, so the four cells of channel c average to its global feature.
        var images = new SynCo.ML.Data.ImageFolderDataset(run.Images, 16, 16, 3);
        using var global = new OnnxFeaturizer(run.Backbone);
        using var grid = new OnnxFeaturizer(exported);
        Assert.Equal(4 * global.OutputDim, grid.OutputDim);
        var g = global.Featurize(images);
        var cells = grid.Featurize(images);
        double worst = 0;
        for (int i = 0; i < g.Length; i++)
            for (int c = 0; c < global.OutputDim; c++)
                worst = Math.Max(worst, Math.Abs(cells[i].Skip(4 * c).Take(4).Average() - g[i][c]));
        Assert.True(worst < 1e-5, $"cell means differ from the global features by {worst:E2}");
        Assert.True(cells.Any(r => Enumerable.Range(0, global.OutputDim).Any(c => Math.Abs(r[4 * c] - r[4 * c + 3]) > 1e-3)), "the cells must not all be equal");

        var tooFine = await CliRun.Of("export", "--checkpoint", run.Run, "--out", run.Scratch("grid3.onnx"), "--feature-grid", "3");
        Assert.Equal(2, tooFine.ExitCode);
        Assert.Contains("--feature-grid is 3, but it must be between 1 (global average pooling) and 2: 16x16 images give a 2x2 feature map", tooFine.Error);
        Assert.False(File.Exists(run.Scratch("grid3.onnx")) || File.Exists(run.Scratch("grid3.onnx") + ".tmp"), "a refused export must leave no file");
        var projection = await CliRun.Of("export", "--checkpoint", run.Run, "--out", run.Scratch("grid-p.onnx"), "--feature-grid", "2", "--output", "projection");
        Assert.Equal(2, projection.ExitCode);
        Assert.Contains("--feature-grid applies to --output features only", projection.Error);
    }

    [Fact]
    public async Task ExportProjectionNormalizedGivesUnitEmbeddings()
    {
        string exported = run.Scratch("projection.onnx");
        var export = await CliRun.Of("export", "--checkpoint", run.Run, "--out", exported, "--output", "projection", "--normalize");
        Assert.True(export.ExitCode == 0, export.ToString());
        using var featurizer = new OnnxFeaturizer(exported);
        Assert.Equal(128, featurizer.OutputDim);
        var rows = featurizer.Featurize(new SynCo.ML.Data.ImageFolderDataset(run.Images, 16, 16, 3));
        Assert.All(rows, r => Assert.Equal(1.0, Math.Sqrt(r.Sum(v => (double)v * v)), 3));
    }

    [Fact]
    public async Task FeaturizeWritesLabelledCsvAndNpyThatEvalScores()
    {
        string csv = run.Scratch("train.csv"), npy = run.Scratch("test.npy");
        var a = await CliRun.Of("featurize", "--model", run.Backbone, run.Images, "--out", csv, "--batch", "10");
        Assert.True(a.ExitCode == 0, a.ToString());
        var b = await CliRun.Of("featurize", "--model", run.Backbone, run.Images, "--out", npy);
        Assert.True(b.ExitCode == 0, b.ToString());

        Assert.EndsWith(",label", File.ReadLines(csv).First());
        Assert.Equal(65, File.ReadAllLines(csv).Length);
        Assert.Equal(64, FeatureFiles.ReadNpy(npy).Length);
        var labels = File.ReadAllLines(npy + ".labels.txt").Select(int.Parse).ToArray();
        Assert.Equal(Enumerable.Range(0, 4).SelectMany(c => Enumerable.Repeat(c, 16)), labels);
        Assert.Equal(ClassImages.Classes, File.ReadAllLines(npy + ".classes.txt"));

        var eval = await CliRun.Of("eval", "--train", csv, "--test", npy, "--k", "20");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        // Every probe at 1 %, 10 % and 100 % of the 16 labels per class: 1, 2 and 16 per class (three draws below 100 %).
        Assert.Matches(@"method\s+1 % \(4\)\s+10 % \(8\)\s+100 % \(64\)", eval.Output);
        const string few = @"\d+\.\d\d ± \d+\.\d\d %", full = @"\d+\.\d\d %";
        foreach (string probe in new[] { @"linear probe", @"kNN \(k=20, t=0\.1\)", @"5-NN \(t=0\.1\)" })
            Assert.Matches($@"{probe}\s+{few}\s+{few}\s+{full}\s*(\n|$)", eval.Output);
        Assert.Contains("4 classes", eval.Output);
        Assert.Contains("seeds 1, 2, 3", eval.Output);

        var bad = await CliRun.Of("eval", "--train", csv, "--test", npy, "--fractions", "0");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("(0, 1]", bad.Error);
    }

    [Fact]
    public async Task EvalWithoutLabelsNamesTheLabelOptions()
    {
        string features = run.Scratch("unlabelled.npy");
        FeatureFiles.WriteNpy(features, new[] { new float[] { 1, 0 }, new float[] { 0, 1 } });
        var eval = await CliRun.Of("eval", "--train", features, "--test", features);
        Assert.Equal(2, eval.ExitCode);
        Assert.Contains("--train-labels", eval.Error);

        File.WriteAllLines(run.Scratch("labels.txt"), new[] { "0", "1" });
        var labelled = await CliRun.Of("eval", "--train", features, "--test", features, "--train-labels", run.Scratch("labels.txt"),
            "--test-labels", run.Scratch("labels.txt"), "--k", "1");
        Assert.True(labelled.ExitCode == 0, labelled.ToString());
        Assert.Contains("100.00 %", labelled.Output);
    }

    [Fact]
    public async Task EvalPrintsEachDrawsL2AndSearchesEveryDrawWhenAsked()
    {
        var (x, y, own) = FewLabelEvaluationTests.DrawsThatChooseDifferentL2();
        string features = run.Scratch("weak-signal.csv");
        FeatureFiles.WriteCsv(features, x, y);
        string[] args = new[] { "eval", "--train", features, "--test", features, "--k", "5",
            "--fractions", FewLabelEvaluationTests.WeakSignalFraction.ToString(CultureInfo.InvariantCulture), "--draw-seeds" }
            .Concat(FewLabelEvaluationTests.WeakSignalSeeds.Select(seed => seed.ToString(CultureInfo.InvariantCulture))).ToArray();
        string L2Line(float[] weights, string searched) =>
            $"linear probe L2 weight of each draw, cross-validated on {searched}: 5 %: {string.Join(", ", weights.Select(w => w.ToString("G", CultureInfo.InvariantCulture)))}";

        var once = await CliRun.Of(args);
        Assert.True(once.ExitCode == 0, once.ToString());
        Assert.Contains(L2Line(Enumerable.Repeat(own[0], own.Length).ToArray(), "each fraction's first draw"), once.Output);
        var each = await CliRun.Of(args.Append("--cross-validate-each-draw").ToArray());
        Assert.True(each.ExitCode == 0, each.ToString());
        Assert.Contains(L2Line(own, "every draw"), each.Output);
    }
}
