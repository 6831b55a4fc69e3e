using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SynCo.ML.Augmentation;
using SynCo.ML.Contrastive;
using SynCo.ML.Interop;
using SynCo.ML.Model;
using SynCo.ML.Negatives;
using SynCo.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Benchmarks;

/// <summary>
/// Measures the overhead of SynCo.ML's training step as ratios within one run (so a noisy, shared machine
/// cancels out): every compared variant is run in the same rounds, in rotating order, and medians are compared.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = BenchOptions.Command(o => new Bench(o).Run());
        root.Add(FeaturizeBenchOptions.Command());
        root.Add(DownstreamBenchOptions.Command());
        root.Add(ShardedFeaturizeBench.Command());
        root.Add(EstimatorInputBench.MemoryCommand());
        root.Add(EstimatorInputBench.StreamCommand());
        root.Add(AllocatorBench.Command());
        root.Add(ScalarScan.Command());
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine(error.Message);
            string command = parsed.CommandResult.Command is RootCommand ? "" : $" {parsed.CommandResult.Command.Name}";
            Console.Error.WriteLine($"Run 'SynCo.ML.Benchmarks{command} --help' for the options.");
            return 2;
        }
        return parsed.Invoke();
    }
}

/// <summary>The training-step benchmark's settings: the defaults, --quick's smaller ones, then the options given.</summary>
internal sealed class BenchOptions
{
    public bool Quick, Profile;
    public int Threads = 2, Batch = 64, Size = 32, Steps = 9, Queue = 4096, Warmup = 2, PythonRuns = 2;
    public double Width = 0.25;
    public int[] LeakSteps = { 100, 1000 };
    public int LeakBatch = 16, LeakSize = 16;
    public string Python = "/usr/bin/python3";

    private static readonly Option<bool> QuickOption = new("--quick") { Description = "CI smoke run (< 1 min): batch 32, 16 px, K 1024, 5 steps, leak check at 10 and 60 steps." };
    private static readonly Option<bool> ProfileOption = new("--profile") { Description = "Time the parts of one training step instead of the comparisons." };
    private static readonly Option<int?> ThreadsOption = new("--threads") { Description = "Torch threads for both TorchSharp and PyTorch (default 2)." };
    private static readonly Option<int?> BatchOption = new("--batch") { Description = "Batch size (default 64)." };
    private static readonly Option<double?> WidthOption = new("--width") { Description = "ResNet-18 width multiplier (default 0.25)." };
    private static readonly Option<int?> SizeOption = new("--size") { Description = "Image side in pixels (default 32)." };
    private static readonly Option<int?> StepsOption = new("--steps") { Description = "Measured steps per variant (median; default 9, at least 5)." };
    private static readonly Option<int?> QueueOption = new("--queue") { Description = "MoCo queue K (default 4096)." };
    private static readonly Option<int[]?> LeakOption = new("--leak")
    {
        Description = "Steps at which live tensors and RSS are sampled, N1,N2 (default 100,1000).",
        HelpName = "N1,N2",
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            var steps = text.Split(',').Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : -1).Order().ToArray();
            if (steps.Length < 2 || steps[0] < 0) result.AddError("--leak needs two step counts, e.g. 100,1000.");
            return steps;
        },
    };
    private static readonly Option<int?> LeakBatchOption = new("--leak-batch") { Description = "Batch size of the leak run (default 16)." };
    private static readonly Option<int?> LeakSizeOption = new("--leak-size")
    {
        Description = "Image side of the leak run (default 16 px); the per-step code path is the same at any size, so the 1000-step leak run is kept small.",
    };
    private static readonly Option<string?> PythonOption = new("--python") { Description = "Interpreter with torch for the PyTorch comparison (default /usr/bin/python3; 'none' skips)." };

    /// <summary>The root command: its options, and an action that runs <paramref name="run"/> with the settings.</summary>
    public static RootCommand Command(Func<BenchOptions, int> run)
    {
        var root = new RootCommand("SynCo.ML's training-step overhead as ratios within one run; 'featurize' measures bulk featurization.")
        {
            QuickOption, ProfileOption, ThreadsOption, BatchOption, WidthOption, SizeOption, StepsOption, QueueOption,
            LeakOption, LeakBatchOption, LeakSizeOption, PythonOption,
        };
        root.SetAction(parsed => run(From(parsed)));
        return root;
    }

    private static BenchOptions From(ParseResult parsed)
    {
        var o = new BenchOptions();
        if (parsed.GetValue(QuickOption))
        {
            o.Quick = true; o.Batch = 32; o.Size = 16; o.Queue = 1024; o.Steps = 5; o.Warmup = 1; o.PythonRuns = 1;
            o.LeakSteps = new[] { 10, 60 }; o.LeakBatch = 16;
        }
        o.Profile = parsed.GetValue(ProfileOption);
        if (parsed.GetValue(ThreadsOption) is { } threads) o.Threads = threads;
        if (parsed.GetValue(BatchOption) is { } batch) o.Batch = batch;
        if (parsed.GetValue(WidthOption) is { } width) o.Width = width;
        if (parsed.GetValue(SizeOption) is { } size) o.Size = size;
        if (parsed.GetValue(StepsOption) is { } steps) o.Steps = Math.Max(5, steps);
        if (parsed.GetValue(QueueOption) is { } queue) o.Queue = queue;
        if (parsed.GetValue(LeakOption) is { Length: > 0 } leak) o.LeakSteps = leak; // empty when not given
        if (parsed.GetValue(LeakBatchOption) is { } leakBatch) o.LeakBatch = leakBatch;
        if (parsed.GetValue(LeakSizeOption) is { } leakSize) o.LeakSize = leakSize;
        if (parsed.GetValue(PythonOption) is { } python) o.Python = python;
        return o;
    }
}

/// <summary>The options of <c>featurize</c>, the bulk-featurization benchmark (<see cref="FeaturizeBench"/>).</summary>
internal static class FeaturizeBenchOptions
{
    private static readonly Option<int> Images = new("--images") { Description = "Images featurized per path.", DefaultValueFactory = _ => 2048 };
    private static readonly Option<int> Size = new("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 32 };
    private static readonly Option<int> Channels = new("--channels") { Description = "Image channels.", DefaultValueFactory = _ => 3 };
    private static readonly Option<double> Width = new("--width") { Description = "ResNet-18 width multiplier.", DefaultValueFactory = _ => 0.25 };
    private static readonly Option<int> Threads = new("--threads") { Description = "Threads of every path.", DefaultValueFactory = _ => 2 };
    private static readonly Option<int> Batch = new("--batch") { Description = "Batch size of the batched paths.", DefaultValueFactory = _ => 256 };
    private static readonly Option<int> Repeats = new("--repeats") { Description = "Repeats per path (median).", DefaultValueFactory = _ => 3 };

    /// <summary>The <c>featurize</c> subcommand.</summary>
    public static Command Command()
    {
        var command = new Command("featurize", "Bulk featurization: batched ONNX Runtime vs ML.NET row-by-row vs TorchSharp.")
        {
            Images, Size, Channels, Width, Threads, Batch, Repeats,
        };
        command.SetAction(parsed => FeaturizeBench.Run(parsed.GetValue(Images), parsed.GetValue(Size), parsed.GetValue(Channels),
            parsed.GetValue(Width), parsed.GetValue(Threads), parsed.GetValue(Batch), parsed.GetValue(Repeats)));
        return command;
    }
}

/// <summary>The <c>downstream</c> subcommand: ML.NET trainers through the featurizer vs on precomputed vectors.</summary>
internal static class DownstreamBenchOptions
{
    private static readonly Option<int> Rows = new("--rows") { Description = "Rows the trainers fit on.", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<int> Repeats = new("--repeats") { Description = "Repeats per path (median).", DefaultValueFactory = _ => 3 };
    private static readonly Option<int> Threads = new("--threads") { Description = "TorchSharp and ONNX Runtime threads.", DefaultValueFactory = _ => 2 };
    private static readonly Option<bool> Uncached = new("--uncached") { Description = "Also time the loaded model without any cache (today's ML.NET path: very slow)." };

    public static Command Command()
    {
        var command = new Command("downstream", "Fit time of SDCA and L-BFGS maximum entropy through the featurizer (in process and loaded) vs on precomputed vectors.")
        {
            Rows, Repeats, Threads, Uncached,
        };
        command.SetAction(parsed => DownstreamBench.Run(parsed.GetValue(Rows), parsed.GetValue(Repeats), parsed.GetValue(Threads), parsed.GetValue(Uncached)));
        return command;
    }
}

internal sealed class Bench
{
    private readonly BenchOptions _o;
    private readonly List<(string Row, string Measured, string Target, string Result)> _table = new();
    private readonly List<string> _notes = new();

    public Bench(BenchOptions o) => _o = o;

    public int Run()
    {
        var o = _o;
        torch.set_num_threads(o.Threads);
        Console.WriteLine($"SynCo.ML benchmark: ResNet-18 width {o.Width.ToString(CultureInfo.InvariantCulture)}, {o.Size} px, batch {o.Batch}, " +
            $"K {o.Queue}, {o.Threads} thread(s), {o.Steps} measured steps per variant" + (o.Quick ? " (--quick)" : ""));
#if DEBUG
        Console.WriteLine("build: Debug (managed code unoptimised; the hot loops are native libtorch)");
#else
        Console.WriteLine("build: Release");
#endif
        Console.WriteLine($"libtorch threads {torch.get_num_threads()}, {Environment.ProcessorCount} logical CPU(s)");

        if (o.Profile) { Profile(); return 0; }
        using var setup = new Setup(o, o.Batch);
        var timings = MeasureRounds(setup, rounds: o.Steps, pythonRuns: o.PythonRuns, out var python);

        double moco = Median(timings["moco"]), synco = Median(timings["synco"]), full = Median(timings["full"]);
        double bare = Median(timings["bare"]), aug = Median(timings["augment"]);
        Add("1 six SynCo generators / MoCo v2 step", $"{synco / moco:F3} ({synco:F1} / {moco:F1} ms)", "<= 1.05", synco / moco <= 1.05);
        Add("2 full training step / bare fwd+bwd", $"{full / bare:F3} ({full:F1} / {bare:F1} ms)", "<= 1.15", full / bare <= 1.15);
        double augRate = o.Batch / (aug / 1000), trainRate = o.Batch / (full / 1000);
        Add("3 augmentation / training throughput", $"{augRate / trainRate:F2} ({augRate:F0} / {trainRate:F0} img/s)", ">= 5", augRate / trainRate >= 5);

        setup.Dispose();
        if (python.Error is not null)
            Add("5 MoCo v2 step: ours / PyTorch", $"skipped: {python.Error}", "<= 1.0", null);
        else
        {
            double pm = Median(python.Moco), pb = Median(python.Bare);
            Add($"5 MoCo v2 step: ours / PyTorch {python.Version}", $"{moco / pm:F3} ({moco:F1} / {pm:F1} ms)", "<= 1.0", moco / pm <= 1.0);
            Add("5a bare fwd+bwd: ours / PyTorch (kernels)", $"{bare / pb:F3} ({bare:F1} / {pb:F1} ms)", "info", null);
            Add("5b step overhead over bare: ours vs PyTorch", $"{moco / bare:F3} vs {pm / pb:F3}", "info", null);
        }
        Print(timings);
        Console.Out.Flush();

        Leak();
        Console.WriteLine();
        Console.WriteLine(_notes[^1]);
        PrintTable();
        return 0;
    }

    /// <summary>
    /// Runs every C# variant once per round in rotating order (after warm-up rounds), and the PyTorch script between
    /// blocks of rounds so both languages see the same background load.
    /// </summary>
    private Dictionary<string, List<double>> MeasureRounds(Setup s, int rounds, int pythonRuns, out PythonResult python)
    {
        var variants = new (string Name, Func<double> Run)[]
        {
            ("moco", () => Time(() => s.Session.Step.RunOnViews(s.View1, s.View2, synthesize: false))),
            ("synco", () => Time(() => s.Session.Step.RunOnViews(s.View1, s.View2, synthesize: true))),
            ("full", () => Time(() => s.Session.Step.Run(s.NextImages(), s.AugmentGenerator, synthesize: true))),
            ("bare", () => Time(s.Bare)),
            ("augment", () => Time(s.AugmentTwice)),
        };
        var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
        for (int w = 0; w < _o.Warmup; w++)
            foreach (var v in variants) v.Run();

        python = new PythonResult();
        int blocks = Math.Max(1, pythonRuns);
        int done = 0;
        var watch = Stopwatch.StartNew();
        for (int b = 0; b < blocks; b++)
        {
            int inBlock = (rounds - done + (blocks - b) - 1) / (blocks - b);
            for (int r = 0; r < inBlock; r++, done++)
                for (int i = 0; i < variants.Length; i++)
                {
                    var v = variants[(i + done) % variants.Length];
                    times[v.Name].Add(v.Run());
                }
            Console.Error.WriteLine($"  [{watch.Elapsed.TotalSeconds:F0} s] C# rounds {done}/{rounds}");
            if (pythonRuns > 0) RunPython(python, Math.Max(3, (rounds + blocks - 1) / blocks));
            Console.Error.WriteLine($"  [{watch.Elapsed.TotalSeconds:F0} s] PyTorch run {b + 1}/{blocks} {(python.Error ?? "done")}");
        }
        Console.WriteLine($"timed rounds: {watch.Elapsed.TotalSeconds:F0} s");
        return times;
    }

    private void RunPython(PythonResult result, int steps)
    {
        if (result.Error is not null) return;
        var o = _o;
        if (o.Python == "none") { result.Error = "--python none"; return; }
        string script = Path.Combine(AppContext.BaseDirectory, "pytorch", "moco_step.py");
        if (!File.Exists(script)) { result.Error = $"{script} not found"; return; }
        if (!File.Exists(o.Python)) { result.Error = $"{o.Python} not found"; return; }
        var psi = new ProcessStartInfo(o.Python)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { script, "--threads", $"{o.Threads}", "--batch", $"{o.Batch}", "--size", $"{o.Size}",
                     "--width", o.Width.ToString(CultureInfo.InvariantCulture), "--queue", $"{o.Queue}", "--steps", $"{steps}",
                     "--warmup", $"{Math.Max(2, o.Warmup + 1)}", "--splits", $"{Setup.Options(o, o.Batch).Backbone.BatchNormSplits}" })
            psi.ArgumentList.Add(a);
        psi.Environment["OMP_NUM_THREADS"] = $"{o.Threads}";
        if (GlibcMalloc.KeepFreedMemory())
        {
            // The same malloc settings as our step (TrainingSession made them), so row 5 compares the steps alone.
            psi.Environment["MALLOC_MMAP_THRESHOLD_"] = $"{GlibcMalloc.MmapThreshold}";
            psi.Environment["MALLOC_TRIM_THRESHOLD_"] = $"{GlibcMalloc.TrimThreshold}";
        }
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(600_000)) { p.Kill(); result.Error = "PyTorch script timed out"; return; }
        if (p.ExitCode != 0)
        {
            string err = stderr.Result.Trim().Split('\n').LastOrDefault() ?? "";
            result.Error = $"PyTorch script failed ({p.ExitCode}): {err}";
            return;
        }
        var json = JsonDocument.Parse(stdout.Trim().Split('\n').Last()).RootElement;
        result.Version = json.GetProperty("torch").GetString();
        result.Moco.AddRange(json.GetProperty("moco_ms").EnumerateArray().Select(e => e.GetDouble()));
        result.Bare.AddRange(json.GetProperty("bare_ms").EnumerateArray().Select(e => e.GetDouble()));
        if (json.TryGetProperty("loss", out var loss)) _notes.Add($"PyTorch run: final loss {loss.GetDouble():F3}, threads {json.GetProperty("threads").GetInt32()}");
    }

    /// <summary>Row 4: live native tensors and RSS after N1 and N2 full training steps (fresh model, same step code).</summary>
    private void Leak()
    {
        var o = _o;
        using var s = new Setup(o, o.LeakBatch, o.LeakSize);
        var samples = new List<(int Step, long ScopeLive, long Total, long RssKb)>();
        var watch = Stopwatch.StartNew();
        int step = 0;
        foreach (int target in o.LeakSteps)
        {
            for (; step < target; step++)
            {
                double loss = s.Session.Step.Run(s.NextImages(), s.AugmentGenerator, synthesize: true);
                if (!double.IsFinite(loss)) { _notes.Add($"leak run: non-finite loss at step {step}"); break; }
            }
            Console.Error.WriteLine($"  [{watch.Elapsed.TotalSeconds:F0} s] leak run at step {step} ({1000 * watch.Elapsed.TotalSeconds / Math.Max(1, step):F0} ms/step so far)");
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            samples.Add((step, DisposeScopeManager.Statistics.ThreadTotalLiveCount, torch.Tensor.TotalCount, RssKb()));
        }
        var (a, z) = (samples[0], samples[^1]);
        bool flat = z.ScopeLive == a.ScopeLive && z.Total == a.Total && z.RssKb <= a.RssKb * 1.05 + 16 * 1024;
        Add($"4 live tensors / RSS at steps {a.Step} and {z.Step}",
            $"scope-live {a.ScopeLive} -> {z.ScopeLive}, Tensor.TotalCount {a.Total} -> {z.Total}, RSS {a.RssKb / 1024.0:F0} -> {z.RssKb / 1024.0:F0} MB",
            "flat", flat);
        _notes.Add($"leak run: batch {o.LeakBatch}, {o.LeakSize} px, {step} steps in {watch.Elapsed.TotalSeconds:F0} s; flat = equal tensor counts and RSS growth <= 5 % + 16 MB");
    }

    /// <summary>--profile: medians of the pieces of a step, to see where overhead over the bare networks goes.</summary>
    private void Profile()
    {
        using var s = new Setup(_o, _o.Batch);
        var parts = new (string Name, Action Run)[]
        {
            ("bare fwd+bwd", s.Bare),
            ("step moco (views ready)", () => s.Session.Step.RunOnViews(s.View1, s.View2, false)),
            ("step synco (views ready)", () => s.Session.Step.RunOnViews(s.View1, s.View2, true)),
            ("engine.Forward moco", () => { using var sc = NewDisposeScope(); s.Session.Engine.Forward(s.View1, s.View2, false); }),
            ("engine.Forward synco", () => { using var sc = NewDisposeScope(); s.Session.Engine.Forward(s.View1, s.View2, true); }),
            ("query+key forward", () => { using var sc = NewDisposeScope(); s.Session.Query.call(s.View1); using (no_grad()) s.Session.Key.call(s.View2); }),
            ("momentum update", () => MomentumUpdate.Apply(s.Session.Query, s.Session.Key, 0.99)),
            ("zero_grad", () => s.Session.Optimizer.zero_grad()),
            ("optimizer.step", () => s.Session.Optimizer.step()),
            ("augment x2", s.AugmentTwice),
        };
        var t = parts.ToDictionary(p => p.Name, _ => new List<double>());
        for (int r = 0; r < _o.Warmup + _o.Steps; r++)
            for (int i = 0; i < parts.Length; i++)
            {
                var p = parts[(i + r) % parts.Length];
                double ms = Time(p.Run);
                if (r >= _o.Warmup) t[p.Name].Add(ms);
            }
        foreach (var (name, xs) in t) Console.WriteLine($"  {name,-26} {Median(xs),8:F2} ms");
    }

    private static long RssKb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return Environment.WorkingSet / 1024;
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    internal static double Median(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return double.NaN;
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    private void Add(string row, string measured, string target, bool? pass) =>
        _table.Add((row, measured, target, pass is null ? (target == "info" ? "" : "SKIP") : pass.Value ? "PASS" : "MISS"));

    private void Print(Dictionary<string, List<double>> timings)
    {
        Console.WriteLine();
        Console.WriteLine("raw step times (ms, in measurement order):");
        foreach (var (name, xs) in timings)
            Console.WriteLine($"  {name,-8} median {Median(xs),8:F1}  [{string.Join(", ", xs.Select(x => x.ToString("F1", CultureInfo.InvariantCulture)))}]");
        foreach (var n in _notes) Console.WriteLine($"  {n}");
        PrintTable();
    }

    private void PrintTable()
    {
        Console.WriteLine();
        int w0 = Math.Max(4, _table.Max(r => r.Row.Length)), w1 = Math.Max(8, _table.Max(r => r.Measured.Length));
        Console.WriteLine($"{"Ratio".PadRight(w0)} | {"Measured".PadRight(w1)} | {"Target",-7} | Result");
        Console.WriteLine($"{new string('-', w0)}-|-{new string('-', w1)}-|-{new string('-', 7)}-|-------");
        foreach (var r in _table)
            Console.WriteLine($"{r.Row.PadRight(w0)} | {r.Measured.PadRight(w1)} | {r.Target,-7} | {r.Result}");
    }

    private sealed class PythonResult
    {
        public string? Error, Version;
        public List<double> Moco = new(), Bare = new();
    }
}

/// <summary>One benchmark configuration: the training session <see cref="Pretrainer"/> would build, plus fixed input batches.</summary>
internal sealed class Setup : IDisposable
{
    private readonly Tensor[] _images;
    private int _next;

    public Setup(BenchOptions o, int batch, int? size = null)
    {
        int side = size ?? o.Size;
        Session = TrainingSession.Create(Options(o, batch), 3, side, side);
        AugmentGenerator = new Generator(7);
        Session.Query.train();
        Session.Key.train();
        using var data = new Generator(3);
        _images = Enumerable.Range(0, 4).Select(_ =>
        {
            var t = randint(0, 256, new long[] { batch, 3, side, side }, dtype: ScalarType.Byte, generator: data);
            t.DetachFromDisposeScope();
            return t;
        }).ToArray();
        View1 = Session.Augmenter.Apply(_images[0], AugmentGenerator);
        View2 = Session.Augmenter.Apply(_images[0], AugmentGenerator);
        View1.DetachFromDisposeScope();
        View2.DetachFromDisposeScope();
    }

    public static PretrainOptions Options(BenchOptions o, int batch)
    {
        var options = new PretrainOptions { BatchSize = batch, MoCo = { QueueSize = o.Queue }, Run = { Threads = o.Threads, Device = "cpu" } };
        options.Backbone.WidthMultiplier = o.Width;
        return options;
    }

    public TrainingSession Session { get; }
    public Generator AugmentGenerator { get; }
    public Tensor View1 { get; }
    public Tensor View2 { get; }

    public Tensor NextImages() => _images[_next++ % _images.Length];

    /// <summary>The networks alone: query forward + backward of a trivial loss, key forward without gradient.</summary>
    public void Bare()
    {
        using var scope = NewDisposeScope();
        var q = Session.Query.call(View1);
        using (no_grad()) Session.Key.call(View2);
        q.square().sum().backward();
    }

    public void AugmentTwice()
    {
        using var scope = NewDisposeScope();
        var images = NextImages();
        Session.Augmenter.Apply(images, AugmentGenerator);
        Session.Augmenter.Apply(images, AugmentGenerator);
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _images) t.Dispose();
        View1.Dispose();
        View2.Dispose();
        Session.Dispose();
        AugmentGenerator.Dispose();
    }
}
