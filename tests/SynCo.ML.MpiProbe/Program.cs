// Started by the tests in tests/SynCo.ML.Tests/Distributed as `[mpirun -np N] dotnet SynCo.ML.MpiProbe.dll [mode]`.
//   (no mode)        every collective on known values; prints "ok <world> <checks>" or exits 1 naming the first wrong value
//   throw            rank 1 throws, and the probe aborts the whole job with that rank's message (rank 0 waits in a barrier)
//   steps N [file [crops [negatives]]]  N training steps through TrainingSession (with that many multi-crop small crops;
//                    negatives synco, the default, or none for plain MoCo v2); losses, queue and weight digests per rank
//   resume DIR [stop] a 2-epoch checkpointed run, optionally failing after epoch 1
//   estimator [stream] SynCoPretrain(...).Fit on one IDataView (with "stream": streamed, not kept in memory); an embedding
//                    digest per rank, and with "stream" the bytes of decoded images this rank held at most
//   train ...        a Pretrainer run on random pixels or an image folder, printing every step's loss: the tool behind
//                    the thread-count and batch-norm comparisons in docs/benchmarks.md (PROBE_BN, PROBE_THREADS)
using SynCo.ML;
using SynCo.ML.Data;
using SynCo.ML.Distributed;
using SynCo.ML.Negatives;
using SynCo.ML.Training;

if (args.FirstOrDefault() == "train") return Train(args.Skip(1).ToArray());
if (args.FirstOrDefault() == "steps")
    return Steps(int.Parse(args[1]), args.ElementAtOrDefault(2), int.Parse(args.ElementAtOrDefault(3) ?? "0"), (args.ElementAtOrDefault(4) ?? "synco") switch
    {
        "synco" => true,
        "none" => false,
        var other => throw new ArgumentException($"steps: negatives are synco or none, not '{other}'."),
    });
if (args.FirstOrDefault() == "estimator") return Estimator(args.ElementAtOrDefault(1) == "stream");
if (args.FirstOrDefault() == "resume") return Resume(args[1], args.Length > 2 && args[2] == "stop");

using var world = MpiWorld.Join();
if (world is null)
{
    bool mapped = File.ReadAllText("/proc/self/maps").Contains("libmpi");
    Console.WriteLine($"no launcher: MPI library mapped: {mapped}");
    return 0;
}
try
{
    if (args.FirstOrDefault() == "throw")
    {
        if (world.Rank == 1) throw new InvalidOperationException("rank 1 failed on purpose");
        world.Barrier(); // never completes: rank 1 aborts the job
        return 3;
    }

    int n = world.Size, r = world.Rank;
    // All-reduce over more than one MPI call's worth of floats would take gigabytes; 3 M floats is a ResNet-18/4 gradient.
    var values = new float[3_000_000];
    for (int i = 0; i < values.Length; i++) values[i] = (r + 1) * (i % 97);
    world.AllReduceSum(values);
    float factor = n * (n + 1) / 2f;
    for (int i = 0; i < values.Length; i++)
        if (values[i] != factor * (i % 97)) return Fail($"all-reduce: element {i} is {values[i]}, expected {factor * (i % 97)}");

    var local = Enumerable.Range(0, 5).Select(i => (float)(10 * r + i)).ToArray();
    var all = new float[5 * n];
    world.AllGather(local, all);
    for (int k = 0; k < n; k++)
        for (int i = 0; i < 5; i++)
            if (all[5 * k + i] != 10 * k + i) return Fail($"all-gather: rank {k}'s element {i} is {all[5 * k + i]}");

    var bytes = new byte[1000];
    if (world.IsRoot) for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 7);
    world.Broadcast(bytes);
    for (int i = 0; i < bytes.Length; i++)
        if (bytes[i] != (byte)(i * 7)) return Fail($"broadcast: byte {i} is {bytes[i]}");

    int max = world.AllReduceMax(r == n - 1 ? 42 : r);
    if (max != Math.Max(42, n - 2)) return Fail($"all-reduce max is {max}");
    world.Barrier();
    Console.WriteLine($"ok {world} all-reduce all-gather broadcast max");
    return 0;
}
catch (Exception e)
{
    world.Abort(e.Message);
    return 1;
}

int Fail(string message)
{
    Console.WriteLine($"FAIL {world}: {message}");
    return 1;
}

// train <negatives> <steps-epochs>: a seeded tiny pretraining; rank 0 (or the only process) prints every step's loss,
// a digest of the query encoder's weights and of the queue, at full precision, so a test can compare N ranks with one.
static int Train(string[] a)
{
    int images = int.Parse(a.ElementAtOrDefault(2) ?? "96"), batch = int.Parse(a.ElementAtOrDefault(3) ?? "16"), queue = int.Parse(a.ElementAtOrDefault(4) ?? "64");
    IImageDataset data;
    if (a.ElementAtOrDefault(5) is { } folder) data = new ImageFolderDataset(folder, 16, 16);
    else
    {
        var pixels = new byte[images * 3 * 16 * 16];
        new Random(11).NextBytes(pixels);
        data = InMemoryImageDataset.Wrap(pixels, 3, 16, 16);
    }
    var options = new PretrainOptions { Epochs = int.Parse(a.ElementAtOrDefault(1) ?? "1"), BatchSize = batch, MoCo = { QueueSize = queue },
        Run = { Device = "cpu", Seed = 3, Threads = int.Parse(Environment.GetEnvironmentVariable("PROBE_THREADS") ?? "1") } };
    options.Backbone.WidthMultiplier = 0.25;
    options.Backbone.BatchNormSplits = int.Parse(Environment.GetEnvironmentVariable("PROBE_BN") ?? "2");
    options.Negatives = (a.ElementAtOrDefault(0) ?? "none") == "synco" ? NegativeOptions.SynCo(queue) : NegativeOptions.None();
    options.Negatives.WarmupEpochs = 0;
    var losses = new List<double>();
    options.Run.OnProgress = p => losses.Add(p.Loss);
    bool root = MpiWorld.Current() is not { IsRoot: false };
    using var result = new Pretrainer(options).Train(data);
    if (!root) return 0;
    foreach (var (loss, i) in losses.Select((l, i) => (l, i))) Console.WriteLine($"step {i} loss {loss:R}");
    var weights = result.Encoder.parameters().SelectMany(t => t.cpu().data<float>().ToArray()).ToArray();
    var buffers = result.Encoder.buffers().Where(b => b.is_floating_point()).SelectMany(t => t.cpu().data<float>().ToArray()).ToArray();
    Console.WriteLine($"weights {weights.Length} sum|w| {weights.Sum(w => (double)Math.Abs(w)):R} first {string.Join(" ", weights.Take(4).Select(w => w.ToString("R")))}");
    Console.WriteLine($"buffers {buffers.Length} sum {buffers.Sum(b => (double)b):R}");
    return 0;
}

// steps <n> [file [crops]]: n training steps built by TrainingSession (SynCo negatives from the first step, random pixels,
// optionally multi-crop small crops); every rank
// prints each step's loss and, at the end, digests of its queue and its query weights at full precision; rank 0 also
// writes every query weight (float32) to <file>.
static int Steps(int steps, string? weightsFile, int smallCrops, bool synco)
{
    var pixels = new byte[96 * 3 * 16 * 16];
    new Random(11).NextBytes(pixels);
    var data = InMemoryImageDataset.Wrap(pixels, 3, 16, 16);
    var options = Tiny(epochs: 10);
    options.SmallCrops.Count = smallCrops;
    if (!synco) options.Negatives = NegativeOptions.None();
    using var session = TrainingSession.Create(options, 3, 16, 16);
    string who = session.World ?? "rank 0/1";
    var loader = new BatchLoader(data, options.BatchSize, seed: 3);
    if (session.Parallel is { } p) loader = loader.ForRank(p.Part);
    using var augment = new TorchSharp.torch.Generator(7);
    int step = 0;
    for (int epoch = 0; step < steps; epoch++)
        foreach (var batch in loader.GetBatches(epoch))
        {
            if (step == steps) { batch.Dispose(); continue; }
            using var scope = TorchSharp.torch.NewDisposeScope();
            double loss = session.Step.Run(batch.Images, augment, synthesize: true);
            batch.Dispose();
            Console.WriteLine($"{who} step {step++} loss {loss:R}");
        }
    var queue = session.Engine.Queue.Keys.cpu().data<float>().ToArray();
    var weights = session.Query.parameters().SelectMany(t => t.cpu().data<float>().ToArray()).ToArray();
    Console.WriteLine($"{who} queue pointer {session.Engine.Queue.Pointer} sum {queue.Sum(v => (double)v):R} hash {queue.Aggregate(17L, (h, v) => h * 31 + BitConverter.SingleToInt32Bits(v))}");
    Console.WriteLine($"{who} weights sum|w| {weights.Sum(w => (double)Math.Abs(w)):R}");
    if (weightsFile is not null && session.IsRoot)
        File.WriteAllBytes(weightsFile, System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.AsSpan()).ToArray());
    return 0;
}

// resume <dir> [stop]: 2 epochs with a checkpoint in <dir>; with "stop", rank 0 fails after the first epoch's checkpoint
// (the job aborts); without, the run resumes from a checkpoint when there is one. Rank 0 prints the epoch losses and a
// digest of the weights at full precision.
static int Resume(string dir, bool stop)
{
    var pixels = new byte[96 * 3 * 16 * 16];
    new Random(11).NextBytes(pixels);
    var options = Tiny(epochs: 2);
    options.Run.CheckpointDirectory = dir;
    options.Run.Log = m => { if (m.StartsWith("resumed", StringComparison.Ordinal)) Console.WriteLine(m); };
    if (stop) options.Run.OnEpoch = e => throw new InvalidOperationException($"stopped after epoch {e.Epoch + 1} on purpose");
    using var result = new Pretrainer(options).Train(InMemoryImageDataset.Wrap(pixels, 3, 16, 16));
    if (MpiWorld.Current() is { IsRoot: false }) return 0;
    var weights = result.Encoder.parameters().SelectMany(t => t.cpu().data<float>().ToArray()).ToArray();
    Console.WriteLine($"losses {string.Join(" ", result.History.Select(h => h.Loss.ToString("R")))}");
    Console.WriteLine($"weights hash {weights.Aggregate(17L, (h, v) => h * 31 + BitConverter.SingleToInt32Bits(v))}");
    return 0;
}

// estimator: mlContext.Transforms.SynCoPretrain(...).Fit on the same IDataView on every rank; each rank prints a digest of
// the embeddings its fitted transformer gives (all ranks must return the same transformer).
static int Estimator(bool stream)
{
    var ml = new Microsoft.ML.MLContext(seed: 1);
    var random = new Random(5);
    var rows = Enumerable.Range(0, 64).Select(_ => new PixelRow { Pixels = Enumerable.Range(0, 3 * 16 * 16).Select(_ => (float)random.Next(256)).ToArray() }).ToList();
    var data = ml.Data.LoadFromEnumerable(rows);
    var options = new SynCo.ML.SynCoOptions { Epochs = 2, BatchSize = 16, MoCo = { QueueSize = 64 }, Run = { Device = "cpu", Seed = 2, Threads = 1 } };
    options.Backbone.WidthMultiplier = 0.25;
    options.Backbone.BatchNormSplits = 2;
    if (stream) (options.InMemoryLimitMegabytes, options.StreamingBufferMegabytes) = (0, 1);   // 1 MB: windows of 682 images, so an epoch of 64 is one window
    using var model = ml.Transforms.SynCoPretrain(options).Fit(data);
    if (stream) Console.WriteLine($"{SynCo.ML.Distributed.MpiWorld.Current()?.ToString() ?? "rank 0/1"} streamed peak {model.StreamedPeakBytes}");
    var embeddings = Microsoft.ML.Data.ColumnCursorExtensions.GetColumn<float[]>(model.Transform(data), "Features").SelectMany(e => e).ToArray();
    Console.WriteLine($"{SynCo.ML.Distributed.MpiWorld.Current()?.ToString() ?? "rank 0/1"} embeddings {embeddings.Length} sum {embeddings.Sum(v => (double)v):R} " +
        $"hash {embeddings.Aggregate(17L, (h, v) => h * 31 + BitConverter.SingleToInt32Bits(v))}");
    return 0;
}


// The tiny configuration the step and resume checks train: ResNet-18 x0.25, batch 16 in 2 batch-norm groups, K 64,
// SynCo negatives from the first step, CPU, one thread, seed 3.
static PretrainOptions Tiny(int epochs)
{
    var options = new PretrainOptions { Epochs = epochs, BatchSize = 16, MoCo = { QueueSize = 64 }, Run = { Device = "cpu", Seed = 3, Threads = 1 } };
    options.Backbone.WidthMultiplier = 0.25;
    options.Backbone.BatchNormSplits = 2;
    options.Negatives = NegativeOptions.SynCo(64);
    options.Negatives.WarmupEpochs = 0;
    return options;
}

sealed class PixelRow
{
    [Microsoft.ML.Data.VectorType(3, 16, 16)] public float[] Pixels { get; set; } = Array.Empty<float>();
}
