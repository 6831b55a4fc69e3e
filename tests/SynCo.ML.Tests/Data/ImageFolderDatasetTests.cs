using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SynCo.ML.Data;

namespace SynCo.ML.Tests.Data;

public class ImageFolderDatasetTests
{
    private static readonly Rgb24 Red = new(255, 0, 0), Green = new(0, 200, 0), Blue = new(0, 0, 255);

    /// <summary>root/cat/a.png (red 20×20), root/cat/b.jpg (green 30×20), root/dog/c.bmp (blue 16×24), root/d.png.</summary>
    private static TempFolder MakeFolder()
    {
        var dir = new TempFolder();
        using (var a = new Image<Rgb24>(20, 20, Red)) a.SaveAsPng(dir.File("cat/a.png"));
        using (var b = new Image<Rgb24>(30, 20, Green)) b.SaveAsJpeg(dir.File("cat/b.JPG"));
        using (var c = new Image<Rgb24>(16, 24, Blue)) c.SaveAsBmp(dir.File("dog/c.bmp"));
        using (var d = new Image<Rgba32>(8, 8, new Rgba32(10, 20, 30, 128))) d.SaveAsPng(dir.File("d.png"));
        File.WriteAllText(dir.File("notes.txt"), "not an image");
        return dir;
    }

    private static byte[] Read(IImageDataset data, int index)
    {
        var image = new byte[data.Channels * data.Height * data.Width];
        data.ReadImage(index, image);
        return image;
    }

    [Fact]
    public void ImagesAreFoundRecursivelyAndResizedToOneShape()
    {
        using var dir = MakeFolder();
        var data = new ImageFolderDataset(dir.Path, 8, 6);
        Assert.Equal((4, 3, 8, 6), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal(new[] { "cat/a.png", "cat/b.JPG", "d.png", "dog/c.bmp" },
            data.Files.Select(f => Path.GetRelativePath(dir.Path, f).Replace('\\', '/')));
        Assert.Empty(data.Skipped);

        byte[] red = Read(data, 0);
        Assert.All(red[..48], v => Assert.Equal(255, v));   // R plane
        Assert.All(red[48..], v => Assert.Equal(0, v));     // G and B planes
        byte[] green = Read(data, 1);                        // JPEG: close, not exact
        Assert.All(green[..48], v => Assert.InRange(v, 0, 12));
        Assert.All(green[48..96], v => Assert.InRange(v, 188, 212));
        byte[] blue = Read(data, 3);
        Assert.All(blue[96..], v => Assert.Equal(255, v));
        byte[] rgba = Read(data, 2);                         // alpha is dropped
        Assert.Equal(new byte[] { 10, 20, 30 }, new[] { rgba[0], rgba[48], rgba[96] });
    }

    [Fact]
    public void GrayscaleUsesThePilLumaFormula()
    {
        using var dir = MakeFolder();
        var data = new ImageFolderDataset(dir.Path, new ImageFolderOptions { Height = 4, Width = 4, Channels = 1 });
        Assert.Equal(1, data.Channels);
        Assert.All(Read(data, 0), v => Assert.Equal(76, v));  // (255·19595 + 32768) >> 16
        Assert.All(Read(data, 3), v => Assert.Equal(29, v));  // (255·7471 + 32768) >> 16
    }

    [Fact]
    public void WideImagesAreCentreCroppedNotSquashed()
    {
        using var dir = new TempFolder();
        using (var image = new Image<Rgb24>(40, 20, Green))
        {
            for (int y = 0; y < 20; y++)
                for (int x = 10; x < 30; x++)
                    image[x, y] = Red; // the centre square is red
            image.SaveAsPng(dir.File("wide.png"));
        }
        var data = new ImageFolderDataset(dir.Path, 10, 10);
        byte[] pixels = Read(data, 0);
        // Red everywhere: no green margin was kept (the bicubic filter blends a little at the crop border).
        Assert.All(pixels[..100], v => Assert.InRange(v, 220, 255));
        Assert.All(pixels[100..200], v => Assert.InRange(v, 0, 30));
        Assert.Equal(255, pixels[5 * 10 + 5]);
    }

    [Fact]
    public void CorruptFilesAreSkippedAndReportedOrFailNamingTheFile()
    {
        using var dir = MakeFolder();
        string bad = dir.File("cat/broken.png");
        File.WriteAllBytes(bad, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 });

        var skipping = new ImageFolderDataset(dir.Path, 8, 8, skipUnreadable: true);
        Assert.Equal(4, skipping.Count);
        Assert.DoesNotContain(bad, skipping.Files);
        var skipped = Assert.Single(skipping.Skipped);
        Assert.Equal(bad, skipped.Path);
        Assert.False(string.IsNullOrWhiteSpace(skipped.Reason));

        var e = Assert.Throws<InvalidDataException>(() => new ImageFolderDataset(dir.Path, 8, 8));
        Assert.Contains(bad, e.Message);
        Assert.Contains("SkipUnreadable", e.Message);
    }

    [Fact]
    public void FilesThatBreakAfterListingAreBlackAndReportedOrFail()
    {
        using var dir = MakeFolder();
        var skipping = new ImageFolderDataset(dir.Path, 8, 8, skipUnreadable: true);
        var failing = new ImageFolderDataset(dir.Path, 8, 8);
        string victim = skipping.Files[0];
        File.WriteAllBytes(victim, new byte[] { 0x89, 0x50, 0x4E, 0x47, 0, 0, 0 });

        var image = Enumerable.Repeat((byte)7, 3 * 64).ToArray();
        skipping.ReadImage(0, image);
        Assert.All(image, v => Assert.Equal(0, v));
        Assert.Equal(victim, Assert.Single(skipping.Skipped).Path);
        skipping.ReadImage(0, image);
        Assert.Single(skipping.Skipped); // reported once

        Assert.Contains(victim, Assert.Throws<InvalidDataException>(() => failing.ReadImage(0, image)).Message);
    }

    [Fact]
    public void VerifyByDecodingFindsDamagedImageData()
    {
        using var dir = MakeFolder();
        byte[] png = File.ReadAllBytes(dir.File("cat/a.png"));
        File.WriteAllBytes(dir.File("cat/truncated.png"), png[..(png.Length / 2)]);
        var verified = new ImageFolderDataset(dir.Path, new ImageFolderOptions { Height = 8, Width = 8, SkipUnreadable = true, VerifyByDecoding = true });
        Assert.Equal(dir.File("cat/truncated.png"), Assert.Single(verified.Skipped).Path);
        Assert.Equal(4, verified.Count);
    }

    [Fact]
    public void EmptyAndMissingFoldersGiveClearErrors()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("sub/readme.txt"), "no images here");
        var e = Assert.Throws<ArgumentException>(() => new ImageFolderDataset(dir.Path, 8, 8));
        Assert.Contains("no image files", e.Message);
        Assert.Contains(".png", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => new ImageFolderDataset(Path.Combine(dir.Path, "absent"), 8, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageFolderOptions { Channels = 2 });

        File.WriteAllBytes(dir.File("only.png"), new byte[] { 1, 2, 3 });
        Assert.Contains("None of the 1", Assert.Throws<ArgumentException>(() => new ImageFolderDataset(dir.Path, 8, 8, skipUnreadable: true)).Message);
    }

    [Fact]
    public void LabelsComeFromFirstLevelSubfolders()
    {
        using var dir = MakeFolder();
        using (var deep = new Image<Rgb24>(4, 4, Red)) deep.SaveAsPng(dir.File("dog/puppies/e.png"));
        var labels = new ImageFolderDataset(dir.Path, 4, 4).LoadLabelsFromSubfolders();
        Assert.Equal(new[] { "cat", "dog" }, labels.ClassNames);
        // Order: cat/a.png, cat/b.JPG, d.png, dog/c.bmp, dog/puppies/e.png
        Assert.Equal(new[] { 0, 0, -1, 1, 1 }, labels.Labels);
    }
}
