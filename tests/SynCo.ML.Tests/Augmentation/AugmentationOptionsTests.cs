using SynCo.ML.Augmentation;

namespace SynCo.ML.Tests.Augmentation;

public class AugmentationOptionsTests
{
    [Fact]
    public void DefaultsAreTheMoCoV2Recipe()
    {
        var o = new AugmentationOptions();
        Assert.Equal((224, 224, 3), (o.Crop.Height!.Value, o.Crop.Width!.Value, o.Channels!.Value));
        Assert.Equal((0.2, 1.0), (o.Crop.MinScale, o.Crop.MaxScale));
        Assert.Equal(3.0 / 4, o.Crop.MinAspectRatio, 12);
        Assert.Equal(4.0 / 3, o.Crop.MaxAspectRatio, 12);
        Assert.Equal((0.4, 0.4, 0.4, 0.1, 0.8), (o.ColorJitter.Brightness, o.ColorJitter.Contrast, o.ColorJitter.Saturation, o.ColorJitter.Hue, o.ColorJitter.Probability));
        Assert.Equal((0.2, 0.5, 0.1, 2.0, 0.5), (o.GrayscaleProbability, o.Blur.Probability, o.Blur.SigmaMin, o.Blur.SigmaMax, o.Crop.HorizontalFlipProbability));
        Assert.Equal(new[] { 0.485f, 0.456f, 0.406f }, o.Normalization!.Mean);
        Assert.Equal(new[] { 0.229f, 0.224f, 0.225f }, o.Normalization!.Std);
        o.Validate();
    }

    [Fact]
    public void MoCoV2PresetReplicatesTheAverageForOtherChannelCounts()
    {
        var rgb = AugmentationOptions.MoCoV2(32, 48);
        Assert.Equal((32, 48, 3), (rgb.Crop.Height!.Value, rgb.Crop.Width!.Value, rgb.Channels!.Value));
        var gray = AugmentationOptions.MoCoV2(28, 28, 1);
        Assert.Equal(new[] { 0.449f }, gray.Normalization!.Mean);
        Assert.Equal(new[] { 0.226f }, gray.Normalization!.Std);
        Assert.Equal(4, AugmentationOptions.MoCoV2(8, 8, 4).Normalization!.Mean.Length);
    }

    [Fact]
    public void SmallImagesPresetIsTheCifarDemoRecipe()
    {
        var o = AugmentationOptions.SmallImages(32, 32);
        Assert.Equal((0.08, 1.0), (o.Crop.MinScale, o.Crop.MaxScale));
        Assert.Equal(0, o.Blur.Probability);
        Assert.Equal((0.8, 0.2, 0.5), (o.ColorJitter.Probability, o.GrayscaleProbability, o.Crop.HorizontalFlipProbability));
        Assert.Equal(new[] { 0.4914f, 0.4822f, 0.4465f }, o.Normalization!.Mean);
        Assert.Equal(new[] { 0.2023f, 0.1994f, 0.2010f }, o.Normalization!.Std);

        var gray = AugmentationOptions.SmallImages(28, 28, 1);
        Assert.Equal(new[] { 0.5f }, gray.Normalization!.Mean);
        Assert.Equal(new[] { 0.5f }, gray.Normalization!.Std);
        Assert.Equal(new[] { 0.4734f, 0.4734f }, AugmentationOptions.SmallImages(8, 8, 2).Normalization!.Mean);
    }

    public static TheoryData<string, Action<AugmentationOptions>, string> IllegalValues() => new()
    {
        { "Height", o => o.Crop.Height = 0, "positive" },
        { "MinScale", o => o.Crop.MinScale = 0, "(0, 1]" },
        { "MaxScale", o => o.Crop.MaxScale = 1.5, "(0, 1]" },
        { "MinAspectRatio", o => o.Crop.MinAspectRatio = double.NaN, "greater than 0" },
        { "HorizontalFlipProbability", o => o.Crop.HorizontalFlipProbability = 2, "[0, 1]" },
        { "Probability", o => o.ColorJitter.Probability = -0.1, "[0, 1]" },
        { "Hue", o => o.ColorJitter.Hue = 0.6, "[0, 0.5]" },
        { "Brightness", o => o.ColorJitter.Brightness = -1, ">= 0" },
        { "GrayscaleProbability", o => o.GrayscaleProbability = 1.1, "[0, 1]" },
        { "SigmaMin", o => o.Blur.SigmaMin = 0, "greater than 0" },
        { "Std", o => o.Normalization!.Std = new[] { 1f, 0f, 1f }, "positive finite" },
        { "Mean", o => o.Normalization!.Mean = Array.Empty<float>(), "one entry per image channel" },
        { "Mean", o => o.Normalization!.Mean = null!, "one entry per image channel" },
        { "MinScale", o => { o.Crop.MinScale = 0.9; o.Crop.MaxScale = 0.5; }, "must not exceed MaxScale" },
        { "MinAspectRatio", o => { o.Crop.MinAspectRatio = 2; o.Crop.MaxAspectRatio = 1; }, "must not exceed MaxAspectRatio" },
        { "SigmaMin", o => o.Blur.SigmaMin = 3, "must not exceed SigmaMax" },
        { "Std", o => o.Normalization!.Mean = new[] { 0.5f }, "one entry per image channel" },
    };

    [Theory]
    [MemberData(nameof(IllegalValues))]
    public void ValidateRejectsIllegalValuesNamingThemAndWhatIsLegal(string name, Action<AugmentationOptions> change, string legal)
    {
        var o = new AugmentationOptions();
        change(o);
        var e = Assert.ThrowsAny<ArgumentException>(o.Validate);
        Assert.Equal(name, e.ParamName);
        Assert.Contains(legal, e.Message);
        Assert.ThrowsAny<ArgumentException>(() => new BatchAugmenter(o));
        Assert.Throws<ArgumentOutOfRangeException>(() => AugmentationOptions.MoCoV2(8, 8, 0));
    }

    [Fact]
    public void ClonesAreIndependentCopiesAndTheAugmenterKeepsItsOwn()
    {
        var o = new AugmentationOptions();
        var c = o.Clone();
        c.Normalization!.Mean[0] = 99;
        c.Crop.Height = 7;
        c.ColorJitter.Hue = 0.3;
        Assert.Equal((0.485f, 224, 0.1), (o.Normalization!.Mean[0], o.Crop.Height!.Value, o.ColorJitter.Hue));

        var augmenter = new BatchAugmenter(o);
        o.Normalization!.Mean[0] = 42;
        Assert.Equal(0.485f, augmenter.Options.Normalization!.Mean[0]);
    }

    [Theory]
    [InlineData(1, 28, 28)]
    [InlineData(3, 32, 48)]
    [InlineData(2, 8, 8)]
    public void PresetsWithoutAShapeSizeToTheImagesAsThePresetsWithOne(int channels, int height, int width)
    {
        var small = AugmentationOptions.SmallImages();
        var moco = AugmentationOptions.MoCoV2();
        Assert.Equal((null, null, null), (small.Crop.Height, small.Crop.Width, small.Normalization));
        Assert.Equal((null, null, null), (moco.Crop.Height, moco.Crop.Width, moco.Normalization));
        small.Validate();
        moco.Validate();
        // Every value, compared as the checkpoint fingerprint sees them (the options' serialised properties).
        // Built by hand, not through SizedTo (which the sized presets themselves call): the recipes' published values.
        var expectedSmall = new AugmentationOptions { Crop = { Height = height, Width = width, MinScale = 0.08 }, Blur = { Probability = 0 }, Normalization = ChannelNormalization.SmallImages(channels) };
        var expectedMoCo = new AugmentationOptions { Crop = { Height = height, Width = width }, Normalization = ChannelNormalization.ImageNet(channels) };
        Assert.Equal(Json(expectedSmall), Json(small.SizedTo(channels, height, width)));
        Assert.Equal(Json(expectedMoCo), Json(moco.SizedTo(channels, height, width)));
        Assert.Equal(Json(expectedSmall), Json(AugmentationOptions.SmallImages(height, width, channels)));
        Assert.Equal(Json(ChannelNormalization.SmallImages(channels)), Json(small.SizedTo(channels, height, width).Normalization!));
        Assert.NotEqual(Json(small.SizedTo(channels, height, width).Normalization!), Json(moco.SizedTo(channels, height, width).Normalization!));
    }

    [Fact]
    public void TheSmallImagePresetSizedToFashionMnistSerialisesAsCheckpointsWrittenBeforeSizingExisted()
    {
        // The checkpoint fingerprint holds this JSON (copied from a checkpoint the code before SizedTo wrote); a change would
        // make every earlier checkpoint refuse to resume.
        const string before = "{\"Crop\":{\"Height\":28,\"Width\":28,\"MinScale\":0.08,\"MaxScale\":1,\"MinAspectRatio\":0.75,\"MaxAspectRatio\":1.3333333333333333," +
            "\"HorizontalFlipProbability\":0.5},\"ColorJitter\":{\"Brightness\":0.4,\"Contrast\":0.4,\"Saturation\":0.4,\"Hue\":0.1,\"Probability\":0.8,\"RandomOrder\":true}," +
            "\"GrayscaleProbability\":0.2,\"Blur\":{\"Probability\":0,\"SigmaMin\":0.1,\"SigmaMax\":2},\"Normalization\":{\"Mean\":[0.5],\"Std\":[0.5],\"Channels\":1},\"Channels\":1}";
        Assert.Equal(before,
            Json(AugmentationOptions.SmallImages().SizedTo(1, 28, 28)));
    }

    [Fact]
    public void SizingFillsOnlyWhatIsUnsetAndLeavesTheOptionsAsTheyWere()
    {
        var o = AugmentationOptions.SmallImages();
        o.Crop.MinScale = 0.8;
        o.Crop.Width = 24;
        var sized = o.SizedTo(1, 28, 32);
        Assert.Equal((28, 24, 0.8, 1), (sized.Crop.Height!.Value, sized.Crop.Width!.Value, sized.Crop.MinScale, sized.Channels!.Value));
        Assert.Equal((null, 24, null), (o.Crop.Height, o.Crop.Width, o.Normalization));

        var own = AugmentationOptions.SmallImages();
        own.Normalization = new ChannelNormalization { Mean = new[] { 0.286f }, Std = new[] { 0.353f } };
        Assert.Equal(new[] { 0.286f }, own.SizedTo(1, 28, 28).Normalization!.Mean);
        Assert.Equal("height", Assert.Throws<ArgumentOutOfRangeException>(() => o.SizedTo(1, 0, 28)).ParamName);
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => o.SizedTo(0, 28, 28)).ParamName);
    }

    [Fact]
    public void AnAugmenterNeedsSizedOptionsAndSaysHowToSizeThem()
    {
        var e = Assert.Throws<ArgumentException>(() => new BatchAugmenter(AugmentationOptions.SmallImages()));
        Assert.Contains("SizedTo(channels, height, width)", e.Message);
        var noNormalization = AugmentationOptions.SmallImages(28, 28, 1);
        noNormalization.Normalization = null;
        Assert.Throws<ArgumentException>(() => new BatchAugmenter(noNormalization));
        Assert.Contains("SizedTo", Assert.Throws<ArgumentException>(() => new SmallCropOptions { Count = 1 }.Resolve(AugmentationOptions.SmallImages())).Message);
        _ = new BatchAugmenter(AugmentationOptions.SmallImages().SizedTo(1, 28, 28));
    }

    private static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value);
}
