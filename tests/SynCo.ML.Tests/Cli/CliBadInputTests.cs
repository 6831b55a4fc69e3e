using SynCo.ML.Tests.Data;

namespace SynCo.ML.Tests.Cli;

/// <summary>Bad input gives exit code 2 and one line that names the fix; never a stack trace.</summary>
public class CliBadInputTests
{
    /// <summary>A valid tiny pretrain command line; <paramref name="overrides"/> (option, value pairs) replace or add options.</summary>
    private static string[] Pretrain(string images, string output, params string[] overrides)
    {
        var options = new List<(string Name, string Value)>
        {
            ("--out", output), ("--size", "16"), ("--width", "0.25"), ("--batch", "16"), ("--queue", "64"), ("--bn-splits", "2"),
            ("--epochs", "1"), ("--device", "cpu"),
        };
        for (int i = 0; i + 1 < overrides.Length; i += 2)
        {
            options.RemoveAll(o => o.Name == overrides[i]);
            options.Add((overrides[i], overrides[i + 1]));
        }
        return new[] { "pretrain", images }.Concat(options.SelectMany(o => new[] { o.Name, o.Value })).ToArray();
    }

    private static void AssertBadInput(CliRun run, params string[] fragments)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: ", run.Error);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        foreach (string f in fragments) Assert.Contains(f, run.Error);
    }

    [Fact]
    public async Task MissingFolder()
    {
        using var temp = new TempFolder();
        AssertBadInput(await CliRun.Of(Pretrain(Path.Combine(temp.Path, "nope"), temp.File("run"))), "does not exist", "pass an image folder or an IDX images file");
    }

    [Fact]
    public async Task EmptyFolder()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("empty/sub"));
        AssertBadInput(await CliRun.Of(Pretrain(temp.File("empty"), temp.File("run"))), "contains no image files", ".png");
    }

    [Fact]
    public async Task WidthBelowTheCpuMultiple()
    {
        using var temp = new TempFolder();
        ClassImages.Write(temp.File("images"), perClass: 4);
        AssertBadInput(await CliRun.Of(Pretrain(temp.File("images"), temp.File("run"), "--width", "0.125")), "--width 0.125", "multiples of 16", "--width 0.25, 0.5");
    }

    [Fact]
    public async Task SmallCropLargerThanTheImages()
    {
        using var temp = new TempFolder();
        ClassImages.Write(temp.File("images"), perClass: 4);
        AssertBadInput(await CliRun.Of(Pretrain(temp.File("images"), temp.File("run"), "--small-crops", "2", "--small-crop-size", "20")),
            "(20 px) must be at most the full view's (16 px)", "lower --small-crop-size");
        AssertBadInput(await CliRun.Of(Pretrain(temp.File("images"), temp.File("run"), "--small-crop-size", "8")), "--small-crop-size applies with --small-crops 1 or more");
    }

    [Fact]
    public async Task CropScaleAboveOne()
    {
        using var temp = new TempFolder();
        ClassImages.Write(temp.File("images"), perClass: 4);
        AssertBadInput(await CliRun.Of(Pretrain(temp.File("images"), temp.File("run"), "--min-scale", "1.5")), "--min-scale must be a fraction in (0, 1]");
    }

    [Fact]
    public async Task UnknownNegatives()
    {
        using var temp = new TempFolder();
        AssertBadInput(await CliRun.Of(Pretrain(temp.Path, temp.File("run"), "--negatives", "hard")), "'hard'", "'synco'", "'mochi'", "'none'", "synco pretrain --help");
    }

    [Fact]
    public async Task BatchLargerThanTheData()
    {
        using var temp = new TempFolder();
        ClassImages.Write(temp.File("images"), perClass: 2);
        AssertBadInput(await CliRun.Of(Pretrain(temp.File("images"), temp.File("run"))), "lower --batch to at most 8");
    }

    [Fact]
    public async Task MalformedSize()
    {
        using var temp = new TempFolder();
        AssertBadInput(await CliRun.Of(Pretrain(temp.Path, temp.File("run"), "--size", "16by16")), "--size must be HxW or N");
    }

    [Fact]
    public async Task MochiCountsWithSyncoNegatives()
    {
        using var temp = new TempFolder();
        AssertBadInput(await CliRun.Of(Pretrain(temp.Path, temp.File("run"), "--mochi-s", "4")), "--negatives mochi");
    }

    [Fact]
    public async Task ExportNeedsExactlyOneSource()
    {
        using var temp = new TempFolder();
        AssertBadInput(await CliRun.Of("export", "--out", temp.File("x.onnx")), "--checkpoint", "--model");
        AssertBadInput(await CliRun.Of("export", "--checkpoint", temp.Path, "--out", temp.File("x.onnx")), "No checkpoint in");
    }

    [Fact]
    public async Task FeaturizeRejectsAnUnknownExtensionAndAMissingModel()
    {
        using var temp = new TempFolder();
        AssertBadInput(await CliRun.Of("featurize", "--model", temp.File("m.onnx"), temp.Path, "--out", temp.File("f.txt")), ".csv or .npy");
        AssertBadInput(await CliRun.Of("featurize", "--model", temp.File("m.onnx"), temp.Path, "--out", temp.File("f.npy")), "does not exist");
    }

    [Fact]
    public async Task MissingCommandOrRequiredOption()
    {
        AssertBadInput(await CliRun.Of(), "synco --help");
        AssertBadInput(await CliRun.Of("pretrain", "x"), "--out");
    }

    [Fact]
    public async Task HelpDescribesEveryCommandAndExitsZero()
    {
        var help = await CliRun.Of("--help");
        Assert.Equal(0, help.ExitCode);
        foreach (string command in new[] { "synco pretrain", "synco export", "synco featurize", "synco eval", "Exit codes" })
            Assert.Contains(command, help.Output);
        var pretrain = await CliRun.Of("pretrain", "--help");
        foreach (string option in new[] { "--epochs", "--batch", "--arch", "--width", "--small-stem", "--bn-splits", "--queue", "--momentum",
            "--temperature", "--lr", "--wd", "--warmup-lr-epochs", "--min-scale", "--symmetric", "--negatives", "--hard-pool", "--mochi-s", "--mochi-s1",
            "--negatives-warmup", "--recipe", "--device", "--seed", "--threads", "--skip-unreadable", "--no-resume", "--size", "--channels" })
            Assert.Contains(option, pretrain.Output);
    }
}
