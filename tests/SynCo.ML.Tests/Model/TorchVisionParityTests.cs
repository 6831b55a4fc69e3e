using SynCo.ML.Model;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using OurResNet = SynCo.ML.Model.ResNet;

namespace SynCo.ML.Tests.Model;

/// <summary>Our backbone against TorchVision 0.107.0's resnet18/34/50 at width 1 (standard stem, 3 channels, 1000 classes).</summary>
public class TorchVisionParityTests
{
    private readonly ITestOutputHelper _output;

    public TorchVisionParityTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(ResNetArchitecture.ResNet18)]
    [InlineData(ResNetArchitecture.ResNet34)]
    [InlineData(ResNetArchitecture.ResNet50)]
    public void StateDictMatchesTorchVisionKeyForKeyAndTheForwardPassAgrees(ResNetArchitecture architecture)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        using nn.Module<Tensor, Tensor> theirs = architecture switch
        {
            ResNetArchitecture.ResNet18 => torchvision.models.resnet18(num_classes: 1000),
            ResNetArchitecture.ResNet34 => torchvision.models.resnet34(num_classes: 1000),
            _ => torchvision.models.resnet50(num_classes: 1000),
        };
        var options = new BackboneOptions { Architecture = architecture, SmallStem = false };
        using var ours = new OurResNet(options, 64, 64, numClasses: 1000);

        var theirDict = theirs.state_dict();
        var ourDict = ours.state_dict();
        Assert.Equal(theirDict.Keys.ToArray(), ourDict.Keys.ToArray()); // same keys in the same order
        foreach (var (key, tensor) in theirDict)
        {
            Assert.True(tensor.shape.SequenceEqual(ourDict[key].shape),
                $"{key}: torchvision [{string.Join(",", tensor.shape)}] vs ours [{string.Join(",", ourDict[key].shape)}]");
            Assert.Equal(tensor.dtype, ourDict[key].dtype);
        }
        _output.WriteLine($"{architecture}: {ourDict.Count} state-dict entries match.");

        // Non-trivial batch-norm state so that the comparison exercises every buffer.
        using (torch.no_grad())
        {
            foreach (var (key, tensor) in theirDict)
            {
                if (key.EndsWith(".running_var")) tensor.copy_(torch.rand_like(tensor) + 0.5);
                else if (key.EndsWith(".running_mean")) tensor.copy_(torch.randn_like(tensor) * 0.1);
                else if (key.StartsWith("bn") || key.Contains(".bn") || key.Contains("downsample.1"))
                {
                    if (key.EndsWith(".weight")) tensor.copy_(torch.rand_like(tensor) + 0.5);
                    else if (key.EndsWith(".bias")) tensor.copy_(torch.randn_like(tensor) * 0.1);
                }
            }
        }
        var (missing, unexpected) = ours.load_state_dict(theirDict, strict: true);
        Assert.Empty(missing);
        Assert.Empty(unexpected);

        theirs.eval();
        ours.eval();
        using (torch.no_grad())
        {
            Tensor x = torch.randn(1, 3, 64, 64);
            Tensor expected = theirs.call(x);
            Tensor actual = ours.call(x);
            Assert.Equal(new long[] { 1, 1000 }, actual.shape);
            double maxAbs = (expected - actual).abs().max().item<float>();
            _output.WriteLine($"{architecture}: max |torchvision - ours| = {maxAbs:E2} (logit scale {expected.abs().max().item<float>():F3})");
            Assert.True(maxAbs <= 1e-5, $"max abs difference {maxAbs} exceeds 1e-5");
        }
    }
}
