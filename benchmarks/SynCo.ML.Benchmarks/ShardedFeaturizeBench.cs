using System.CommandLine;
using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SynCo.ML.Augmentation;
using SynCo.ML.Data;
using SynCo.ML.Featurization;
using SynCo.ML.Model;
using SynCo.ML.Onnx;
using TorchSharp;

namespace SynCo.ML.Benchmarks;

/// <summary>
/// <c>featurize-shards</c>: images/s of <c>synco featurize --out &lt;folder&gt;</c> over a folder of real-size JPEG/PNG
/// files (generated once), at 1 and 2 worker processes (<c>--shard I/N</c>), against the ONNX-only ceiling (the same
/// model on in-memory pixels, no decoding), as ratios within one run.
/// </summary>
internal static class ShardedFeaturizeBench
{
    private static readonly Option<int> Images = new("--images") { Description = "Files in the generated folder (half JPEG, half PNG).", DefaultValueFactory = _ => 2000 };
    private static readonly Option<int> Size = new("--size") { Description = "Side of the files and of the model input, px.", DefaultValueFactory = _ => 224 };
    private static readonly Option<string> Folder = new("--folder") { Description = "Where the images are generated once (reused when present).", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "synco-bench-shards") };
    private static readonly Option<string?> Synco = new("--synco") { Description = "SynCo.Cli.dll to run (default: src/SynCo.Cli/bin/Release, else Debug)." };

    /// <summary>The <c>featurize-shards</c> subcommand.</summary>
    public static Command Command()
    {
        var command = new Command("featurize-shards", "synco featurize to Parquet at 1 and 2 worker processes vs the ONNX-only ceiling.") { Images, Size, Folder, Synco };
        command.SetAction(parsed => Run(parsed.GetValue(Images), parsed.GetValue(Size), parsed.GetValue(Folder)!, parsed.GetValue(Synco)));
        return command;
    }

    private static int Run(int count, int size, string root, string? synco)
    {
        synco ??= new[] { "Release", "Debug" }.Select(c => Path.Combine(RepoRoot(), "src", "SynCo.Cli", "bin", c, "net10.0", "SynCo.Cli.dll")).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("Build src/SynCo.Cli first (dotnet build -c Release) or pass --synco <SynCo.Cli.dll>.");
        string images = Path.Combine(root, $"images-{count}-{size}");
        Generate(images, count, size);
        string model = Path.Combine(root, $"backbone-{size}.onnx");
        using (var encoder = new ContrastiveEncoder(new BackboneOptions { WidthMultiplier = 0.25 }, size, size))
        {
            using (var g = new torch.Generator(1)) WeightInitializer.Apply(encoder, g);
            encoder.eval();
            var n = ChannelNormalization.ImageNet(3);
            File.WriteAllBytes(model, BackboneOnnxExporter.ExportToBytes(encoder, new OnnxExportSpec(3, size, size) { Mean = n.Mean, Std = n.Std }));
        }
        int cores = Environment.ProcessorCount;
        Console.WriteLine($"featurize-shards: {count} files {size}px (half JPEG, half PNG), ResNet-18 width 0.25, {cores} logical CPU(s), CLI {synco}");

        // ONNX-only ceiling: the same model and batch on pixels already in memory, all cores to ONNX Runtime.
        var pixels = new byte[(long)Math.Min(count, 512) * 3 * size * size];
        new Random(1).NextBytes(pixels);
        var memory = InMemoryImageDataset.Wrap(pixels, 3, size, size);
        double ceiling;
        using (var featurizer = new OnnxFeaturizer(model, new OnnxFeaturizerOptions { Device = "cpu", IntraOpThreads = cores, BatchSize = 64 }))
        {
            featurizer.Featurize(memory);
            var clock = Stopwatch.StartNew();
            featurizer.Featurize(memory);
            ceiling = memory.Count / clock.Elapsed.TotalSeconds;
        }
        double one = Workers(synco, model, images, root, 1, cores, count);
        double two = Workers(synco, model, images, root, 2, Math.Max(1, cores / 2), count);
        Console.WriteLine($"  ONNX-only ceiling (in-memory pixels)   {ceiling,8:F1} img/s");
        Console.WriteLine($"  synco featurize, 1 worker process     {one,8:F1} img/s   {one / ceiling:F2} of the ceiling");
        Console.WriteLine($"  synco featurize, 2 worker processes   {two,8:F1} img/s   {two / ceiling:F2} of the ceiling, {two / one:F2}x one worker");
        return 0;
    }

    /// <summary>Runs N workers at once (--shard i/N) into a fresh folder; images/s over the wall time of all of them.</summary>
    private static double Workers(string synco, string model, string images, string root, int n, int threads, int count)
    {
        string output = Path.Combine(root, $"features-{n}");
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        var clock = Stopwatch.StartNew();
        var processes = Enumerable.Range(0, n).Select(i =>
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in new[] { synco, "featurize", images, "--model", model, "--out", output, "--shard", $"{i}/{n}", "--device", "cpu",
                         "--threads", threads.ToString(), "--decode-threads", threads.ToString(), "--batch", "64" })
                psi.ArgumentList.Add(a);
            return Process.Start(psi)!;
        }).ToArray();
        foreach (var p in processes)
        {
            string err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"synco featurize failed ({p.ExitCode}): {err}");
        }
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Generates <paramref name="count"/> striped RGB files (half JPEG, half PNG) once; kept when the folder already has them.</summary>
    internal static void Generate(string folder, int count, int size)
    {
        if (Directory.Exists(folder) && Directory.GetFiles(folder).Length == count) return;
        Directory.CreateDirectory(folder);
        var random = new Random(7);
        using var image = new Image<Rgb24>(size, size);
        for (int i = 0; i < count; i++)
        {
            var a = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            int period = 4 + random.Next(28);
            for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                image[x, y] = ((x + y * (i % 3)) / period % 2 == 0) ? a : new Rgb24((byte)(x * 255 / size), (byte)(y * 255 / size), (byte)random.Next(256));
            string path = Path.Combine(folder, $"img-{i:D5}");
            if (i % 2 == 0) image.SaveAsJpeg(path + ".jpg");
            else image.SaveAsPng(path + ".png");
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SynCo.ML.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
