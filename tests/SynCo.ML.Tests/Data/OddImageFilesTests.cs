using SynCo.ML.Data;
using Xunit.Abstractions;

namespace SynCo.ML.Tests.Data;

/// <summary>
/// ImageFolderDataset (ImageSharp 2) decodes files written by an independent encoder, Pillow, in the less common
/// layouts (16-bit grey, palette, grey, RGBA, CMYK, multi-frame) to the same RGB pixels as Pillow's own decode
/// of the same file: exactly for lossless formats, within a measured bound for JPEG.
/// </summary>
public class OddImageFilesTests(PillowImageFiles files, ITestOutputHelper output) : IClassFixture<PillowImageFiles>
{
    private const int H = PillowImageFiles.Height, W = PillowImageFiles.Width;

    /// <summary>Our decode as interleaved RGB, like Pillow's <c>tobytes()</c>.</summary>
    private static byte[] Decode(string folder)
    {
        var data = new ImageFolderDataset(folder, H, W);
        Assert.Equal(1, data.Count);
        var planar = new byte[3 * H * W];
        data.ReadImage(0, planar);
        var rgb = new byte[planar.Length];
        for (int i = 0; i < H * W; i++)
            for (int c = 0; c < 3; c++)
                rgb[3 * i + c] = planar[c * H * W + i];
        return rgb;
    }

    private (int Max, double Mean) Compare(string name, byte[] ours, byte[] pillow, string against = "")
    {
        Assert.Equal(pillow.Length, ours.Length);
        int max = 0;
        long sum = 0;
        int worst = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            int d = Math.Abs(ours[i] - pillow[i]);
            sum += d;
            if (d > max) (max, worst) = (d, i);
        }
        double mean = (double)sum / ours.Length;
        var (mode, frames, format) = files.Describe(name);
        output.WriteLine($"{name}{against}: Pillow {files.PillowVersion} reads {format} mode {mode}, {frames} frame(s); " +
                         $"max |ImageSharp - Pillow| = {max} (at pixel {worst / 3 % W},{worst / 3 / W} channel {"RGB"[worst % 3]}: ours {ours[worst]}, Pillow {pillow[worst]}), mean {mean:F3}");
        return (max, mean);
    }

    [Theory]
    [InlineData("tiff16", "TIFF", "I;16")]     // 16-bit grey: Pillow's samples scaled to 8 bits (its convert('RGB') clips, see PillowImageFiles)
    [InlineData("png16", "PNG", "I")]          // 16-bit grey PNG (Pillow reopens 16-bit PNGs as mode I)
    [InlineData("palette", "PNG", "P")]        // 16-colour palette
    [InlineData("palettetrns", "PNG", "P")]    // palette with a transparent index: both drop the transparency
    [InlineData("grey", "PNG", "L")]           // 8-bit grey
    [InlineData("rgba", "PNG", "RGBA")]        // alpha dropped, colour kept as stored (not premultiplied) by both
    [InlineData("bmp", "BMP", "RGB")]
    [InlineData("webplossless", "WEBP", "RGB")]
    [InlineData("tiffpages", "TIFF", "RGB")]   // first page of three
    [InlineData("gif", "GIF", "P")]            // first frame of three
    public void LosslessFilesDecodeToExactlyPillowsPixels(string name, string format, string mode)
    {
        Assert.Equal((format, mode), (files.Describe(name).Format, files.Describe(name).Mode));
        var (max, _) = Compare(name, Decode(files.Folder(name)), files.Reference(name));
        Assert.Equal(0, max);
    }

    [Fact]
    public void SixteenBitSamplesAreScaledNotClipped()
    {
        // Guards the reference itself: were the 16-bit samples clipped (as Pillow's convert does), most would be 255.
        byte[] ours = Decode(files.Folder("tiff16"));
        Assert.True(ours.Count(v => v == 255) < ours.Length / 10, "16-bit samples look clipped, not scaled");
        Assert.True(ours.Distinct().Count() > 100, "16-bit samples should cover the 8-bit range");
    }

    [Theory]
    [InlineData("tiffpages", 3)]
    [InlineData("gif", 3)]
    public void MultiFrameFilesGiveTheirFirstFrameNotALaterOne(string name, int frames)
    {
        Assert.Equal(frames, files.Describe(name).Frames);
        byte[] ours = Decode(files.Folder(name));
        Assert.Equal(files.Reference(name, 0), ours);
        var (max, mean) = Compare(name, ours, files.Reference(name, 1), " against frame 1");
        Assert.True(mean > 50, $"frame 0 and frame 1 should differ clearly; mean difference {mean:F1}, max {max}");
    }

    [Theory]
    // Decoders differ in IDCT rounding and, for subsampled chroma, in how they upsample it, so JPEG pixels are
    // compared within bounds: those measured between ImageSharp 2.1.13 and Pillow 9.4 (Debian's libjpeg-turbo) on
    // these quality-95 gradients. 4:4:4 and CMYK differ by IDCT/colour-conversion rounding only (max 2 and 1,
    // mean < 0.03). 4:2:0 differs more (max 10, mean 3.4): libjpeg-turbo's "fancy" (triangle-filter) chroma
    // upsampling against ImageSharp's own, on gradients that change ~11 levels per pixel.
    [InlineData("jpeg444", "RGB", 2, 0.1)]
    [InlineData("jpeg420", "RGB", 10, 4.0)]
    [InlineData("cmykjpeg", "CMYK", 1, 0.1)]
    public void JpegFilesDecodeCloseToPillowsPixels(string name, string mode, int maxDifference, double meanDifference)
    {
        Assert.Equal(("JPEG", mode), (files.Describe(name).Format, files.Describe(name).Mode));
        var (max, mean) = Compare(name, Decode(files.Folder(name)), files.Reference(name));
        Assert.True(max <= maxDifference, $"max difference {max} > {maxDifference}");
        Assert.True(mean <= meanDifference, $"mean difference {mean:F3} > {meanDifference}");
    }
}
