using System.Globalization;
using SynCo.ML.Model;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Model;

/// <summary>
/// The encoder's state dict loads, strict, into MoCo v2's PyTorch encoder (torchvision resnet18 whose fc is
/// Sequential(Linear, ReLU, Linear)), and gives the same projection.
/// </summary>
public class PyTorchMoCoInteropTests
{
    private readonly ITestOutputHelper _output;

    public PyTorchMoCoInteropTests(ITestOutputHelper output) => _output = output;

    private const string Script = @"
import sys, torch, torchvision
sd = torch.load(sys.argv[1])
m = torchvision.models.resnet18(num_classes=int(sys.argv[2]))
dim_mlp = m.fc.weight.shape[1]
m.fc = torch.nn.Sequential(torch.nn.Linear(dim_mlp, dim_mlp), torch.nn.ReLU(), m.fc)
print(m.load_state_dict(sd, strict=True))
m.eval()
x = torch.linspace(-2, 2, 2 * 3 * 32 * 32).reshape(2, 3, 32, 32)
with torch.no_grad():
    y = m(x)
print('OUT ' + ' '.join(repr(v) for v in y.flatten().tolist()))
";

    [Fact]
    public void EncoderStateDictLoadsStrictIntoMoCoStylePyTorchEncoder()
    {
        SystemPython.Require("torch", "torchvision");

        string dir = Path.Combine(Path.GetTempPath(), "synco-moco-interop-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            using var scope = torch.NewDisposeScope();
            torch.manual_seed(21);
            const int Embedding = 16;
            using var encoder = new ContrastiveEncoder(new BackboneOptions { SmallStem = false }, 32, 32, embeddingDim: Embedding);
            using (torch.no_grad())
            {
                foreach (var (_, m) in encoder.named_modules())
                {
                    if (m is not TorchSharp.Modules.BatchNorm bn) continue;
                    bn.running_mean!.copy_(torch.randn_like(bn.running_mean!) * 0.2);
                    bn.running_var!.copy_(torch.rand_like(bn.running_var!) + 0.5);
                }
            }
            encoder.eval();
            string weights = Path.Combine(dir, "encoder.pt");
            encoder.save_py(weights);
            string script = Path.Combine(dir, "check.py");
            File.WriteAllText(script, Script);

            var r = SystemPython.Run($"\"{script}\" \"{weights}\" {Embedding}");
            Assert.True(r.ExitCode == 0, $"PyTorch failed: {r.StdErr}");
            Assert.Contains("All keys matched", r.StdOut);
            float[] theirs = r.StdOut.Split('\n').Single(l => l.StartsWith("OUT ")).Substring(4)
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();

            Tensor x = torch.linspace(-2, 2, 2 * 3 * 32 * 32).reshape(2, 3, 32, 32);
            float[] ours;
            using (torch.no_grad()) ours = encoder.call(x).data<float>().ToArray();
            Assert.Equal(ours.Length, theirs.Length);
            double maxAbs = ours.Zip(theirs, (a, b) => Math.Abs((double)a - b)).Max();
            _output.WriteLine($"PyTorch {r.StdOut.Split('\n')[0].Trim()}; max |PyTorch - ours| = {maxAbs:E2}");
            Assert.True(maxAbs < 1e-4, $"max abs difference {maxAbs}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
