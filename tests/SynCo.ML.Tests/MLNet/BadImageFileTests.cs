using Microsoft.ML;
using Microsoft.ML.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SynCo.ML.Tests.Data;

namespace SynCo.ML.Tests.MLNet;

/// <summary>
/// A truncated JPEG among good files through LoadImages → ResizeImages → ExtractPixels → SynCoPretrain: with Fail the
/// error names the row and the file and how to skip; with Skip the row is left out and listed, and the fit goes on, on
/// both the in-memory and the streaming path.
/// </summary>
public class BadImageFileTests
{
    private sealed class FileRow
    {
        public string ImagePath { get; set; } = "";
    }

    /// <summary>40 small JPEG and PNG files, and the same pipeline's pixel view; row 17 is a JPEG cut in half.</summary>
    private static (IDataView Pixels, string Broken) Folder(MLContext ml, TempFolder dir)
    {
        var rng = new Random(7);
        var rows = new List<FileRow>();
        for (int n = 0; n < 40; n++)
        {
            using var image = new Image<Rgb24>(20, 20);
            for (int y = 0; y < 20; y++)
                for (int x = 0; x < 20; x++)
                    image[x, y] = new Rgb24((byte)rng.Next(256), (byte)(n % 2 == 0 ? y * 12 : x * 12), (byte)rng.Next(256));
            string name = $"img{n:D2}.{(n % 3 == 0 ? "png" : "jpg")}";
            if (n % 3 == 0) image.SaveAsPng(dir.File(name)); else image.SaveAsJpeg(dir.File(name));
            rows.Add(new FileRow { ImagePath = name });
        }
        string broken = rows[17].ImagePath;
        Assert.EndsWith(".jpg", broken);
        byte[] whole = File.ReadAllBytes(dir.File(broken));
        File.WriteAllBytes(dir.File(broken), whole[..(whole.Length / 2)]);
        var files = ml.Data.LoadFromEnumerable(rows);
        var pixels = ml.Transforms.LoadImages("Image", dir.Path, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Resized", 16, 16, "Image"))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Resized"))
            .Fit(files).Transform(files);
        return (pixels, broken);
    }

    private static SynCoOptions Options(bool stream, InvalidImageHandling invalid)
    {
        var o = TinyImages.Options(epochs: 1);
        o.Backbone.WidthMultiplier = 0.25;
        o.InvalidImages = invalid;
        if (stream) (o.InMemoryLimitMegabytes, o.StreamingBufferMegabytes) = (0, 1);
        return o;
    }

    [Fact]
    public void MlNetItselfCannotReadPastTheTruncatedJpegInParallel()
    {
        // The reality the fix works around: ML.NET's decoder (SkiaSharp) rejects the half file, and a plain cursor over the
        // pixel column runs the decode on ML.NET's worker threads, where the error ends the whole pass.
        using var dir = new TempFolder();
        var ml = new MLContext(seed: 1);
        var (pixels, _) = Folder(ml, dir);
        var e = Assert.ThrowsAny<Exception>(() => pixels.GetColumn<float[]>("Pixels").ToArray());
        string all = e.ToString();
        Assert.Contains("Invalid input stream contents", all);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FailNamesTheRowAndTheFileAndHowToSkip(bool stream)
    {
        using var dir = new TempFolder();
        var ml = new MLContext(seed: 1);
        var (pixels, broken) = Folder(ml, dir);
        var e = Assert.Throws<InvalidOperationException>(() => ml.Transforms.SynCoPretrain(Options(stream, InvalidImageHandling.Fail)).Fit(pixels));
        Assert.StartsWith($"Row 17 of column 'Pixels' (image '{broken}'): it could not be read (Invalid input stream contents", e.Message);
        Assert.EndsWith("Fix or remove the file, or set InvalidImages = InvalidImageHandling.Skip to leave such rows out.", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SkipLeavesTheRowOutListsItWithItsFileAndTrains(bool stream)
    {
        using var dir = new TempFolder();
        var ml = new MLContext(seed: 1);
        var (pixels, broken) = Folder(ml, dir);
        var log = new List<string>();
        var o = Options(stream, InvalidImageHandling.Skip);
        o.Run.Log = log.Add;
        int steps = 0;
        o.Run.OnProgress = _ => steps++;
        using var model = ml.Transforms.SynCoPretrain(o).Fit(pixels);
        Assert.Equal(new long[] { 17 }, model.SkippedRows);
        var skipped = Assert.Single(model.SkippedRowDetails);
        Assert.Equal(broken, skipped.Path);
        Assert.Contains("Invalid input stream contents", skipped.Reason);
        Assert.Contains(log, m => m.StartsWith($"skipped 1 invalid row(s) (first: Row 17 of column 'Pixels' (image '{broken}')", StringComparison.Ordinal));
        Assert.Contains(log, m => m.Contains("input: 40 rows of 3x16x16 pixels") && m.Contains(stream ? "streamed" : "kept in memory"));
        Assert.Single(model.History);
        Assert.Equal(2, steps);   // the fit went on: 39 usable rows, 2 batches of 16
    }

    [Fact]
    public void ThePathColumnIsFoundByRuleOrNamedAndMustBeText()
    {
        var ml = new MLContext();
        DataViewSchema Schema(params string[] text)
        {
            var b = new DataViewSchema.Builder();
            foreach (var t in text) b.AddColumn(t, TextDataViewType.Instance);
            b.AddColumn("Pixels", NumberDataViewType.Single);
            return b.ToSchema();
        }
        Assert.Equal("ImagePath", SynCo.ML.Data.PixelColumnReader.PathColumn(Schema("Label", "ImagePath", "OtherPath"), null));
        Assert.Equal("FilePath", SynCo.ML.Data.PixelColumnReader.PathColumn(Schema("Label", "FilePath"), null));
        Assert.Equal("Name", SynCo.ML.Data.PixelColumnReader.PathColumn(Schema("Name"), null));
        Assert.Null(SynCo.ML.Data.PixelColumnReader.PathColumn(Schema("Name", "Label"), null));
        Assert.Equal("Label", SynCo.ML.Data.PixelColumnReader.PathColumn(Schema("Name", "Label"), "Label"));
        Assert.Contains("must be a text column", Assert.ThrowsAny<ArgumentException>(() => SynCo.ML.Data.PixelColumnReader.PathColumn(Schema("Name"), "Pixels")).Message);
    }
}
