using Microsoft.ML;
using SynCo.ML.Tests.Data;
using SynCo.ML.Tests.MLNet;

namespace SynCo.ML.Tests.Cli;

public class CliExportModelTests
{
    [Fact]
    public async Task ExportFromASavedMLNetModelGivesTheTransformersOnnxBytes()
    {
        using var temp = new TempFolder();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TinyImages.Stripes(32, seed: 1));
        using var model = ml.Transforms.SynCoPretrain(TinyImages.Options(epochs: 1)).Fit(data);
        string zip = temp.File("model.zip"), onnx = temp.File("out/backbone.onnx");
        ml.Model.Save(model, data.Schema, zip);

        var run = await CliRun.Of("export", "--model", zip, "--out", onnx);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(model.GetOnnxModel(), File.ReadAllBytes(onnx));
    }

    [Fact]
    public async Task ExportFromAZipWithoutOnnxOrWithCheckpointOptionsIsBadInput()
    {
        using var temp = new TempFolder();
        string zip = temp.File("plain.zip");
        File.WriteAllText(temp.File("content/readme.txt"), "not a model");
        System.IO.Compression.ZipFile.CreateFromDirectory(temp.File("content"), zip);
        var run = await CliRun.Of("export", "--model", zip, "--out", temp.File("x.onnx"));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("holds no ONNX model", run.Error);

        var options = await CliRun.Of("export", "--model", zip, "--out", temp.File("x.onnx"), "--normalize");
        Assert.True(options.ExitCode == 2, options.ToString());
        Assert.Contains("--checkpoint only", options.Error);

        File.WriteAllText(temp.File("text.zip"), "not a zip");
        var notZip = await CliRun.Of("export", "--model", temp.File("text.zip"), "--out", temp.File("x.onnx"));
        Assert.True(notZip.ExitCode == 2, notZip.ToString());
        Assert.Contains("is not a zip file", notZip.Error);
    }
}
