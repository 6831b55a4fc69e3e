using SynCo.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Onnx;

/// <summary>
/// Folds an eval-mode batch norm into the convolution before it:
/// <c>s = γ / √(running_var + ε)</c>, <c>W' = W · s</c> (per output channel), <c>b' = (b − running_mean) · s + β</c>.
/// Computed in float64 and rounded once to float32.
/// </summary>
internal static class BatchNormFolding
{
    public static (float[] Weight, long[] WeightShape, float[] Bias) Fold(ConvBatchNorm unit)
    {
        var conv = unit.Conv;
        var bn = unit.Norm;
        if (bn.running_mean is null || bn.running_var is null)
            throw new InvalidOperationException($"{unit.NormPath} tracks no running statistics, so it cannot be folded into {unit.ConvPath}.");

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor w = conv.weight.detach().cpu().to(float64);
        long outChannels = w.shape[0];
        Tensor mean = bn.running_mean.detach().cpu().to(float64);
        Tensor var = bn.running_var.detach().cpu().to(float64);
        Tensor gamma = bn.affine ? bn.weight.detach().cpu().to(float64) : torch.ones(outChannels, float64);
        Tensor beta = bn.affine && bn.bias is not null ? bn.bias.detach().cpu().to(float64) : torch.zeros(outChannels, float64);
        Tensor b = conv.bias is null ? torch.zeros(outChannels, float64) : conv.bias.detach().cpu().to(float64);

        Tensor s = gamma / (var + bn.eps).sqrt();
        Tensor foldedW = w * s.view(-1, 1, 1, 1);
        Tensor foldedB = (b - mean) * s + beta;
        return (ToFloats(foldedW), w.shape, ToFloats(foldedB));
    }

    public static float[] ToFloats(Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        return t.detach().cpu().to(float32).contiguous().data<float>().ToArray();
    }
}
