using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SynCo.ML.Interop;
using SynCo.ML.Model;
using SynCo.ML.Training;
using static TorchSharp.torch;

namespace SynCo.ML.Benchmarks;

/// <summary>
/// <c>allocator</c>: the full training step of the sample's network (ResNet-10 width 0.25, 28 px grayscale, batch 128,
/// 8 batch-norm groups, K 4,096, synthetic negatives on) with glibc's malloc defaults against
/// <see cref="RunOptions.TuneNativeAllocator"/>. The setting is process-wide and cannot be undone, so each arm runs in a
/// child process of its own, the arms alternating over the rounds; it prints the ratio of the median step times and
/// whether both arms ended on the same loss, bit for bit.
/// </summary>
internal static class AllocatorBench
{
    private static readonly Option<int> Rounds = new("--rounds") { Description = "Child processes per arm, alternating.", DefaultValueFactory = _ => 3 };
    private static readonly Option<int> Steps = new("--steps") { Description = "Measured training steps per child (after 3 warm-up steps).", DefaultValueFactory = _ => 12 };
    private static readonly Option<bool?> Child = new("--child-tuned") { Description = "Internal: run the steps in this process with the allocator tuned (true) or not.", Hidden = true };

    /// <summary>The <c>allocator</c> subcommand.</summary>
    public static Command Command()
    {
        var command = new Command("allocator", "Training step time with glibc's malloc defaults / with RunOptions.TuneNativeAllocator (one child process per arm and round).")
        {
            Rounds, Steps, Child,
        };
        command.SetAction(parsed => parsed.GetValue(Child) is { } tuned
            ? RunSteps(tuned, parsed.GetValue(Steps))
            : Compare(parsed.GetValue(Rounds), parsed.GetValue(Steps)));
        return command;
    }

    private static int Compare(int rounds, int steps)
    {
        Console.WriteLine($"allocator: ResNet-10 width 0.25, 1x28x28, batch 128, 8 BN groups, K 4096, SynCo; {steps} steps per child, {rounds} rounds, " +
            $"{Environment.ProcessorCount} logical CPU(s)");
        var times = new Dictionary<bool, List<double>> { [false] = new(), [true] = new() };
        var losses = new Dictionary<bool, HashSet<string>> { [false] = new(), [true] = new() };
        for (int round = 0; round < rounds; round++)
            foreach (bool tuned in round % 2 == 0 ? new[] { false, true } : new[] { true, false })
            {
                string output = ChildProcess.Run(
                    new[] { "allocator", "--child-tuned", tuned ? "true" : "false", "--steps", steps.ToString(CultureInfo.InvariantCulture) },
                    $"the {(tuned ? "tuned" : "glibc-defaults")} child",
                    env =>
                    {
                        foreach (var key in env.Keys.Where(k => k.StartsWith("MALLOC_", StringComparison.Ordinal) || k == "GLIBC_TUNABLES").ToList())
                            env.Remove(key);   // each arm is what its flag says, whatever this shell sets
                    });
                var lines = output.Split('\n');
                var ms = lines.Single(l => l.StartsWith("step ms ", StringComparison.Ordinal))["step ms ".Length..]
                    .Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                string loss = lines.Single(l => l.StartsWith("loss ", StringComparison.Ordinal))["loss ".Length..].Trim();
                string applied = lines.Single(l => l.StartsWith("tuned ", StringComparison.Ordinal))["tuned ".Length..].Trim();
                times[tuned].AddRange(ms);
                losses[tuned].Add(loss);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round + 1} {(tuned ? "tuned" : "glibc defaults"),-14}: median {Bench.Median(ms):F1} ms/step, loss after the last step {loss}, allocator tuned: {applied}"));
            }
        double slow = Bench.Median(times[false]), fast = Bench.Median(times[true]);
        bool same = losses[false].Count == 1 && losses[false].SetEquals(losses[true]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step time glibc defaults / tuned: {slow / fast:F3} ({slow:F1} / {fast:F1} ms; target >= 1.2); same loss bit for bit in every child: {(same ? "yes" : "NO")}"));
        return same ? 0 : 1;
    }

    /// <summary>One arm in this (child) process: warm-up, then the measured steps' times and the last loss.</summary>
    private static int RunSteps(bool tuned, int steps)
    {
        var options = new PretrainOptions
        {
            BatchSize = 128,
            MoCo = { QueueSize = 4096 },
            Run = { Threads = 2, Device = "cpu", Seed = 1, TuneNativeAllocator = tuned },
        };
        options.Backbone.Architecture = ResNetArchitecture.ResNet10;
        options.Backbone.WidthMultiplier = 0.25;
        options.Backbone.BatchNormSplits = 8;
        using var scope = NewDisposeScope();   // the images, and anything a step leaves
        using var session = TrainingSession.Create(options, 1, 28, 28);
        using var augment = new Generator(7);
        using var data = new Generator(3);
        var images = Enumerable.Range(0, 4).Select(_ => randint(0, 256, new long[] { 128, 1, 28, 28 }, dtype: ScalarType.Byte, generator: data)).ToArray();
        double loss = 0;
        var ms = new List<double>();
        for (int step = 0; step < steps + 3; step++)
        {
            long start = Stopwatch.GetTimestamp();
            loss = session.Step.Run(images[step % images.Length], augment, synthesize: true);
            if (step >= 3) ms.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        Console.WriteLine("step ms " + string.Join(",", ms.Select(m => m.ToString("F2", CultureInfo.InvariantCulture))));
        Console.WriteLine("loss " + loss.ToString("R", CultureInfo.InvariantCulture));
        Console.WriteLine("tuned " + (tuned && GlibcMalloc.KeepFreedMemory()).ToString(CultureInfo.InvariantCulture).ToLowerInvariant());
        return 0;
    }
}
