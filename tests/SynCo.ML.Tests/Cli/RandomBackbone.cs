using SynCo.ML.Augmentation;
using SynCo.ML.Model;
using SynCo.ML.Onnx;
using TorchSharp;

namespace SynCo.ML.Tests.Cli;

/// <summary>A randomly initialised ResNet-18 (width 0.25) exported to ONNX with SynCo.ML's metadata: a real backbone in milliseconds, no training.</summary>
internal static class RandomBackbone
{
    public static void Write(string path, int size = 16, int seed = 1, int channels = 3)
    {
        using var encoder = new ContrastiveEncoder(new BackboneOptions { WidthMultiplier = 0.25, InputChannels = channels }, size, size);
        using (var g = new torch.Generator((ulong)seed)) WeightInitializer.Apply(encoder, g);
        encoder.eval();
        var normalise = AugmentationOptions.SmallImages(size, size, channels);
        var spec = new OnnxExportSpec(channels, size, size) { Mean = normalise.Normalization!.Mean, Std = normalise.Normalization.Std };
        File.WriteAllBytes(path, BackboneOnnxExporter.ExportToBytes(encoder, spec));
    }
}
