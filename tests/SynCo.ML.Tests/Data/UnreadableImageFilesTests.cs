using SynCo.ML.Data;
using Xunit.Abstractions;

namespace SynCo.ML.Tests.Data;

/// <summary>
/// Files with an image extension that cannot be decoded to a whole image (a JPEG cut short, text named .png) are
/// errors naming the file, or, with SkipUnreadable, skipped and listed; a JPEG cut inside its image data is never
/// returned as a half-grey image.
/// </summary>
public class UnreadableImageFilesTests(ITestOutputHelper output)
{
    private const int Size = 96;

    /// <summary>Pillow's quality-90 JPEG of 96×96 noise, and the same file cut in half (inside the image data).</summary>
    private static (string Whole, string Cut) WriteJpegs(TempFolder dir)
    {
        SystemPython.Require("PIL");
        string whole = dir.File("whole/whole.jpg");
        var r = SystemPython.RunScript("""
import sys, random
from PIL import Image
random.seed(5)
Image.frombytes('RGB', (96, 96), bytes(random.randrange(256) for _ in range(96 * 96 * 3))).save(sys.argv[1], quality=90)
""", dir.Path, whole);
        Assert.True(r.ExitCode == 0, r.StdErr);
        byte[] bytes = File.ReadAllBytes(whole);
        string cut = dir.File("images/cut.jpg");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        return (whole, cut);
    }

    /// <summary>Offset of the first start-of-scan marker (FF DA), found by walking the marker segments.</summary>
    private static int StartOfScan(byte[] jpeg)
    {
        int i = 2;
        while (i + 4 <= jpeg.Length && !(jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA))
            i += 2 + (jpeg[i + 2] << 8 | jpeg[i + 3]);
        return i;
    }

    [Fact]
    public void TheCutJpegHasItsHeadersAndPillowRefusesIt()
    {
        // What the other tests rely on: the cut is inside the image data, and an independent decoder calls it truncated.
        using var dir = new TempFolder();
        var (whole, cut) = WriteJpegs(dir);
        byte[] full = File.ReadAllBytes(whole);
        int sos = StartOfScan(full);
        output.WriteLine($"whole JPEG {full.Length} bytes, image data from byte {sos}, cut at {new FileInfo(cut).Length}");
        Assert.InRange(sos, 100, new FileInfo(cut).Length - 1000);
        var r = SystemPython.RunScript("""
import sys
from PIL import Image
Image.open(sys.argv[1]).load()
""", dir.Path, cut);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("truncated", r.StdErr);
    }

    [Fact]
    public void TruncatedJpegFailsNamingTheFileAndHowToSkipIt()
    {
        using var dir = new TempFolder();
        var (_, cut) = WriteJpegs(dir);
        string folder = Path.GetDirectoryName(cut)!;

        // Header-only check at construction: the headers are intact, so the damage shows on the read.
        var data = new ImageFolderDataset(folder, Size, Size);
        var image = new byte[3 * Size * Size];
        var e = Assert.Throws<InvalidDataException>(() => data.ReadImage(0, image));
        output.WriteLine(e.Message);
        Assert.Contains(cut, e.Message);
        Assert.Contains("SkipUnreadable", e.Message);
        Assert.Contains("truncated", e.Message);

        // A full decode at construction finds it up front.
        var verifying = Assert.Throws<InvalidDataException>(() => new ImageFolderDataset(folder, new ImageFolderOptions { Height = Size, Width = Size, VerifyByDecoding = true }));
        Assert.Contains(cut, verifying.Message);
        Assert.Contains("SkipUnreadable", verifying.Message);
    }

    [Fact]
    public void TruncatedJpegIsSkippedAndListedWithSkipUnreadable()
    {
        using var dir = new TempFolder();
        var (whole, cut) = WriteJpegs(dir);
        File.Copy(whole, dir.File("images/whole.jpg"));
        string folder = Path.GetDirectoryName(cut)!;

        var verified = new ImageFolderDataset(folder, new ImageFolderOptions { Height = Size, Width = Size, SkipUnreadable = true, VerifyByDecoding = true });
        Assert.Equal(new[] { dir.File("images/whole.jpg") }, verified.Files);
        var skipped = Assert.Single(verified.Skipped);
        Assert.Equal(cut, skipped.Path);
        Assert.Contains("truncated", skipped.Reason);

        // Without the full decode up front, the read gives a black image and lists the file.
        var lazy = new ImageFolderDataset(folder, new ImageFolderOptions { Height = Size, Width = Size, SkipUnreadable = true });
        Assert.Equal(2, lazy.Count);
        int index = Array.IndexOf(lazy.Files.ToArray(), cut);
        var image = Enumerable.Repeat((byte)7, 3 * Size * Size).ToArray();
        lazy.ReadImage(index, image);
        Assert.All(image, v => Assert.Equal(0, v));
        Assert.Equal(cut, Assert.Single(lazy.Skipped).Path);
        lazy.ReadImage(1 - index, image);
        Assert.Contains(image, v => v != 0);
        Assert.Single(lazy.Skipped);
    }

    [Fact]
    public void TextNamedPngFailsNamingTheFile()
    {
        using var dir = new TempFolder();
        string text = dir.File("x.png");
        File.WriteAllText(text, "This is a text file with an image extension, not an image.\n");

        var e = Assert.Throws<InvalidDataException>(() => new ImageFolderDataset(dir.Path, Size, Size));
        output.WriteLine(e.Message);
        Assert.Contains(text, e.Message);
        Assert.Contains("Not an image", e.Message);
        Assert.Contains("SkipUnreadable", e.Message);

        var none = Assert.Throws<ArgumentException>(() => new ImageFolderDataset(dir.Path, Size, Size, skipUnreadable: true));
        Assert.Contains(text, none.Message); // the only file was skipped, so there is nothing to read
    }
}
