using Microsoft.ML;
using Microsoft.ML.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SynCo.ML.Data;
using SynCo.ML.Featurization;
using SynCo.ML.Model;
using SynCo.ML.Onnx;
using SynCo.ML.Tests.Data;
using TorchSharp;

namespace SynCo.ML.Tests.MLNet;

/// <summary>ML.NET pipelines over real PNG files: LoadImages → ResizeImages → ExtractPixels → SynCoPretrain → trainer.</summary>
public class ImagePipelineTests
{
    private sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";

        public uint Label { get; set; }
    }

    /// <summary>16×16 RGB PNGs of horizontal (label 0) or vertical (label 1) stripes with random brightness, tint, phase and noise.</summary>
    private static List<ImageRow> WritePngs(string folder, int count, int seed)
    {
        var rng = new Random(seed);
        var rows = new List<ImageRow>();
        for (int n = 0; n < count; n++)
        {
            uint label = (uint)(n % 2);
            int period = rng.Next(3, 7), phase = rng.Next(period);
            int hi = rng.Next(150, 236), lo = rng.Next(20, 80), tint = rng.Next(3);
            Rgb24 Tinted(int v) => new((byte)(v + (tint == 0 ? 20 : 0)), (byte)(v + (tint == 1 ? 20 : 0)), (byte)(v + (tint == 2 ? 20 : 0)));
            Rgb24 high = Tinted(hi), low = Tinted(lo);
            using var image = new Image<Rgb24>(TinyImages.Side, TinyImages.Side);
            for (int y = 0; y < TinyImages.Side; y++)
                for (int x = 0; x < TinyImages.Side; x++)
                {
                    var c = ((label == 0 ? y : x) + phase) % period < period / 2.0 ? high : low;
                    int noise = rng.Next(-20, 21);
                    image[x, y] = new Rgb24((byte)Math.Clamp(c.R + noise, 0, 255), (byte)Math.Clamp(c.G + noise, 0, 255), (byte)Math.Clamp(c.B + noise, 0, 255));
                }
            string name = $"{(label == 0 ? "h" : "v")}{seed}_{n:D3}.png";
            image.SaveAsPng(Path.Combine(folder, name));
            rows.Add(new ImageRow { ImagePath = name, Label = label });
        }
        return rows;
    }

    [Fact]
    public void PngFilesThroughAPlainEstimatorChainClassifyWellAboveChance()
    {
        using var dir = new TempFolder();
        var ml = new MLContext(seed: 3);
        var train = ml.Data.LoadFromEnumerable(WritePngs(dir.Path, 112, seed: 1));
        var test = ml.Data.LoadFromEnumerable(WritePngs(dir.Path, 40, seed: 2));
        var options = TinyImages.Options(epochs: 5);
        var pipeline = ml.Transforms.LoadImages("Image", dir.Path, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Resized", TinyImages.Side, TinyImages.Side, "Image"))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Resized"))
            .Append(ml.Transforms.SynCoPretrain(options))
            .Append(ml.Transforms.NormalizeMeanVariance("Features")) // raw feature scales vary; L-BFGS needs them comparable
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("LabelKey", "Features"));
        var model = pipeline.Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test), labelColumnName: "LabelKey");
        Assert.True(metrics.MicroAccuracy > 0.8, $"accuracy {metrics.MicroAccuracy:P1} should be far above chance (50 %)");
        foreach (var part in model) (part as IDisposable)?.Dispose();
    }

    [Fact]
    public void ImageColumnInputFitsSavesAndLoadsWithIdenticalEmbeddings()
    {
        using var dir = new TempFolder();
        var ml = new MLContext(seed: 4);
        var files = ml.Data.LoadFromEnumerable(WritePngs(dir.Path, 48, seed: 3));
        var data = ml.Transforms.LoadImages("Image", dir.Path, "ImagePath").Fit(files).Transform(files);
        var options = TinyImages.Options();
        options.InputColumnName = "Image";
        options.ImageWidth = TinyImages.Side;
        options.ImageHeight = TinyImages.Side;
        using var model = ml.Transforms.SynCoPretrain(options).Fit(data);
        Assert.Equal(128, model.EmbeddingSize);
        var before = model.Transform(data).GetColumn<float[]>("Features").ToArray();

        // The batched IDataView path resizes and extracts pixels the same way as the chain.
        var batched = model.Featurize(data, new OnnxFeaturizerOptions { Device = "cpu", BatchSize = 20 });
        Assert.Equal(before.Length, batched.Length);
        for (int i = 0; i < before.Length; i++)
            Assert.All(before[i].Zip(batched[i]), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-4));

        string path = dir.File("model.zip");
        ml.Model.Save(model, data.Schema, path);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out _);
        var after = loaded.Transform(data).GetColumn<float[]>("Features").ToArray();
        Assert.Equal(before, after);
        (loaded as IDisposable)?.Dispose();
    }

    [Fact]
    public void CorruptImageFilesFailOrAreSkippedAndReportedWhenFeaturizingAFolder()
    {
        using var dir = new TempFolder();
        WritePngs(dir.Path, 6, seed: 5);
        File.WriteAllBytes(dir.File("broken.png"), new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3 });

        var fail = Assert.Throws<InvalidDataException>(() => new ImageFolderDataset(dir.Path, 16, 16));
        Assert.Contains("broken.png", fail.Message);

        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        using var backbone = new ResNet(new BackboneOptions { WidthMultiplier = 0.125 }, 16, 16);
        using var featurizer = new OnnxFeaturizer(BackboneOnnxExporter.ExportToBytes(backbone, null, OnnxExportSpec.ForBackbone(backbone)),
            new OnnxFeaturizerOptions { Device = "cpu", BatchSize = 4 });

        var skipping = new ImageFolderDataset(dir.Path, 16, 16, skipUnreadable: true);
        Assert.Equal(6, skipping.Count);
        Assert.Equal("broken.png", Path.GetFileName(Assert.Single(skipping.Skipped).Path));
        Assert.Equal(6, featurizer.Featurize(skipping).Length);

        // A file that breaks after the folder was listed: fail mode stops the featurization naming the file,
        // skip mode featurizes a black image in its place and reports the file.
        File.Delete(dir.File("broken.png"));
        var strict = new ImageFolderDataset(dir.Path, 16, 16, skipUnreadable: false);
        var lenient = new ImageFolderDataset(dir.Path, 16, 16, skipUnreadable: true);
        string victim = strict.Files[2];
        File.WriteAllBytes(victim, new byte[] { 1, 2, 3, 4 });
        var error = Assert.Throws<InvalidDataException>(() => featurizer.Featurize(strict));
        Assert.Contains(Path.GetFileName(victim), error.Message);
        Assert.Equal(6, featurizer.Featurize(lenient).Length);
        Assert.Equal(victim, Assert.Single(lenient.Skipped).Path);
    }
}
