using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using SynCo.ML.Training;

namespace SynCo.ML.Benchmarks;

/// <summary>
/// The estimator's input paths (issue 26). <c>estimator-memory</c>: peak RSS of a 1-epoch fit over a large and a small
/// lazily generated view, each in its own child process under a managed-heap cap, as a ratio. <c>estimator-stream</c>:
/// training images/s of a fit that streams an image folder through <c>LoadImages</c> against the same images
/// pre-extracted and kept in memory, in alternating rounds, as a ratio.
/// </summary>
internal static class EstimatorInputBench
{
    private static readonly Option<int> Small = new("--small") { Description = "Rows of the small fit.", DefaultValueFactory = _ => 3_000 };
    private static readonly Option<int> Large = new("--large") { Description = "Rows of the large fit.", DefaultValueFactory = _ => 60_000 };
    private static readonly Option<int> Size = new("--size") { Description = "Image side, px (3 channels).", DefaultValueFactory = _ => 48 };
    private static readonly Option<string> Heap = new("--heap") { Description = "DOTNET_GCHeapHardLimit of the child processes (hex bytes; 'none' for no cap).", DefaultValueFactory = _ => "0x14000000" };
    private static readonly Option<int?> Child = new("--child") { Description = "Internal: run one fit over this many rows and print its figures.", Hidden = true };
    private static readonly Option<int> Images = new("--images") { Description = "Files in the generated folder (half JPEG, half PNG).", DefaultValueFactory = _ => 2_048 };
    private static readonly Option<int> Epochs = new("--epochs") { Description = "Epochs per fit.", DefaultValueFactory = _ => 2 };
    private static readonly Option<int> Rounds = new("--rounds") { Description = "Fits per path, alternating (median).", DefaultValueFactory = _ => 2 };
    private static readonly Option<string> Folder = new("--folder") { Description = "Where the images are generated once (reused when present).", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "synco-bench-estimator") };

    /// <summary>The <c>estimator-memory</c> subcommand.</summary>
    public static Command MemoryCommand()
    {
        var command = new Command("estimator-memory", "Peak RSS of a 1-epoch estimator fit over --large vs --small generated rows under a heap cap, one child process each.")
        {
            Small, Large, Size, Heap, Child,
        };
        command.SetAction(parsed => parsed.GetValue(Child) is { } rows
            ? FitOnce(rows, parsed.GetValue(Size))
            : Memory(parsed.GetValue(Small), parsed.GetValue(Large), parsed.GetValue(Size), parsed.GetValue(Heap)!));
        return command;
    }

    /// <summary>The <c>estimator-stream</c> subcommand.</summary>
    public static Command StreamCommand()
    {
        var command = new Command("estimator-stream", "Training images/s: an image folder streamed through LoadImages vs the same pixels kept in memory.")
        {
            Images, Size, Epochs, Rounds, Folder,
        };
        command.SetAction(parsed => Stream(parsed.GetValue(Images), parsed.GetValue(Size), parsed.GetValue(Epochs), parsed.GetValue(Rounds), parsed.GetValue(Folder)!));
        return command;
    }

    private static SynCoOptions Options(int epochs, Action<string> log)
    {
        var o = new SynCoOptions { Epochs = epochs, BatchSize = 64, MoCo = { QueueSize = 4096 }, Run = { Device = "cpu", Seed = 1, Threads = 2, Log = log } };
        o.Backbone.WidthMultiplier = 0.25;
        o.Backbone.SmallStem = false;   // the ImageNet stem (stride 2 + max-pool): what is measured is the input path, not the network
        return o;
    }

    private static int Memory(int small, int large, int size, string heap)
    {
        Console.WriteLine($"estimator-memory: 1-epoch fits over {small} and {large} generated 3x{size}x{size} rows ({Mb((long)large * 3 * size * size)} as bytes), " +
            $"DOTNET_GCHeapHardLimit={heap}, ResNet-18 width 0.25 (ImageNet stem), batch 64, {Environment.ProcessorCount} logical CPU(s)");
        var figures = new[] { small, large }.Select(rows =>
        {
            string output = ChildProcess.Run(
                new[] { "estimator-memory", "--child", rows.ToString(CultureInfo.InvariantCulture), "--size", size.ToString(CultureInfo.InvariantCulture) },
                $"the {rows}-row fit", env => { if (heap != "none") env["DOTNET_GCHeapHardLimit"] = heap; });
            Console.Write(output);
            string line = output.Split('\n').Last(l => l.StartsWith("peak RSS ", StringComparison.Ordinal));
            return double.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture);
        }).ToArray();
        Console.WriteLine($"peak RSS {large} rows / {small} rows: {figures[1] / figures[0]:F3} ({figures[1]:F0} / {figures[0]:F0} MB; target <= 1.15)");
        return 0;
    }

    /// <summary>One fit in this (child) process: the path the log names, the time, and VmHWM.</summary>
    private static int FitOnce(int rows, int size)
    {
        var ml = new MLContext(seed: 1);
        var definition = SchemaDefinition.Create(typeof(GeneratedRow));
        definition[nameof(GeneratedRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3, size, size);
        var data = ml.Data.LoadFromEnumerable(GeneratedRow.Lazy(rows, 3 * size * size), definition);
        var o = Options(epochs: 1, m => { if (m.StartsWith("input:", StringComparison.Ordinal) || m.Contains("waited")) Console.WriteLine($"  {m}"); });
        var clock = Stopwatch.StartNew();
        using var model = ml.Transforms.SynCoPretrain(o).Fit(data);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {rows} rows: fit {clock.Elapsed.TotalSeconds:F0} s, training {model.History[0].ImagesPerSecond:F0} img/s, " +
            $"GC heap limit {Mb(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)}, streamed peak {(model.StreamedPeakBytes is { } b ? Mb(b) : "-")}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak RSS {VmHwmKb() / 1024.0:F1} MB"));
        return 0;
    }

    private static int Stream(int count, int size, int epochs, int rounds, string root)
    {
        string images = Path.Combine(root, $"images-{count}-{size}");
        ShardedFeaturizeBench.Generate(images, count, size);
        var ml = new MLContext(seed: 1);
        var files = ml.Data.LoadFromEnumerable(Directory.GetFiles(images).Order().Select(f => new FileRow { ImagePath = Path.GetFileName(f) }).ToList());
        var view = ml.Transforms.LoadImages("Image", images, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Resized", size, size, "Image"))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Resized"))
            .Fit(files).Transform(files);
        var definition = SchemaDefinition.Create(typeof(PixelRow));
        definition[nameof(PixelRow.Pixels)].ColumnType = view.Schema["Pixels"].Type;
        var extracted = ml.Data.LoadFromEnumerable(view.GetColumn<float[]>("Pixels").Select(p => new PixelRow { Pixels = p }).ToList(), definition);
        Console.WriteLine($"estimator-stream: {count} files {size}px (half JPEG, half PNG) through LoadImages -> ResizeImages -> ExtractPixels, {epochs} epochs per fit, " +
            $"{rounds} rounds per path, ResNet-18 width 0.25 (ImageNet stem), batch 64, {Environment.ProcessorCount} logical CPU(s)");

        var rates = new Dictionary<string, List<double>> { ["streamed"] = new(), ["in memory"] = new() };
        var fits = new Dictionary<string, List<double>> { ["streamed"] = new(), ["in memory"] = new() };
        for (int round = 0; round < rounds; round++)
            foreach (bool stream in round % 2 == 0 ? new[] { true, false } : new[] { false, true })
            {
                string name = stream ? "streamed" : "in memory";
                var waits = new List<string>();
                var o = Options(epochs, m => { if (m.Contains("waited")) waits.Add(m); });
                if (stream) o.InMemoryLimitMegabytes = 0;
                var clock = Stopwatch.StartNew();
                using var model = ml.Transforms.SynCoPretrain(o).Fit(stream ? view : extracted);
                double fit = clock.Elapsed.TotalSeconds;
                var epochRates = model.History.Select(h => h.ImagesPerSecond).ToArray();
                rates[name].AddRange(epochRates);
                fits[name].Add(count * epochs / fit);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round + 1} {name,-9}: training {string.Join(" / ", epochRates.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))} img/s per epoch, " +
                    $"whole fit {count * epochs / fit:F0} img/s ({fit:F1} s)"));
                foreach (var w in waits) Console.WriteLine($"    {w}");
            }
        double s = Bench.Median(rates["streamed"]), m = Bench.Median(rates["in memory"]);
        double fs = Bench.Median(fits["streamed"]), fm = Bench.Median(fits["in memory"]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"training img/s streamed / in memory: {s / m:F3} ({s:F0} / {m:F0}; target >= 0.9)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"whole-fit img/s streamed / in memory: {fs / fm:F3} ({fs:F0} / {fm:F0}; the in-memory fit's one read is in its pass, the streamed fit reads every epoch)"));
        return 0;
    }

    private static long VmHwmKb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        throw new InvalidOperationException("/proc/self/status has no VmHWM line (Linux only).");
    }

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F0} MB");

    private sealed class FileRow
    {
        public string ImagePath { get; set; } = "";
    }

    private sealed class PixelRow
    {
        public float[] Pixels { get; set; } = Array.Empty<float>();
    }

    /// <summary>A row whose pixels are computed when ML.NET reads them (the view holds nothing).</summary>
    private sealed class GeneratedRow
    {
        public static IEnumerable<GeneratedRow> Lazy(int rows, int length)
        {
            for (int i = 0; i < rows; i++) yield return new GeneratedRow(i, length);
        }

        private readonly int _index, _length;

        public GeneratedRow() { }

        private GeneratedRow(int index, int length) => (_index, _length) = (index, length);

        public float[] Pixels
        {
            get
            {
                var px = new float[_length];
                ulong state = (ulong)_index * 0x9E3779B97F4A7C15UL + 1;
                for (int i = 0; i < px.Length; i++) px[i] = (float)(SplitMix64.Next(ref state) & 255);
                return px;
            }
            set { }
        }
    }
}
