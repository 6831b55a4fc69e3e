using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Augmentation;

/// <summary>Small synthetic uint8 image batches for the augmentation tests.</summary>
internal static class TestImages
{
    /// <summary>Uniform random pixels (B, C, H, W).</summary>
    public static Tensor Random(long batch, long channels, long height, long width, int seed = 1)
    {
        var rng = new Random(seed);
        var bytes = new byte[batch * channels * height * width];
        rng.NextBytes(bytes);
        return torch.tensor(bytes, new[] { batch, channels, height, width });
    }

    /// <summary>Every pixel of every image equal to <paramref name="value"/>.</summary>
    public static Tensor Constant(long batch, long channels, long height, long width, byte value) =>
        torch.full(new[] { batch, channels, height, width }, value, ScalarType.Byte);

    /// <summary>Pixel-sized checkerboard of 0 and 255 in every channel.</summary>
    public static Tensor Checkerboard(long batch, long channels, long height, long width)
    {
        var bytes = new byte[batch * channels * height * width];
        for (long i = 0; i < bytes.Length; i++)
        {
            long x = i % width, y = i / width % height;
            bytes[i] = (byte)((x + y) % 2 == 0 ? 0 : 255);
        }
        return torch.tensor(bytes, new[] { batch, channels, height, width });
    }

    /// <summary>
    /// Channel 0: horizontal ramp 255·x/(W−1); channel 1: vertical ramp 255·y/(H−1); channel 2: constant 128.
    /// </summary>
    public static Tensor Ramps(long batch, long height, long width)
    {
        var bytes = new byte[batch * 3 * height * width];
        for (long i = 0; i < bytes.Length; i++)
        {
            long x = i % width, y = i / width % height, c = i / (width * height) % 3;
            bytes[i] = c switch
            {
                0 => (byte)Math.Round(255.0 * x / (width - 1)),
                1 => (byte)Math.Round(255.0 * y / (height - 1)),
                _ => 128,
            };
        }
        return torch.tensor(bytes, new[] { batch, 3L, height, width });
    }

    /// <summary>Options with every random operation off and the crop fixed to the whole (square) image.</summary>
    public static SynCo.ML.Augmentation.AugmentationOptions Identity(int height, int width, int channels = 3)
    {
        var o = SynCo.ML.Augmentation.AugmentationOptions.SmallImages(height, width, channels);
        o.Crop.MinScale = 1;
        o.Crop.MaxScale = 1;
        o.Crop.MinAspectRatio = (double)width / height;
        o.Crop.MaxAspectRatio = (double)width / height;
        o.ColorJitter.Probability = 0;
        o.GrayscaleProbability = 0;
        o.Blur.Probability = 0;
        o.Crop.HorizontalFlipProbability = 0;
        return o;
    }
}
