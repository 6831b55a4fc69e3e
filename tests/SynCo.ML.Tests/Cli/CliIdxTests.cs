using System.Buffers.Binary;
using System.IO.Compression;
using SynCo.ML.Featurization;
using SynCo.ML.Model;
using SynCo.ML.Onnx;
using SynCo.ML.Tests.Data;

namespace SynCo.ML.Tests.Cli;

public class CliIdxTests
{
    /// <summary>Writes gzipped IDX images (stripes: even labels horizontal, odd vertical) and labels.</summary>
    private static void WriteIdx(string images, string labels, int count, int size)
    {
        using (var file = new GZipStream(File.Create(images), CompressionLevel.Fastest))
        {
            file.Write(Header(0x803, count, size, size));
            for (int i = 0; i < count; i++)
            {
                var pixels = new byte[size * size];
                for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    pixels[y * size + x] = (byte)((((i % 2 == 0 ? y : x) + i / 2) / 2 % 2 == 0) ? 220 : 30);
                file.Write(pixels);
            }
        }
        using (var file = new GZipStream(File.Create(labels), CompressionLevel.Fastest))
        {
            file.Write(Header(0x801, count));
            file.Write(Enumerable.Range(0, count).Select(i => (byte)(i % 2)).ToArray());
        }
    }

    private static byte[] Header(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    [Fact]
    public async Task PretrainOnAGzippedIdxFileThenFeaturizeWithItsLabels()
    {
        using var temp = new TempFolder();
        string images = temp.File("train-images-idx3-ubyte.gz"), labels = temp.File("train-labels-idx1-ubyte.gz");
        WriteIdx(images, labels, count: 32, size: 16);

        var pretrain = await CliRun.Of("pretrain", images, "--out", temp.File("run"), "--arch", "resnet10", "--width", "0.25", "--batch", "16", "--queue", "64",
            "--bn-splits", "2", "--epochs", "1", "--negatives", "mochi", "--min-scale", "0.2", "--device", "cpu"); // crop sized from the file, not --size
        Assert.True(pretrain.ExitCode == 0, pretrain.ToString());
        Assert.Contains("32 images 1x16x16", pretrain.Output);
        using (var exported = new OnnxFeaturizer(temp.File("run/backbone.onnx")))
            Assert.Equal(nameof(ResNetArchitecture.ResNet10), exported.ModelMetadata[OnnxMetadataKeys.Architecture]);   // --arch reached the backbone

        string npy = temp.File("features.npy");
        var featurize = await CliRun.Of("featurize", "--model", temp.File("run/backbone.onnx"), images, "--labels", labels, "--out", npy);
        Assert.True(featurize.ExitCode == 0, featurize.ToString());
        Assert.Equal(Enumerable.Range(0, 32).Select(i => i % 2), File.ReadAllLines(npy + ".labels.txt").Select(int.Parse));
        Assert.Equal(new[] { "0", "1" }, File.ReadAllLines(npy + ".classes.txt"));

        var folderLabels = await CliRun.Of("featurize", "--model", temp.File("run/backbone.onnx"), temp.Path, "--labels", labels, "--out", npy);
        Assert.Equal(2, folderLabels.ExitCode);
        Assert.Contains("--labels is for IDX", folderLabels.Error);
    }
}
