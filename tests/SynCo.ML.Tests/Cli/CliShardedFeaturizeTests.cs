using System.Diagnostics;
using DuckDB.NET.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SynCo.ML.Featurization;
using SynCo.ML.Tests.Data;

namespace SynCo.ML.Tests.Cli;

/// <summary>A labelled image folder (4 classes of 9 PNGs, 16 px) and a random 16 px backbone, shared by the sharded-featurize tests.</summary>
public sealed class ShardedInputFixture : IDisposable
{
    private readonly TempFolder _temp = new();

    public ShardedInputFixture()
    {
        ClassImages.Write(Images, perClass: 9);
        RandomBackbone.Write(Model);
    }

    public string Images => Path.Combine(_temp.Path, "images");

    public string Model => Path.Combine(_temp.Path, "backbone.onnx");

    public void Dispose() => _temp.Dispose();
}

/// <summary>synco featurize --out &lt;folder&gt; [--shard I/N]: Parquet parts that add up to the unsharded run, resume, and bad input.</summary>
public class CliShardedFeaturizeTests(ShardedInputFixture input) : IClassFixture<ShardedInputFixture>
{
    [Fact]
    public async Task ThreeWorkerProcessesGiveExactlyTheUnshardedRows()
    {
        using var temp = new TempFolder();
        string whole = temp.File("whole"), sharded = temp.File("sharded");
        var single = await CliRun.Of("featurize", "--model", input.Model, input.Images, "--out", whole, "--device", "cpu");
        Assert.True(single.ExitCode == 0, single.ToString());
        Assert.True(File.Exists(Path.Combine(whole, "part-00000-of-00001.parquet")), single.ToString());

        // Three workers at once: two told by --shard, one by a Slurm array whose indices start at 1 (--array=1-3).
        var slurm = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "3", ["SLURM_ARRAY_TASK_MIN"] = "1", ["SLURM_ARRAY_TASK_MAX"] = "3", ["SLURM_ARRAY_TASK_COUNT"] = "3" };
        var workers = await Task.WhenAll(
            SyncoProcess.Run(null, "featurize", "--model", input.Model, input.Images, "--out", sharded, "--shard", "0/3", "--device", "cpu", "--batch", "5"),
            SyncoProcess.Run(null, "featurize", "--model", input.Model, input.Images, "--out", sharded, "--shard", "1/3", "--device", "cpu"),
            SyncoProcess.Run(slurm, "featurize", "--model", input.Model, input.Images, "--out", sharded, "--device", "cpu"));
        foreach (var w in workers) Assert.True(w.ExitCode == 0, w.ToString());
        Assert.Contains("shard 2/3: wrote", workers[2].Output);
        Assert.Equal(new[] { "part-00000-of-00003.parquet", "part-00001-of-00003.parquet", "part-00002-of-00003.parquet" },
            Directory.GetFiles(sharded).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());

        var expected = FeatureFiles.ReadParquet(whole);
        Assert.Equal(36, expected.Paths.Length);
        Assert.Equal("checker/000.png", expected.Paths[0]);
        Assert.Equal(ClassImages.Classes, expected.ClassNames);
        var ours = FeatureFiles.ReadParquet(sharded);
        Assert.Equal(expected.Paths, ours.Paths);
        Assert.Equal(expected.Labels, ours.Labels);
        for (int i = 0; i < expected.Features.Length; i++) Assert.Equal(expected.Features[i], ours.Features[i]);
        Assert.Equal(new[] { 12, 12, 12 }, Directory.GetFiles(sharded, "*.parquet").Order(StringComparer.Ordinal)
            .Select(p => int.Parse(FeatureFiles.ReadParquetMetadata(p)[ParquetFeatureMetadataKeys.ImageCount])).ToArray());

        // An independent reader sees the same rows over the glob.
        var duck = ReadWithDuckDb(sharded);
        Assert.Equal(expected.Paths, duck.Select(r => r.Path).ToArray());
        Assert.Equal(expected.Labels, duck.Select(r => r.Label).ToArray());
        for (int i = 0; i < expected.Features.Length; i++) Assert.Equal(expected.Features[i], duck[i].Features);

        // The same rows as the CSV the single-file path writes (features as round-trip text).
        string csv = temp.File("whole.csv");
        Assert.Equal(0, (await CliRun.Of("featurize", "--model", input.Model, input.Images, "--out", csv, "--device", "cpu")).ExitCode);
        var table = SynCo.Cli.Commands.FeatureTable.Read(csv, null);
        Assert.Equal(table.Labels, ours.Labels);
        for (int i = 0; i < table.Features.Length; i++) Assert.Equal(table.Features[i], ours.Features[i]);

        // synco eval reads the folders; the ML.NET view has a known-size vector column.
        var eval = await CliRun.Of("eval", "--train", sharded, "--test", whole, "--k", "5");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        var view = FeatureFiles.LoadParquet(new Microsoft.ML.MLContext(0), sharded);
        Assert.Equal(expected.Features[0].Length, ((Microsoft.ML.Data.VectorDataViewType)view.Schema["Features"].Type).Size);
        Assert.Equal(36, view.GetColumn<int>("Label").Count());
    }

    [Fact]
    public async Task ACompletePartIsSkippedAndAnotherModelsPartIsRefused()
    {
        using var temp = new TempFolder();
        string output = temp.File("features");
        string[] shard1 = { "featurize", "--model", input.Model, input.Images, "--out", output, "--shard", "1/4", "--device", "cpu" };
        Assert.Equal(0, (await CliRun.Of(shard1)).ExitCode);
        string part = Path.Combine(output, "part-00001-of-00004.parquet");
        var written = File.GetLastWriteTimeUtc(part);
        var again = await CliRun.Of(shard1);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("already complete with this model", again.Output);
        Assert.Equal(written, File.GetLastWriteTimeUtc(part));

        string other = temp.File("other.onnx");
        RandomBackbone.Write(other, seed: 2);
        var refused = await CliRun.Of("featurize", "--model", other, input.Images, "--out", output, "--shard", "1/4", "--device", "cpu");
        AssertBadInput(refused, "another model", "--overwrite", "another --out");
        var replaced = await CliRun.Of("featurize", "--model", other, input.Images, "--out", output, "--shard", "1/4", "--device", "cpu", "--overwrite");
        Assert.True(replaced.ExitCode == 0, replaced.ToString());
        Assert.NotEqual(written, File.GetLastWriteTimeUtc(part));

        // Reading an incomplete folder names the missing shards.
        var eval = await CliRun.Of("eval", "--train", output, "--test", output);
        AssertBadInput(eval, "1 of 4 parts", "0/4, 2/4, 3/4");
    }

    [Fact]
    public async Task AKilledWorkerLeavesNoPartAndTheRerunDoesOnlyWhatIsMissing()
    {
        using var temp = new TempFolder();
        string images = temp.File("big/x"), output = temp.File("features");
        images = Path.GetDirectoryName(images)!;
        // Large PNGs (one encoded, copied) so that decoding a shard takes long enough to kill its worker mid-way.
        using (var image = new Image<Rgb24>(2048, 2048))
        {
            for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                image[x, y] = new Rgb24((byte)x, (byte)y, (byte)(x ^ y));
            image.SaveAsPng(Path.Combine(images, "img-000.png"));
        }
        for (int i = 1; i < 90; i++) File.Copy(Path.Combine(images, "img-000.png"), Path.Combine(images, $"img-{i:D3}.png"));
        string[] Args(int shard) => new[] { "featurize", "--model", input.Model, images, "--out", output, "--shard", $"{shard}/3", "--device", "cpu", "--batch", "2" };

        Assert.Equal(0, (await CliRun.Of(Args(0))).ExitCode);
        string part1 = Path.Combine(output, "part-00001-of-00003.parquet");
        using (var worker = SyncoProcess.Start(null, Args(1).Append("--decode-threads").Append("1").ToArray()))
        {
            // Kill it (SIGKILL, no clean-up) once it reports progress inside the shard, with its temporary file open.
            var seen = new List<string>();
            for (string? line = await worker.StandardOutput.ReadLineAsync(); line is not null; line = await worker.StandardOutput.ReadLineAsync())
            {
                seen.Add(line);
                if (line.StartsWith("featurize shard 1/3:", StringComparison.Ordinal) && !line.Contains("100 %")) break;
            }
            Assert.False(worker.HasExited, "the worker finished before it could be killed: " + string.Join("\n", seen));
            Assert.True(File.Exists(part1 + ".tmp"), string.Join("\n", seen));
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
            Assert.NotEqual(0, worker.ExitCode);
            Assert.False(File.Exists(part1), string.Join("\n", seen));
        }
        // A crash may leave a temporary file (never a part: readers glob *.parquet); a re-run replaces it.
        string part2 = Path.Combine(output, "part-00002-of-00003.parquet");
        File.WriteAllText(part2 + ".tmp", "half a part from a crashed worker");

        var rerun = new List<CliRun>();
        for (int s = 0; s < 3; s++) rerun.Add(await CliRun.Of(Args(s)));
        foreach (var r in rerun) Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("already complete", rerun[0].Output);
        Assert.Contains("shard 1/3: wrote", rerun[1].Output);
        Assert.Contains("shard 2/3: wrote", rerun[2].Output);
        Assert.False(File.Exists(part1 + ".tmp"));
        Assert.False(File.Exists(part2 + ".tmp"));
        var all = FeatureFiles.ReadParquet(output);
        Assert.Equal(Enumerable.Range(0, 90).Select(i => $"img-{i:D3}.png"), all.Paths);
        Assert.Null(all.Labels);
    }

    [Fact]
    public async Task UnreadableFilesAreSkippedAndListedWhenAsked()
    {
        using var temp = new TempFolder();
        string images = temp.File("images");
        ClassImages.Write(images, perClass: 2);
        File.WriteAllText(Path.Combine(images, "checker", "broken.png"), "not a png");
        string output = temp.File("features");
        var failed = await CliRun.Of("featurize", "--model", input.Model, images, "--out", output, "--device", "cpu");
        AssertBadInput(failed, "broken.png", "--skip-unreadable");
        var run = await CliRun.Of("featurize", "--model", input.Model, images, "--out", output, "--device", "cpu", "--skip-unreadable", "--shard", "0/2");
        Assert.True(run.ExitCode == 0, run.ToString());
        string listed = File.ReadAllText(Path.Combine(output, "part-00000-of-00002.skipped.txt"));
        Assert.StartsWith("checker/broken.png: ", listed);
        Assert.StartsWith("checker/broken.png: ", FeatureFiles.ReadParquetMetadata(Path.Combine(output, "part-00000-of-00002.parquet"))[ParquetFeatureMetadataKeys.Skipped]);
    }

    [Theory]
    [InlineData("3/3", "0..2")]
    [InlineData("0/0", "at least 1")]
    [InlineData("x", "I/N", "0/4")]
    public async Task BadShard(string shard, params string[] fragments)
    {
        using var temp = new TempFolder();
        AssertBadInput(await CliRun.Of("featurize", "--model", input.Model, input.Images, "--out", temp.File("f"), "--shard", shard), fragments.Prepend("--shard").ToArray());
    }

    [Fact]
    public async Task ShardWithAFileOutput()
    {
        using var temp = new TempFolder();
        AssertBadInput(await CliRun.Of("featurize", "--model", input.Model, input.Images, "--out", temp.File("f.csv"), "--shard", "0/2"), "pass a folder");
    }

    [Fact]
    public async Task ModelThatIsNotOnnx()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("m.onnx"), "this is not a protobuf");
        AssertBadInput(await CliRun.Of("featurize", "--model", temp.File("m.onnx"), input.Images, "--out", temp.File("f"), "--shard", "0/2"),
            "not an ONNX model", "synco export");
    }

    [Fact]
    public async Task EmptyFolder()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("empty/sub"));
        AssertBadInput(await CliRun.Of("featurize", "--model", input.Model, temp.File("empty"), "--out", temp.File("f"), "--shard", "1/2"), "contains no image files", ".png");
    }

    [Fact]
    public async Task EveryFileUnreadable()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("bad/a.png"), "nope");
        File.WriteAllText(temp.File("bad/b.jpg"), "nope");
        AssertBadInput(await CliRun.Of("featurize", "--model", input.Model, temp.File("bad"), "--out", temp.File("f")), "a.png", "--skip-unreadable");
        AssertBadInput(await CliRun.Of("featurize", "--model", input.Model, temp.File("bad"), "--out", temp.File("f"), "--skip-unreadable"), "None of the 2 image files", "a.png");
    }

    private static void AssertBadInput(CliRun run, params string[] fragments)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: ", run.Error);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        foreach (string f in fragments) Assert.Contains(f, run.Error);
    }

    private static List<(string Path, int Label, float[] Features)> ReadWithDuckDb(string folder)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT path, label, features FROM read_parquet('{folder.Replace("'", "''")}/*.parquet') ORDER BY path";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, int, float[])>();
        while (reader.Read())
            rows.Add((reader.GetString(0), reader.GetInt32(1), reader.GetFieldValue<List<float>>(2).ToArray()));
        return rows;
    }
}
