using Microsoft.ML.OnnxRuntime;
using SynCo.ML.Model;
using SynCo.ML.Onnx;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SynCo.ML.Tests.Onnx;

/// <summary>Shared helpers: non-trivial batch-norm state, the TorchSharp reference and an ONNX Runtime run.</summary>
internal static class OnnxTestSupport
{
    /// <summary>Gives every batch norm non-trivial running statistics and affine parameters, so folding is really exercised.</summary>
    public static void PerturbBatchNorm(nn.Module module)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            if (m is not TorchSharp.Modules.BatchNorm bn) continue;
            bn.running_mean!.copy_(torch.randn_like(bn.running_mean!) * 0.3);
            bn.running_var!.copy_(torch.rand_like(bn.running_var!) * 1.5 + 0.25);
            bn.weight.copy_(torch.rand_like(bn.weight) * 0.8 + 0.4);
            bn.bias!.copy_(torch.randn_like(bn.bias!) * 0.2);
        }
    }

    /// <summary>Raw 0–255 integer-valued pixels, as ExtractPixels gives them.</summary>
    public static Tensor RawPixels(long n, long c, long h, long w) => torch.randint(0, 256, new[] { n, c, h, w }).to(float32);

    /// <summary>The TorchSharp eval-mode result for the same raw pixels and spec.</summary>
    public static float[] Reference(ResNet backbone, ProjectionHead? head, OnnxExportSpec spec, Tensor raw)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        bool backboneTraining = backbone.training;
        backbone.eval();
        head?.eval();
        long c = spec.Channels;
        Tensor mean = torch.tensor(spec.Mean.ToArray()).view(1, c, 1, 1);
        Tensor std = torch.tensor(spec.Std.ToArray()).view(1, c, 1, 1);
        Tensor x = (raw * spec.PixelScale - mean) / std;
        Tensor y = spec.FeatureGrid == 1 ? backbone.call(x) : backbone.GridFeatures(x, spec.FeatureGrid);
        if (spec.Output == OnnxOutputKind.Projection) y = head!.call(y);
        if (spec.L2Normalize) y = nn.functional.normalize(y, p: 2, dim: 1);
        backbone.train(backboneTraining);
        return y.contiguous().data<float>().ToArray();
    }

    /// <summary>Runs the ONNX model in ONNX Runtime (CPU) and returns the output and its shape.</summary>
    public static (float[] Values, long[] Shape) RunOrt(InferenceSession session, OnnxExportSpec spec, Tensor raw)
    {
        float[] data = raw.contiguous().data<float>().ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(data, raw.shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new[] { spec.InputName }, new[] { input }, new[] { spec.OutputName });
        OrtValue output = outputs[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    public static InferenceSession Session(byte[] model)
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        return new InferenceSession(model, options);
    }

    public static double MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }
}
