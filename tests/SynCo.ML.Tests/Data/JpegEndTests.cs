using SynCo.ML.Data;

namespace SynCo.ML.Tests.Data;

/// <summary>
/// The truncated-JPEG check finds a cut inside the image data of baseline and progressive JPEGs (Pillow-written),
/// is not fooled by an embedded JPEG's end marker before the image data, and accepts whole files with trailing bytes.
/// </summary>
public class JpegEndTests
{
    /// <summary>Pillow's JPEG of 64×48 noise, baseline or progressive.</summary>
    private static byte[] PillowJpeg(TempFolder dir, bool progressive, int width = 64, int height = 48)
    {
        SystemPython.Require("PIL");
        string path = dir.File($"noise-{progressive}-{width}.jpg");
        var r = SystemPython.RunScript("""
import sys, random
from PIL import Image
random.seed(9)
w, h = int(sys.argv[3]), int(sys.argv[4])
Image.frombytes('RGB', (w, h), bytes(random.randrange(256) for _ in range(w * h * 3))).save(sys.argv[1], quality=85, progressive=sys.argv[2] == 'True')
""", dir.Path, path, progressive.ToString(), width.ToString(), height.ToString());
        Assert.True(r.ExitCode == 0, r.StdErr);
        return File.ReadAllBytes(path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WholeFilesPassAndCutsInsideTheImageDataAreFound(bool progressive)
    {
        using var dir = new TempFolder();
        byte[] jpeg = PillowJpeg(dir, progressive);
        Assert.Null(JpegEnd.Truncation(jpeg));
        Assert.Null(JpegEnd.Truncation(jpeg.Concat(new byte[100]).ToArray())); // trailing bytes after the end marker
        foreach (double fraction in new[] { 0.5, 0.9 })
            Assert.Contains("ends inside the image data", JpegEnd.Truncation(jpeg[..(int)(jpeg.Length * fraction)]));
        Assert.NotNull(JpegEnd.Truncation(jpeg[..^2])); // only the end marker missing
        Assert.Contains("ends in its headers", JpegEnd.Truncation(jpeg[..40]));
    }

    [Fact]
    public void AnEmbeddedJpegsEndMarkerBeforeTheImageDataDoesNotCount()
    {
        using var dir = new TempFolder();
        byte[] main = PillowJpeg(dir, progressive: false), thumbnail = PillowJpeg(dir, progressive: false, 8, 8);
        // An APP15 segment carrying a whole JPEG (as EXIF carries a thumbnail) right after the start-of-image marker.
        int length = 2 + thumbnail.Length;
        byte[] withThumbnail = main[..2].Concat(new byte[] { 0xFF, 0xEF, (byte)(length >> 8), (byte)length }).Concat(thumbnail).Concat(main[2..]).ToArray();
        Assert.Null(JpegEnd.Truncation(withThumbnail));
        Assert.NotNull(JpegEnd.Truncation(withThumbnail[..^(main.Length / 2)]));
    }

    [Fact]
    public void OtherFormatsAreLeftToTheirDecoders()
    {
        Assert.Null(JpegEnd.Truncation(new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2 }));
        Assert.Null(JpegEnd.Truncation(ReadOnlySpan<byte>.Empty));
    }
}
