using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SynCo.ML.Augmentation;

/// <summary>
/// Per-image 3×3 colour matrices (RGB in, RGB out) for the linear colour operations: grayscale, saturation and a
/// YIQ hue rotation. Built on the CPU in float64 from (B,) factor tensors; every method returns (B, 3, 3).
/// </summary>
internal static class ColorMatrices
{
    /// <summary>ITU-R 601 luma weights, as torchvision's <c>rgb_to_grayscale</c> and PIL's <c>convert("L")</c>.</summary>
    internal static readonly double[] Luma = { 0.299, 0.587, 0.114 };

    // RGB → YIQ (NTSC). The I and Q rows sum to zero, so greys (R = G = B) have no chroma and are unchanged by a
    // rotation of the (I, Q) plane.
    private static readonly double[,] Yiq =
    {
        { 0.299, 0.587, 0.114 },
        { 0.596, -0.274, -0.322 },
        { 0.211, -0.523, 0.312 },
    };

    // Rotating (I, Q) by φ: M(φ) = Yiq⁻¹ · [[1,0,0],[0,cos φ,−sin φ],[0,sin φ,cos φ]] · Yiq = A + cos φ·Bc + sin φ·Bs.
    private static readonly (double[] A, double[] Bc, double[] Bs) HueBasis = BuildHueBasis();

    /// <summary>(3, 3) matrix whose every row is the luma weights: M·rgb replicates the grey level to R, G and B.</summary>
    public static Tensor GrayMatrix() =>
        torch.tensor(Luma, ScalarType.Float64).unsqueeze(0).expand(3, 3).contiguous();

    /// <summary>Identity matrices (B, c, c).</summary>
    public static Tensor Identity(long batch, long channels) =>
        torch.eye(channels, dtype: ScalarType.Float64).unsqueeze(0).expand(batch, channels, channels).contiguous();

    /// <summary>Scaling by a per-image factor: factor · I, (B, c, c).</summary>
    public static Tensor Scale(Tensor factor, long channels) =>
        Identity(factor.shape[0], channels).mul(factor.view(-1, 1, 1));

    /// <summary>Saturation blend s·x + (1 − s)·gray(x) as matrices, (B, 3, 3).</summary>
    public static Tensor Saturation(Tensor factor)
    {
        Tensor s = factor.view(-1, 1, 1);
        return Identity(factor.shape[0], 3).mul(s).add(GrayMatrix().unsqueeze(0).mul(s.neg().add(1)));
    }

    /// <summary>
    /// Hue rotation by <paramref name="shift"/> turns (torchvision's hue factor, in [−0.5, 0.5]) as a rotation of
    /// the chroma plane of YIQ space, (B, 3, 3). The angle is −2π·shift, which moves a positive shift in the same
    /// direction as an HSV hue increase (red towards green towards blue). Unlike the HSV shift it keeps luma fixed;
    /// colours rotated out of the RGB cube are clamped by the caller.
    /// </summary>
    public static Tensor Hue(Tensor shift)
    {
        Tensor phi = shift.mul(-2 * Math.PI).view(-1, 1, 1);
        Tensor a = torch.tensor(HueBasis.A, ScalarType.Float64).view(1, 3, 3);
        Tensor bc = torch.tensor(HueBasis.Bc, ScalarType.Float64).view(1, 3, 3);
        Tensor bs = torch.tensor(HueBasis.Bs, ScalarType.Float64).view(1, 3, 3);
        return a.add(bc.mul(phi.cos())).add(bs.mul(phi.sin()));
    }

    private static (double[] A, double[] Bc, double[] Bs) BuildHueBasis()
    {
        double[,] inv = Invert3(Yiq);
        var a = new double[9];
        var bc = new double[9];
        var bs = new double[9];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                // A = inv[:,0]·Yiq[0,:];  Bc = inv[:,1]·Yiq[1,:] + inv[:,2]·Yiq[2,:];  Bs = inv[:,2]·Yiq[1,:] − inv[:,1]·Yiq[2,:]
                a[r * 3 + c] = inv[r, 0] * Yiq[0, c];
                bc[r * 3 + c] = inv[r, 1] * Yiq[1, c] + inv[r, 2] * Yiq[2, c];
                bs[r * 3 + c] = inv[r, 2] * Yiq[1, c] - inv[r, 1] * Yiq[2, c];
            }
        }
        return (a, bc, bs);
    }

    private static double[,] Invert3(double[,] m)
    {
        double det =
            m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) -
            m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0]) +
            m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
        var inv = new double[3, 3];
        inv[0, 0] = (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) / det;
        inv[0, 1] = (m[0, 2] * m[2, 1] - m[0, 1] * m[2, 2]) / det;
        inv[0, 2] = (m[0, 1] * m[1, 2] - m[0, 2] * m[1, 1]) / det;
        inv[1, 0] = (m[1, 2] * m[2, 0] - m[1, 0] * m[2, 2]) / det;
        inv[1, 1] = (m[0, 0] * m[2, 2] - m[0, 2] * m[2, 0]) / det;
        inv[1, 2] = (m[0, 2] * m[1, 0] - m[0, 0] * m[1, 2]) / det;
        inv[2, 0] = (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]) / det;
        inv[2, 1] = (m[0, 1] * m[2, 0] - m[0, 0] * m[2, 1]) / det;
        inv[2, 2] = (m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]) / det;
        return inv;
    }
}
