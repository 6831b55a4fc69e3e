// SynCo.ML sample: self-supervised pretraining on unlabelled Fashion-MNIST, then a classifier on the embeddings.
//   dotnet run --project samples/FashionMnist                  # SynCo beside raw pixels and random init, at 1/10/100 % labels (22 min on the slowest 2-core CPU seen)
//   dotnet run --project samples/FashionMnist -- --compare     # raw pixels, random init, MoCo v2, MoCHi, SynCo
using System.CommandLine;
using Spectre.Console;
using SynCo.Hosting;
using SynCo.ML.Data;
using SynCo.ML.Model;
using SynCo.ML.Samples.FashionMnist;

var defaults = new SampleSettings();
var data = new Option<string?>("--data") { Description = $"Folder with the Fashion-MNIST IDX files, gzipped or not (default: {FashionMnistFiles.DefaultFolder}, Debian's dataset-fashion-mnist)." };
var output = new Option<string>("--out") { Description = "Folder for results.md/.csv, PNG plots, model.zip and backbone.onnx.", DefaultValueFactory = _ => defaults.OutputFolder };
var compare = new Option<bool>("--compare") { Description = "Compare raw pixels, a random-initialised backbone, MoCo v2, MoCHi and SynCo at the same seed and budget (default: raw pixels, random init and SynCo)." };
var methods = new Option<Method[]>("--methods") { Description = "Methods to run (overrides --compare): RawPixels RandomInit MoCoV2 MoCHi SynCo.", AllowMultipleArgumentsPerToken = true };
var seeds = new Option<int[]>("--seeds") { Description = "Seeds; with several the table shows mean ± spread.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => defaults.Seeds.ToArray() };
var images = new Option<int>("--pretrain-images") { Description = "Unlabelled training images used for pretraining (1–60000).", DefaultValueFactory = _ => defaults.PretrainImages };
var epochs = new Option<int>("--epochs") { Description = "Pretraining epochs.", DefaultValueFactory = _ => defaults.Epochs };
var warmup = new Option<int>("--warmup") { Description = "Epochs of plain MoCo before synthetic negatives start.", DefaultValueFactory = _ => defaults.WarmupEpochs };
var batch = new Option<int>("--batch") { Description = "Images per step.", DefaultValueFactory = _ => defaults.BatchSize };
var arch = new Option<ResNetArchitecture>("--arch") { Description = "Backbone: ResNet10 (one block per stage, about twice ResNet-18's images per second on a CPU), ResNet18, ResNet34 or ResNet50.", DefaultValueFactory = _ => defaults.Architecture };
var width = new Option<double>("--width") { Description = "Backbone width multiplier (CPU: 0.25, 0.5, 0.75, 1, ...).", DefaultValueFactory = _ => defaults.Width };
var smallStem = new Option<bool>("--small-stem") { Description = "true: small 3×3 stem (stage 1 at 28×28); false: the ImageNet stem (stage 1 at 7×7).", DefaultValueFactory = _ => defaults.SmallStem };
var queue = new Option<int>("--queue") { Description = "Queue length K.", DefaultValueFactory = _ => defaults.QueueSize };
var lr = new Option<double>("--lr") { Description = "Base learning rate per 256 images.", DefaultValueFactory = _ => defaults.LearningRate };
var minScale = new Option<double>("--min-scale") { Description = "Smallest area fraction of the random resized crop, in (0, 1].", DefaultValueFactory = _ => defaults.MinCropScale };
var temperature = new Option<double?>("--temperature") { Description = "InfoNCE temperature T (default: the small-images recipe's 0.1)." };
var bnSplits = new Option<int?>("--bn-splits") { Description = "Split batch-norm groups; --batch must be a multiple (default: the small-images recipe's 8)." };
var momentum = new Option<double?>("--momentum") { Description = "Key-encoder momentum m in [0, 1) (default: the small-images recipe's 0.99)." };
var lrWarmup = new Option<int>("--lr-warmup") { Description = "Epochs of linear learning-rate warm-up before the cosine schedule." };
var headHidden = new Option<int?>("--head-hidden") { Description = "Hidden width of the projection head (default: the backbone's feature width)." };
var embedding = new Option<int?>("--embedding-dim") { Description = "Contrastive embedding size (default 128)." };
var smallCrops = new Option<int>("--small-crops") { Description = "Multi-crop: small extra query crops per image (0: off)." };
var smallCropSize = new Option<int?>("--small-crop-size") { Description = "Side of a small crop in pixels (default: 96/224 of the 28 px view, rounded: 12)." };
var smallCropScale = new Option<double[]>("--small-crop-scale") { Description = "Area range of a small crop: two fractions in (0, 1] (default: SwAV's 0.05 0.14).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => defaults.SmallCropScale.ToArray() };
var symmetric = new Option<bool>("--symmetric") { Description = "Symmetric loss (both views as query; about twice the cost per step)." };
var featureGrid = new Option<int?>("--feature-grid") { Description = "Features of the learned and random backbones: averages over a g×g grid of the 4×4 feature map (1: global average pooling, 128 values; default 4, the whole map: 2,048 values; 1 with --small-stem false)." };
var probe = new Option<int>("--probe-images") { Description = "Labelled training images for the linear probe and kNN bank (1–60000).", DefaultValueFactory = _ => defaults.ProbeImages };
var fractions = new Option<double[]>("--fractions") { Description = "Label fractions the probes train on, in (0, 1] (class-balanced draws).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => defaults.LabelFractions.ToArray() };
var drawSeeds = new Option<int[]>("--draw-seeds") { Description = "Seeds of the class-balanced label draws (one draw each per fraction below 1).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => defaults.DrawSeeds.ToArray() };
var eachDraw = new Option<bool>("--cross-validate-each-draw") { Description = "Cross-validate the linear probe's L2 weight on every label draw (default: on each fraction's first draw, reused for its other draws)." };
var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => defaults.Device };
var checkpoint = new Option<string?>("--checkpoint") { Description = "Folder for per-method checkpoints and finished results; re-running the same command resumes a stopped run after its last finished epoch and reuses finished methods' results." };
var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };

var root = new RootCommand("Pretrain on unlabelled Fashion-MNIST with SynCo.ML, featurize through ONNX, classify with ML.NET.")
{
    data, output, compare, methods, seeds, images, epochs, warmup, batch, arch, width, smallStem, queue, lr, minScale, temperature, bnSplits, momentum, lrWarmup, headHidden, embedding, smallCrops, smallCropSize, smallCropScale, symmetric, featureGrid, probe, fractions, drawSeeds, eachDraw, device, checkpoint, threads,
};
root.SetAction((parsed, cancellationToken) =>
{
    var chosen = parsed.GetValue(methods) is { Length: > 0 } m ? m
        : parsed.GetValue(compare) ? Enum.GetValues<Method>() : defaults.Methods.ToArray();
    var settings = new SampleSettings
    {
        DataFolder = parsed.GetValue(data), OutputFolder = parsed.GetValue(output)!, Methods = chosen, Seeds = parsed.GetValue(seeds)!,
        PretrainImages = parsed.GetValue(images), Epochs = parsed.GetValue(epochs), WarmupEpochs = parsed.GetValue(warmup),
        BatchSize = parsed.GetValue(batch), Architecture = parsed.GetValue(arch), Width = parsed.GetValue(width), SmallStem = parsed.GetValue(smallStem), QueueSize = parsed.GetValue(queue),
        LearningRate = parsed.GetValue(lr), MinCropScale = parsed.GetValue(minScale), Temperature = parsed.GetValue(temperature),
        BatchNormSplits = parsed.GetValue(bnSplits), KeyMomentum = parsed.GetValue(momentum), LearningRateWarmupEpochs = parsed.GetValue(lrWarmup),
        HeadHiddenDim = parsed.GetValue(headHidden), EmbeddingDim = parsed.GetValue(embedding), Symmetric = parsed.GetValue(symmetric),
        SmallCrops = parsed.GetValue(smallCrops), SmallCropSize = parsed.GetValue(smallCropSize), SmallCropScale = parsed.GetValue(smallCropScale)!,
        FeatureGrid = parsed.GetValue(featureGrid),
        ProbeImages = parsed.GetValue(probe), LabelFractions = parsed.GetValue(fractions)!, DrawSeeds = parsed.GetValue(drawSeeds)!, CrossValidateEachDraw = parsed.GetValue(eachDraw), Device = parsed.GetValue(device)!, CheckpointFolder = parsed.GetValue(checkpoint), Threads = parsed.GetValue(threads),
    };
    return Task.FromResult(SampleRun.Execute(settings, new Terminal(Console.Out, Console.Error), cancellationToken));
});
return await root.Parse(args).InvokeAsync();
