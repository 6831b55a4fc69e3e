using Microsoft.ML.OnnxRuntime;
using SynCo.ML.Data;
using SynCo.ML.Featurization;
using SynCo.ML.Model;
using SynCo.ML.Onnx;
using SynCo.ML.Tests.Onnx;
using TorchSharp;
using Xunit.Abstractions;

namespace SynCo.ML.Tests.Featurization;

/// <summary>
/// What the featurizer does with the CPU natives (default) and with the ONNX Runtime GPU build
/// (<c>dotnet test tests/SynCo.ML.Tests -p:SynCoOnnxRuntimeGpu=true --filter "Category=OnnxRuntimeGpuSwitch"</c>) on a
/// machine without a GPU: the CUDA provider is compiled in and requested, and the featurizer falls back to the CPU with
/// a message, giving the CPU results.
/// </summary>
[Trait("Category", "OnnxRuntimeGpuSwitch")]
public class OnnxRuntimeGpuSwitchTests
{
    private readonly ITestOutputHelper _output;

    public OnnxRuntimeGpuSwitchTests(ITestOutputHelper output) => _output = output;

    private static (byte[] Model, InMemoryImageDataset Images) SmallModel()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var backbone = new ResNet(new BackboneOptions { WidthMultiplier = 0.125 }, 16, 16);
        OnnxTestSupport.PerturbBatchNorm(backbone);
        byte[] model = BackboneOnnxExporter.ExportToBytes(backbone, null, OnnxExportSpec.ForBackbone(backbone));
        var rng = new Random(3);
        var pixels = new byte[10 * 3 * 16 * 16];
        rng.NextBytes(pixels);
        return (model, InMemoryImageDataset.Wrap(pixels, 3, 16, 16));
    }

    [Fact]
    public void AutoDeviceUsesCudaOnlyWhenUsableElseCpuWithTheReasonAndTheSameResults()
    {
        var providers = OrtEnv.Instance().GetAvailableProviders();
        _output.WriteLine("ONNX Runtime providers: " + string.Join(", ", providers));
        var (model, images) = SmallModel();
        using var cpu = new OnnxFeaturizer(model, new OnnxFeaturizerOptions { Device = "cpu" });
        using var auto = new OnnxFeaturizer(model, new OnnxFeaturizerOptions { Device = "auto", BatchSize = 4 });
        _output.WriteLine($"auto: {auto.ExecutionProvider}: {auto.DeviceReason}");
#if SYNCO_ORT_GPU
        Assert.Contains("CUDAExecutionProvider", providers);
        if (auto.ExecutionProvider == "CUDAExecutionProvider")
        {
            _output.WriteLine("A usable GPU is present: the fallback part of this test does not apply.");
        }
        else
        {
            Assert.Equal("CPUExecutionProvider", auto.ExecutionProvider);
            Assert.StartsWith("CUDA execution provider unavailable: ", auto.DeviceReason); // it was requested and failed
            Assert.EndsWith("featurizing on the CPU. Build with -p:SynCoOnnxRuntimeGpu=true and install CUDA 13/cuDNN 9 to use a GPU", auto.DeviceReason);
            // An explicit "cuda" in the GPU build also falls back: the same binaries run on GPU-less machines.
            using var cuda = new OnnxFeaturizer(model, new OnnxFeaturizerOptions { Device = "cuda" });
            Assert.Equal("CPUExecutionProvider", cuda.ExecutionProvider);
            Assert.StartsWith("CUDA execution provider unavailable: ", cuda.DeviceReason);
        }
#else
        Assert.DoesNotContain("CUDAExecutionProvider", providers);
        Assert.Equal("CPUExecutionProvider", auto.ExecutionProvider);
        Assert.Contains("CUDA execution provider unavailable: this ONNX Runtime build has no CUDAExecutionProvider", auto.DeviceReason);
        Assert.Contains("-p:SynCoOnnxRuntimeGpu=true", auto.DeviceReason);
        var e = Assert.Throws<ArgumentException>(() => new OnnxFeaturizer(model, new OnnxFeaturizerOptions { Device = "cuda:0" }));
        Assert.Contains("-p:SynCoOnnxRuntimeGpu=true", e.Message);
        Assert.Contains("Device = \"auto\" or \"cpu\"", e.Message);
#endif
        var expected = cpu.Featurize(images);
        var actual = auto.Featurize(images);
        Assert.Equal(10, actual.Length);
        Assert.True(OnnxTestSupport.MaxAbsDiff(expected.SelectMany(r => r).ToArray(), actual.SelectMany(r => r).ToArray()) < 1e-4);
    }
}
