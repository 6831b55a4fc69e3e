using System.CommandLine;
using System.Globalization;
using SynCo.Hosting;
using SynCo.ML.Model;
using SynCo.ML.Negatives;
using SynCo.ML.Onnx;
using SynCo.ML.Distributed;
using SynCo.ML.Training;
using SynCo.ML;

namespace SynCo.Cli.Commands;

/// <summary>
/// <c>synco pretrain</c>: self-supervised pretraining on an image folder or IDX file; checkpoints every epoch into
/// --out (re-running the same command resumes), then writes backbone.onnx and history.csv there.
/// </summary>
public sealed class PretrainCommand(Terminal terminal) : CliCommand(terminal)
{
    /// <summary>The ONNX backbone written into --out.</summary>
    public const string BackboneFile = "backbone.onnx";

    /// <summary>The per-epoch history written into --out.</summary>
    public const string HistoryFile = "history.csv";

    private readonly Argument<string> _images = CliOptions.Images("Unlabelled training images");
    private readonly Option<string> _out = CliOptions.Out("Output folder: the checkpoint (re-run the same command to resume), backbone.onnx and history.csv.");
    private readonly Option<ImageSize?> _size = CliOptions.Size("Image folders: resize every image to HxW (or NxN) pixels (default 32, or 224 with --recipe imagenet). IDX files keep their own size.");
    private readonly Option<int> _channels = new("--channels") { Description = "Image folders: 3 for RGB, 1 for grayscale.", DefaultValueFactory = _ => 3 };
    private readonly Option<string> _recipe = CliOptions.Choice("--recipe",
        "Published hyper-parameters: small = MoCo CIFAR demo (K 4096, m 0.99, T 0.1, wd 5e-4, 8 BN splits), imagenet = MoCo v2 (K 65536, m 0.999, T 0.2, wd 1e-4).",
        "small", "imagenet");
    private readonly Option<int?> _epochs = CliOptions.Positive(new Option<int?>("--epochs") { Description = $"Passes over the data (default {Defaults.Epochs})." });
    private readonly Option<int?> _batch = CliOptions.Batch(Defaults.BatchSize, "Images per training step");
    // Every ResNetArchitecture, lower-cased; the first (ResNet18) is the default.
    private readonly Option<string> _arch = CliOptions.Choice("--arch", "Backbone architecture.",
        Enum.GetNames<ResNetArchitecture>().Select(name => name.ToLowerInvariant()).ToArray());
    private readonly Option<double?> _width = CliOptions.Positive(new Option<double?>("--width")
    {
        Description = "Width multiplier of the stage widths 64/128/256/512 (default 1). CPU training needs stage widths that are multiples of 16: 0.25, 0.5, 0.75, 1, ...",
    });
    private readonly Option<string> _smallStem = CliOptions.Choice("--small-stem",
        "3x3 stride-1 stem without max-pool (on) or the ImageNet 7x7 stem (off); auto picks the small stem for images up to 64 px.", "auto", "on", "off");
    private readonly Option<int?> _bnSplits = CliOptions.Positive(new Option<int?>("--bn-splits") { Description = "Split batch-norm groups (shuffle-BN stand-in); --batch must be a multiple (default: recipe, 8 / 1)." });
    private readonly Option<int?> _queue = CliOptions.Positive(new Option<int?>("--queue") { Description = "K, negatives in the queue; at least --batch (default: recipe, 4096 / 65536)." });
    private readonly Option<double?> _momentum = CliOptions.NonNegative(new Option<double?>("--momentum") { Description = "m, momentum of the key encoder in [0, 1] (default: recipe, 0.99 / 0.999)." });
    private readonly Option<double?> _temperature = CliOptions.Positive(new Option<double?>("--temperature") { Description = "T, InfoNCE temperature (default: recipe, 0.1 / 0.2)." });
    private readonly Option<double?> _lr = CliOptions.Positive(new Option<double?>("--lr") { Description = $"Base learning rate per 256 images; SGD uses lr x batch / 256 with a cosine decay (default {Defaults.LearningRate})." });
    private readonly Option<double?> _wd = CliOptions.NonNegative(new Option<double?>("--wd") { Description = "SGD weight decay (default: recipe, 5e-4 / 1e-4)." });
    private readonly Option<int?> _warmupLr = CliOptions.NonNegative(new Option<int?>("--warmup-lr-epochs") { Description = "Epochs of linear learning-rate warm-up before the cosine decay (default 0)." });
    private readonly Option<double?> _minScale = CliOptions.Positive(new Option<double?>("--min-scale")
    {
        Description = "Smallest area fraction kept by the random resized crop, in (0, 1] (default: recipe, 0.08 / 0.2). Centred 28 px Fashion-MNIST items learned fastest with 0.8 (docs/benchmarks.md).",
    });
    private readonly Option<int?> _smallCrops = CliOptions.NonNegative(new Option<int?>("--small-crops")
    {
        Description = "Multi-crop: small extra query crops per image, each against the same key and queue (default 0, off). They cover 5-14 % of the image area (SwAV).",
    });
    private readonly Option<int?> _smallCropSize = CliOptions.Positive(new Option<int?>("--small-crop-size")
    {
        Description = "Side of a small crop in pixels, at most the image's (default 96/224 of it, rounded: 14 px at 32 px).",
    });
    private readonly Option<bool> _symmetric = new("--symmetric") { Description = "Symmetric loss (both views as query); about twice the cost per step." };
    private readonly Option<string> _negatives = CliOptions.Choice("--negatives",
        "Synthetic hard negatives: synco = SynCo's six types scaled to the queue, mochi = MoCHi mixing, none = plain MoCo v2.", [.. NegativesMethod.Names]);
    private readonly Option<int?> _hardPool = CliOptions.Positive(new Option<int?>("--hard-pool") { Description = "N, hardest queue negatives synthesis starts from (default K/64, at least 16); at most --queue." });
    private readonly Option<int?> _mochiS = CliOptions.NonNegative(new Option<int?>("--mochi-s") { Description = "MoCHi s: mixes of two hard negatives per query (default N)." });
    private readonly Option<int?> _mochiS1 = CliOptions.NonNegative(new Option<int?>("--mochi-s1") { Description = "MoCHi s': mixes of the query with a hard negative (default N/4)." });
    private readonly Option<int?> _negativesWarmup = CliOptions.NonNegative(new Option<int?>("--negatives-warmup") { Description = $"Epochs of plain MoCo before synthetic negatives start (default {Defaults.NegativeWarmupEpochs})." });
    private readonly Option<string> _device = CliOptions.Device("training");
    private readonly Option<int?> _seed = new("--seed") { Description = "Seed of weights, data order, augmentation and negatives (default 0)." };
    private readonly Option<int?> _threads = CliOptions.Threads();
    private readonly Option<bool> _skipUnreadable = CliOptions.SkipUnreadable();
    private readonly Option<string> _distributed = new("--distributed")
    {
        Description = "Under an MPI launcher (mpirun, srun, a Kubeflow MPIJob): auto joins the job and trains data-parallel, with --batch and " +
            "--bn-splits meaning the global batch and the global number of batch-norm groups (both must divide by the ranks); off trains alone. " +
            "Without a launcher nothing changes.",
        DefaultValueFactory = _ => "auto",
    };
    private readonly Option<bool> _noResume = new("--no-resume") { Description = "Start over even if --out holds a checkpoint (it is overwritten after the first epoch)." };

    /// <inheritdoc/>
    protected override Command Create() => new("pretrain", "Self-supervised pretraining (MoCo v2 + synthetic hard negatives) on unlabelled images; writes <out>/backbone.onnx and <out>/history.csv.")
    {
        _images, _out, _size, _channels, _recipe, _epochs, _batch, _arch, _width, _smallStem, _bnSplits, _queue, _momentum, _temperature,
        _lr, _wd, _warmupLr, _minScale, _smallCrops, _smallCropSize, _symmetric, _negatives, _hardPool, _mochiS, _mochiS1, _negativesWarmup, _device, _seed, _threads,
        _skipUnreadable, _distributed, _noResume,
    };

    /// <inheritdoc/>
    protected override string CancelledMessage(ParseResult parsed) =>
        $"cancelled; the checkpoint of the last finished epoch is kept in {parsed.GetValue(_out)}: re-run the same command to resume.";

    /// <inheritdoc/>
    protected override int Execute(ParseResult parsed, CancellationToken cancellationToken)
    {
        string outDir = parsed.GetValue(_out)!;
        var options = BuildOptions(parsed);
        // In a data-parallel job every rank trains and rank 0 alone prints and writes; its first line names the job.
        var world = MpiWorld.Current(options.Run.Distributed);
        bool root = world?.IsRoot ?? true;
        Action<string> line = root ? Terminal.Line : _ => { };
        if (world is not null) line(world.ToString());
        options.Run.CheckpointDirectory = outDir;
        options.Run.Log = line;
        options.Validate(); // before reading images, so option mistakes are reported at once

        int channels = parsed.GetValue(_channels);
        if (channels is not (1 or 3)) throw new UsageException($"--channels must be 1 (grayscale) or 3 (RGB), got {channels}.");
        var size = parsed.GetValue(_size) ?? (options.Recipe == PretrainRecipe.ImageNet ? new ImageSize(224, 224) : new ImageSize(32, 32));
        var input = InputImages.Load(parsed.GetValue(_images)!, size, channels, parsed.GetValue(_skipUnreadable));
        line(input.Description);
        if (parsed.GetValue(_minScale) is { } minScale)
        {
            options.Augmentation = options.ResolveAugmentation(input.Data.Channels, input.Data.Height, input.Data.Width);
            options.Augmentation.Crop.MinScale = minScale;
        }
        if (root) input.ReportSkipped(Terminal);

        using var result = Terminal.Progress("pretrain", report =>
        {
            options.Run.OnProgress = p => report(((double)p.Epoch * p.StepsPerEpoch + p.Step) / ((double)p.Epochs * p.StepsPerEpoch),
                $"epoch {p.Epoch + 1}/{p.Epochs} loss {p.Loss:F3}");
            options.Run.OnEpoch = e => line(string.Create(CultureInfo.InvariantCulture,
                $"epoch {e.Epoch + 1}/{options.Epochs}: loss {e.Loss:F4}, lr {e.LearningRate:G3}, {e.ImagesPerSecond:F0} images/s, {e.Seconds:F1} s{(e.SyntheticNegatives ? ", synthetic negatives on" : "")}"));
            try
            {
                return new Pretrainer(options).Train(input.Data, cancellationToken);
            }
            catch (CheckpointMismatchException)
            {
                throw new UsageException($"{outDir} holds a checkpoint of a different configuration (options or data changed since it was written); " +
                    "re-run with the original options, pass --no-resume to start over, or choose another --out.");
            }
        });
        if (root) input.ReportSkipped(Terminal);

        if (!root) return ExitCodes.Ok;
        string onnx = Path.Combine(outDir, BackboneFile), csv = Path.Combine(outDir, HistoryFile);
        var spec = ExportCommand.Export(result.Encoder, result.Description, onnx, OnnxOutputKind.Features, normalize: false);
        var history = result.History;
        WriteHistory(csv, history);
        line($"wrote {onnx} ({spec})");
        line($"wrote {csv} ({history.Count} epochs)");
        return ExitCodes.Ok;
    }

    private PretrainOptions BuildOptions(ParseResult parsed)
    {
        var recipe = parsed.GetValue(_recipe)!.ToLowerInvariant() == "imagenet" ? PretrainRecipe.ImageNet : PretrainRecipe.SmallImages;
        var o = new PretrainOptions().ApplyRecipe(recipe);
        if (parsed.GetValue(_epochs) is { } epochs) o.Epochs = epochs;
        if (parsed.GetValue(_batch) is { } batch) o.BatchSize = batch;
        if (parsed.GetValue(_queue) is { } queue) o.MoCo.QueueSize = queue;
        if (parsed.GetValue(_momentum) is { } m) o.MoCo.Momentum = m;
        if (parsed.GetValue(_temperature) is { } t) o.MoCo.Temperature = t;
        if (parsed.GetValue(_lr) is { } lr) o.Optimizer.LearningRate = lr;
        if (parsed.GetValue(_wd) is { } wd) o.Optimizer.WeightDecay = wd;
        if (parsed.GetValue(_warmupLr) is { } warm) o.Optimizer.WarmupEpochs = warm;
        o.MoCo.Symmetric = parsed.GetValue(_symmetric);
        if (parsed.GetValue(_smallCrops) is { } crops) o.SmallCrops.Count = crops;
        if (parsed.GetValue(_smallCropSize) is { } side)
        {
            if (o.SmallCrops.Count == 0) throw new UsageException("--small-crop-size applies with --small-crops 1 or more.");
            o.SmallCrops.Height = o.SmallCrops.Width = side;
        }
        o.Run.Device = parsed.GetValue(_device)!;
        o.Run.Seed = parsed.GetValue(_seed);
        o.Run.Threads = parsed.GetValue(_threads);
        o.Run.Resume = !parsed.GetValue(_noResume);
        o.Run.Distributed = parsed.GetValue(_distributed)!.ToLowerInvariant() switch
        {
            "auto" => DistributedMode.Auto,
            "off" => DistributedMode.Off,
            var other => throw new UsageException($"--distributed must be auto or off, not '{other}'."),
        };

        o.Backbone.Architecture = Enum.Parse<ResNetArchitecture>(parsed.GetValue(_arch)!, ignoreCase: true);
        if (parsed.GetValue(_width) is { } width) o.Backbone.WidthMultiplier = width;
        if (parsed.GetValue(_bnSplits) is { } splits) o.Backbone.BatchNormSplits = splits;
        o.Backbone.SmallStem = parsed.GetValue(_smallStem)!.ToLowerInvariant() switch { "on" => true, "off" => false, _ => null };
        o.Negatives = BuildNegatives(parsed, o.MoCo.QueueSize);
        return o;
    }

    private NegativeOptions BuildNegatives(ParseResult parsed, int queueSize)
    {
        var method = NegativesMethod.Parse(parsed.GetValue(_negatives)!);
        int? hardPool = parsed.GetValue(_hardPool), s = parsed.GetValue(_mochiS), s1 = parsed.GetValue(_mochiS1);
        if (method != NegativesMethod.MoCHi && (s is not null || s1 is not null))
            throw new UsageException("--mochi-s and --mochi-s1 apply to --negatives mochi only.");
        if (method == NegativesMethod.None && hardPool is not null)
            throw new UsageException("--hard-pool applies to --negatives synco or mochi; --negatives none uses no synthetic negatives.");
        var negatives = method == NegativesMethod.MoCHi ? MoCHi(queueSize, hardPool, s, s1) : method.Options(queueSize);
        if (method == NegativesMethod.SynCo && hardPool is { } n) negatives.HardPoolSize = n;
        if (parsed.GetValue(_negativesWarmup) is { } warmup) negatives.WarmupEpochs = warmup;
        return negatives;
    }

    private static NegativeOptions MoCHi(int queueSize, int? hardPool, int? s, int? s1)
    {
        // Without overrides this is NegativesMethod.MoCHi.Options(queueSize): N = HardPoolFor(K), s = N, s' = N/4.
        int n = hardPool ?? NegativeOptions.HardPoolFor(queueSize);
        return NegativeOptions.MoCHi(n, s ?? n, s1 ?? Math.Max(1, n / 4));
    }

    /// <summary>Writes history.csv: one row per epoch (1-based), then mean cosine and softmax share per negative group.</summary>
    internal static void WriteHistory(string path, IReadOnlyList<EpochSummary> history)
    {
        var groups = history.SelectMany(e => e.Hardness.Select(h => h.Group)).Distinct().ToList();
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            string.Join(",", new[] { "epoch", "loss", "lr", "images_per_s", "seconds", "synthetic_negatives" }
                .Concat(groups.SelectMany(g => new[] { $"{g}_cosine", $"{g}_share" }))),
        };
        foreach (var e in history)
        {
            var cells = new List<string>
            {
                (e.Epoch + 1).ToString(inv), e.Loss.ToString("R", inv), e.LearningRate.ToString("R", inv),
                e.ImagesPerSecond.ToString("F1", inv), e.Seconds.ToString("F2", inv), e.SyntheticNegatives ? "true" : "false",
            };
            foreach (string g in groups)
            {
                var h = e.Hardness.FirstOrDefault(x => x.Group == g);
                cells.Add(h is null ? "" : h.MeanCosine.ToString("R", inv));
                cells.Add(h is null ? "" : h.SoftmaxShare.ToString("R", inv));
            }
            lines.Add(string.Join(",", cells));
        }
        File.WriteAllLines(path, lines);
    }
}
