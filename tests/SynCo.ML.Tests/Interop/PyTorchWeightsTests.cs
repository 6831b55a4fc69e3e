using Microsoft.ML.OnnxRuntime;
using SynCo.ML.Data;
using SynCo.ML.Featurization;
using SynCo.ML.Interop;
using SynCo.ML.Model;
using SynCo.ML.Onnx;
using SynCo.ML.Tests.Data;
using SynCo.ML.Tests.MLNet;
using SynCo.ML.Tests.Onnx;
using SynCo.ML.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Interop;

public class PyTorchWeightsTests
{
    private readonly ITestOutputHelper _output;

    public PyTorchWeightsTests(ITestOutputHelper output) => _output = output;

    private static ResNet Backbone(int seed, double width = 0.125, int channels = 3, bool? smallStem = null,
        ResNetArchitecture architecture = ResNetArchitecture.ResNet18)
    {
        torch.manual_seed(seed);
        var backbone = new ResNet(new BackboneOptions { Architecture = architecture, WidthMultiplier = width, InputChannels = channels, SmallStem = smallStem }, 16, 16);
        OnnxTestSupport.PerturbBatchNorm(backbone);
        backbone.eval();
        return backbone;
    }

    private static double MaxParameterDiff(ResNet a, ResNet b)
    {
        using var scope = torch.NewDisposeScope();
        var bp = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        return a.named_parameters().Max(p => (p.parameter - bp[p.name]).abs().max().item<float>());
    }

    private static float[] Forward(ResNet backbone, Tensor x)
    {
        using var noGrad = torch.no_grad();
        return backbone.call(x).data<float>().ToArray();
    }

    [Theory]
    [InlineData("backbone.pt")]
    [InlineData("backbone.safetensors")]
    public void SaveThenLoadIntoAFreshBackboneGivesAnIdenticalForward(string name)
    {
        using var dir = new TempFolder();
        using var scope = torch.NewDisposeScope();
        using var source = Backbone(1);
        using var fresh = Backbone(2);
        var x = torch.randn(3, 3, 16, 16);
        Assert.NotEqual(Forward(source, x), Forward(fresh, x));
        PyTorchWeights.SaveBackbone(source, dir.File(name));
        PyTorchWeights.LoadBackbone(fresh, dir.File(name));
        Assert.Equal(Forward(source, x), Forward(fresh, x));
        foreach (var (key, t) in source.state_dict()) Assert.True(t.allclose(fresh.state_dict()[key], rtol: 0, atol: 0), key);
    }

    [Fact]
    public void MoCoCheckpointPrefixesAreStrippedAndTheHeadAndKeyEncoderIgnored()
    {
        using var dir = new TempFolder();
        using var scope = torch.NewDisposeScope();
        using var encoder = new ContrastiveEncoder(new BackboneOptions { WidthMultiplier = 0.125 }, 16, 16, embeddingDim: 8);
        OnnxTestSupport.PerturbBatchNorm(encoder);
        encoder.eval();
        // As MoCo's main_moco.py saves it: {'state_dict': {'module.encoder_q.*', 'module.encoder_k.*', 'module.queue', ...}}.
        var stateDict = new Dictionary<string, Tensor>();
        foreach (var (k, t) in encoder.state_dict())
        {
            stateDict["module.encoder_q." + k] = t;
            stateDict["module.encoder_k." + k] = torch.zeros_like(t);
        }
        stateDict["module.queue"] = torch.randn(8, 32);
        string path = dir.File("checkpoint_0199.pth.tar.pt");
        PyTorchPickler.PickleStateDict(path, new Dictionary<string, object> { ["state_dict"] = stateDict, ["epoch"] = 200 });

        using var backbone = Backbone(9);
        PyTorchWeights.LoadBackbone(backbone, path);
        var x = torch.randn(2, 3, 16, 16);
        using (torch.no_grad())
            Assert.Equal(encoder.Features(x).data<float>().ToArray(), Forward(backbone, x));
    }

    [Fact]
    public void MismatchListsMissingUnexpectedKeysAndShapes()
    {
        using var dir = new TempFolder();
        using var scope = torch.NewDisposeScope();
        using var small = Backbone(1, smallStem: true);
        string path = dir.File("small.pt");
        PyTorchWeights.SaveBackbone(small, path);

        using var standard = Backbone(1, smallStem: false); // 7×7 stem: conv1 shape differs
        var e = Assert.Throws<StateDictMismatchException>(() => PyTorchWeights.LoadBackbone(standard, path));
        Assert.Contains("conv1.weight: file [8, 3, 3, 3] vs backbone [8, 3, 7, 7]", e.Message);
        Assert.Single(e.ShapeMismatches);

        using var resnet34 = new ResNet(new BackboneOptions { Architecture = ResNetArchitecture.ResNet34, WidthMultiplier = 0.125 }, 16, 16);
        e = Assert.Throws<StateDictMismatchException>(() => PyTorchWeights.LoadBackbone(resnet34, path));
        Assert.Contains("layer1.2.conv1.weight", e.MissingKeys);
        Assert.Contains("Missing keys (", e.Message);
        Assert.Contains("layer1.2.conv1.weight", e.Message);

        var extra = small.state_dict().ToDictionary(p => p.Key, p => p.Value);
        extra["layer9.0.conv1.weight"] = torch.zeros(1);
        PyTorchPickler.PickleStateDict(dir.File("extra.pt"), extra);
        e = Assert.Throws<StateDictMismatchException>(() => PyTorchWeights.LoadBackbone(small, dir.File("extra.pt")));
        Assert.Equal(new[] { "layer9.0.conv1.weight" }, e.UnexpectedKeys);
        Assert.Contains("Unexpected keys (1): layer9.0.conv1.weight", e.Message);

        Assert.Contains("\".safetensors\"", Assert.Throws<ArgumentException>(() => PyTorchWeights.SaveBackbone(small, dir.File("x.onnx"))).Message);
    }

    private const string TorchVisionScript = @"
import sys, numpy as np, torch, torchvision
from torchvision.models.resnet import ResNet, BasicBlock
sd = torch.load(sys.argv[1])
m = ResNet(BasicBlock, [int(n) for n in sys.argv[4].split(',')])  # [2, 2, 2, 2] is torchvision.models.resnet18()
m.conv1 = torch.nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)  # small stem
m.maxpool = torch.nn.Identity()
m.fc = torch.nn.Identity()  # our files carry no fc.*: strict=True then checks every backbone key
print(m.load_state_dict(sd, strict=True))
m.eval()
raw = np.load(sys.argv[2]).reshape(-1, 3, 16, 16)
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1); std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
with torch.no_grad():
    y = m((torch.from_numpy(raw) / 255.0 - mean) / std)
np.save(sys.argv[3], y.numpy().astype(np.float32))
";

    [Theory]
    [InlineData(ResNetArchitecture.ResNet18)]
    [InlineData(ResNetArchitecture.ResNet10)]
    public void TorchvisionResNetLoadsOurPtStrictAndMatchesOurOnnxOutput(ResNetArchitecture architecture)
    {
        SystemPython.Require("numpy", "torch", "torchvision");
        using var dir = new TempFolder();
        using var scope = torch.NewDisposeScope();
        using var backbone = Backbone(4, width: 1.0, smallStem: true, architecture: architecture);
        string weights = dir.File($"{architecture}.pt");
        PyTorchWeights.SaveBackbone(backbone, weights);

        var spec = OnnxExportSpec.ForBackbone(backbone).WithImageNetNormalization();
        var rng = new Random(4);
        var pixels = new byte[4 * 3 * 16 * 16];
        rng.NextBytes(pixels);
        using var featurizer = new OnnxFeaturizer(BackboneOnnxExporter.ExportToBytes(backbone, null, spec), new OnnxFeaturizerOptions { Device = "cpu" });
        float[][] onnx = featurizer.Featurize(InMemoryImageDataset.Wrap(pixels, 3, 16, 16));

        string input = dir.File("pixels.npy"), output = dir.File("torchvision.npy");
        FeatureFiles.WriteNpy(input, Enumerable.Range(0, 4).Select(i => pixels.AsSpan(i * 768, 768).ToArray().Select(b => (float)b).ToArray()).ToArray());
        var r = SystemPython.RunScript(TorchVisionScript, dir.Path, weights, input, output, string.Join(",", backbone.Options.BlocksPerStage));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("All keys matched", r.StdOut);
        float[][] torchvision = FeatureFiles.ReadNpy(output);
        double diff = OnnxTestSupport.MaxAbsDiff(onnx.SelectMany(v => v).ToArray(), torchvision.SelectMany(v => v).ToArray());
        _output.WriteLine($"torchvision: {r.StdOut.Trim()}; 4 x {onnx[0].Length} features; max |torchvision - our ONNX| = {diff:E2}");
        Assert.True(diff < 1e-4, $"max abs difference {diff}");
    }

    [Fact]
    public void PretrainingStartsFromInitialBackboneWeightsAndFittedModelsExportThem()
    {
        using var dir = new TempFolder();
        using var scope = torch.NewDisposeScope();
        var ml = new Microsoft.ML.MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TinyImages.Stripes(32, seed: 1));

        // Fit once and export the trained backbone; it reloads into a fresh ResNet with the same forward.
        var options = TinyImages.Options(epochs: 1);
        using var first = ml.Transforms.SynCoPretrain(options).Fit(data);
        string exported = dir.File("trained.safetensors");
        first.ExportPyTorch(exported);
        using var trained = first.CreateBackbone();
        using var reloaded = new ResNet(trained.Options, 16, 16);
        PyTorchWeights.LoadBackbone(reloaded, exported);
        reloaded.eval();
        var x = torch.randn(2, 1, 16, 16);
        Assert.Equal(Forward(trained, x), Forward(reloaded, x));

        // A second run at a negligible learning rate: its weights stay where they started, which must be the file's.
        var log = new List<string>();
        var second = TinyImages.Options(epochs: 1);
        second.InitialBackboneWeights = exported;
        second.Optimizer.LearningRate = 1e-9;
        second.Run.Log = log.Add;
        using var continued = ml.Transforms.SynCoPretrain(second).Fit(data);
        Assert.Contains(log, m => m.Contains("query backbone initialised from " + exported));
        var uninitialised = TinyImages.Options(epochs: 1);
        uninitialised.Optimizer.LearningRate = 1e-9;
        using var plain = ml.Transforms.SynCoPretrain(uninitialised).Fit(data);
        using var after = continued.CreateBackbone();
        using var plainBackbone = plain.CreateBackbone();
        double fromInit = MaxParameterDiff(after, trained), fromFresh = MaxParameterDiff(plainBackbone, trained);
        _output.WriteLine($"max |parameter - trained|: initialised run {fromInit:E2}, uninitialised run {fromFresh:E2}");
        Assert.True(fromInit < 1e-5, $"initialised run moved {fromInit} away from the file's weights");
        Assert.True(fromFresh > 1e-3, $"an uninitialised run should differ from the trained weights ({fromFresh})");

        second.InitialBackboneWeights = dir.File("missing.pt");
        Assert.Contains("InitialBackboneWeights", Assert.Throws<FileNotFoundException>(() => new Pretrainer(second)).Message);
    }
}
