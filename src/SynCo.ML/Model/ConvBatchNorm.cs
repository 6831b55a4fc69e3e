using TorchSharp.Modules;

namespace SynCo.ML.Model;

/// <summary>
/// A bias-free convolution followed by its batch norm: the unit the ONNX exporter folds into one Conv node.
/// Part of the read-only structural view of a <see cref="ResNet"/>; the modules themselves are the live ones.
/// </summary>
public sealed class ConvBatchNorm
{
    internal ConvBatchNorm(string convPath, Conv2d conv, string normPath, BatchNorm norm)
    {
        ConvPath = convPath;
        Conv = conv;
        NormPath = normPath;
        Norm = norm;
    }

    /// <summary>State-dict prefix of the convolution, e.g. <c>layer2.0.downsample.0</c>.</summary>
    public string ConvPath { get; }

    /// <summary>The convolution (no bias; torchvision's kernel size, stride and padding).</summary>
    public Conv2d Conv { get; }

    /// <summary>State-dict prefix of the batch norm, e.g. <c>layer2.0.downsample.1</c>.</summary>
    public string NormPath { get; }

    /// <summary>The batch norm after the convolution (<see cref="BatchNorm2d"/> or <see cref="SplitBatchNorm2d"/>).</summary>
    public BatchNorm Norm { get; }
}
