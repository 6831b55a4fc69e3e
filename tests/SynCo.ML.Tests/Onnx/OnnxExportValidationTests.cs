using SynCo.ML.Model;
using SynCo.ML.Onnx;

namespace SynCo.ML.Tests.Onnx;

/// <summary>Argument checks of <see cref="OnnxExportSpec"/> and <see cref="BackboneOnnxExporter"/>.</summary>
public class OnnxExportValidationTests
{
    [Fact]
    public void SpecHasDocumentedDefaults()
    {
        var spec = new OnnxExportSpec(3, 32, 24);
        Assert.Equal(1.0 / 255, spec.PixelScale);
        Assert.Equal(new[] { 0f, 0f, 0f }, spec.Mean);
        Assert.Equal(new[] { 1f, 1f, 1f }, spec.Std);
        Assert.Equal(OnnxOutputKind.Features, spec.Output);
        Assert.False(spec.L2Normalize);
        Assert.Equal(1, spec.FeatureGrid);
        Assert.Equal("input", spec.InputName);
        Assert.Equal("output", spec.OutputName);
        spec.WithImageNetNormalization();
        Assert.Equal(SynCo.ML.Augmentation.ChannelNormalization.ImageNetMean, spec.Mean);
        Assert.Equal(SynCo.ML.Augmentation.ChannelNormalization.ImageNetStd, spec.Std);
    }

    [Fact]
    public void SpecRejectsIllegalValuesWithMessagesThatSayWhatIsLegal()
    {
        Assert.Contains("at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxExportSpec(0, 8, 8)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxExportSpec(3, 0, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxExportSpec(3, 8, -1));
        var spec = new OnnxExportSpec(3, 8, 8);
        Assert.Contains("one value per channel: 3", Assert.Throws<ArgumentException>(() => spec.Mean = new[] { 0.5f }).Message);
        Assert.Throws<ArgumentNullException>(() => spec.Std = null!);
        Assert.Contains("greater than 0", Assert.Throws<ArgumentException>(() => spec.Std = new[] { 1f, 0f, 1f }).Message);
        Assert.Throws<ArgumentException>(() => spec.Mean = new[] { 0f, float.NaN, 0f });
        Assert.Contains("greater than 0", Assert.Throws<ArgumentOutOfRangeException>(() => spec.PixelScale = 0).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => spec.PixelScale = double.PositiveInfinity);
        Assert.Contains("non-empty", Assert.Throws<ArgumentException>(() => spec.InputName = " ").Message);
        Assert.Throws<ArgumentException>(() => spec.OutputName = "");
        Assert.Contains("Features, Projection", Assert.Throws<ArgumentOutOfRangeException>(() => spec.Output = (OnnxOutputKind)5).Message);
        Assert.Contains("at least 1 (1 = global average pooling", Assert.Throws<ArgumentOutOfRangeException>(() => spec.FeatureGrid = 0).Message);
        Assert.Contains("3 channels", Assert.Throws<InvalidOperationException>(() => new OnnxExportSpec(1, 8, 8).WithImageNetNormalization()).Message);
    }

    [Fact]
    public void ExporterRejectsArgumentsThatDoNotFitTogether()
    {
        using var backbone = new ResNet(new BackboneOptions { WidthMultiplier = 0.0625 }, 8, 8);
        using var head = new ProjectionHead(backbone.FeatureDim, 8, 4);
        using var wrongHead = new ProjectionHead(backbone.FeatureDim + 1, 8, 4);
        var spec = new OnnxExportSpec(3, 8, 8);

        Assert.Throws<ArgumentNullException>(() => BackboneOnnxExporter.ExportToBytes(null!, null, spec));
        Assert.Throws<ArgumentNullException>(() => BackboneOnnxExporter.ExportToBytes(backbone, null, null!));
        Assert.Throws<ArgumentNullException>(() => BackboneOnnxExporter.Export(backbone, null, spec, null!));
        Assert.Throws<ArgumentNullException>(() => BackboneOnnxExporter.ExportToBytes((ContrastiveEncoder)null!, spec));

        var ex = Assert.Throws<ArgumentException>(() => BackboneOnnxExporter.ExportToBytes(backbone, null, new OnnxExportSpec(1, 8, 8)));
        Assert.Contains("must equal the backbone's input channels (3)", ex.Message);

        spec.Output = OnnxOutputKind.Projection;
        Assert.Contains("needs a projection head", Assert.Throws<ArgumentException>(() => BackboneOnnxExporter.ExportToBytes(backbone, null, spec)).Message);
        Assert.Contains("backbone produces 32", Assert.Throws<ArgumentException>(() => BackboneOnnxExporter.ExportToBytes(backbone, wrongHead, spec)).Message);
        Assert.NotEmpty(BackboneOnnxExporter.ExportToBytes(backbone, head, spec));

        spec.Output = OnnxOutputKind.Features;
        Assert.NotEmpty(BackboneOnnxExporter.ExportToBytes(backbone, wrongHead, spec)); // the head is ignored for features

        // 8x8 images, small stem: a 1x1 feature map, so only grid 1 has a position in every cell.
        spec.FeatureGrid = 2;
        Assert.Contains("between 1 (global average pooling) and 1: 8x8 images give a 1x1 feature map",
            Assert.Throws<ArgumentOutOfRangeException>(() => BackboneOnnxExporter.ExportToBytes(backbone, null, spec)).Message);
        using var larger = new ResNet(new BackboneOptions { WidthMultiplier = 0.0625 }, 28, 28);
        using var largerHead = new ProjectionHead(larger.FeatureDim, 8, 4);
        var gridSpec = new OnnxExportSpec(3, 28, 28) { FeatureGrid = 4 };
        Assert.NotEmpty(BackboneOnnxExporter.ExportToBytes(larger, null, gridSpec));
        gridSpec.FeatureGrid = 5;
        Assert.Contains("and 4: 28x28 images give a 4x4 feature map", Assert.Throws<ArgumentOutOfRangeException>(() => BackboneOnnxExporter.ExportToBytes(larger, null, gridSpec)).Message);
        gridSpec.FeatureGrid = 2;
        gridSpec.Output = OnnxOutputKind.Projection;
        Assert.Contains("set spec.FeatureGrid = 1 or spec.Output = Features", Assert.Throws<ArgumentException>(() => BackboneOnnxExporter.ExportToBytes(larger, largerHead, gridSpec)).Message);
        spec.FeatureGrid = 1;

        spec.OutputName = "input";
        Assert.Contains("must differ", Assert.Throws<ArgumentException>(() => BackboneOnnxExporter.ExportToBytes(backbone, null, spec)).Message);
        spec.OutputName = "output";

        using var readOnly = new MemoryStream(new byte[16], writable: false);
        Assert.Contains("writable", Assert.Throws<ArgumentException>(() => BackboneOnnxExporter.Export(backbone, null, spec, readOnly)).Message);
    }
}
