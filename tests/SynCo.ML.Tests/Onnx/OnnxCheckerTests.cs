using SynCo.ML.Model;
using SynCo.ML.Onnx;
using TorchSharp;
using Xunit.Abstractions;

namespace SynCo.ML.Tests.Onnx;

/// <summary>The official ONNX checker (Python <c>onnx</c> package, full check with shape inference) accepts our files.</summary>
public class OnnxCheckerTests
{
    private const string Python = SystemPython.Path;
    private readonly ITestOutputHelper _output;

    public OnnxCheckerTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void PythonOnnxCheckerAcceptsExportedModelWithFullCheck()
    {
        SystemPython.Require("onnx");
        var probe = SystemPython.Run("-c \"import onnx; print(onnx.__version__)\"");
        Assert.True(probe.ExitCode == 0, probe.StdErr);
        _output.WriteLine($"onnx {probe.StdOut.Trim()} found at {Python}.");

        string dir = Path.Combine(Path.GetTempPath(), "synco-onnx-check-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            using var scope = torch.NewDisposeScope();
            var files = new List<string>();
            using (var encoder = new ContrastiveEncoder(new BackboneOptions
                   { Architecture = ResNetArchitecture.ResNet50, WidthMultiplier = 0.0625, SmallStem = false }, 24, 32, 16, 8))
            {
                var spec = new OnnxExportSpec(3, 24, 32) { Output = OnnxOutputKind.Projection, L2Normalize = true }.WithImageNetNormalization();
                files.Add(Write(dir, "resnet50_projection_l2.onnx", BackboneOnnxExporter.ExportToBytes(encoder, spec)));
            }
            using (var backbone = new ResNet(new BackboneOptions { WidthMultiplier = 0.0625, InputChannels = 1 }, 16, 16))
            {
                files.Add(Write(dir, "resnet18_features_small_stem.onnx",
                    BackboneOnnxExporter.ExportToBytes(backbone, null, OnnxExportSpec.ForBackbone(backbone))));
                var grid = OnnxExportSpec.ForBackbone(backbone);
                grid.FeatureGrid = 2;
                files.Add(Write(dir, "resnet18_features_grid2.onnx", BackboneOnnxExporter.ExportToBytes(backbone, null, grid)));
            }

            foreach (string file in files)
            {
                var r = SystemPython.Run(
                    "-c \"import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print('checker ok')\" " +
                    $"\"{file}\"");
                _output.WriteLine($"{Path.GetFileName(file)}: exit {r.ExitCode} {r.StdOut.Trim()} {r.StdErr.Trim()}");
                Assert.True(r.ExitCode == 0, $"onnx.checker rejected {Path.GetFileName(file)}: {r.StdErr}");
                Assert.Contains("checker ok", r.StdOut);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Write(string dir, string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
