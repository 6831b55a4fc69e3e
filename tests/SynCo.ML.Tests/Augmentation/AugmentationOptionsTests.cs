using SynCo.ML.Augmentation;

namespace SynCo.ML.Tests.Augmentation;

public class AugmentationOptionsTests
{
    [Fact]
    public void DefaultsAreTheMoCoV2Recipe()
    {
        var o = new AugmentationOptions();
        Assert.Equal((224, 224, 3), (o.Height, o.Width, o.Channels));
        Assert.Equal((0.2, 1.0), (o.MinScale, o.MaxScale));
        Assert.Equal(3.0 / 4, o.MinAspectRatio, 12);
        Assert.Equal(4.0 / 3, o.MaxAspectRatio, 12);
        Assert.Equal((0.4, 0.4, 0.4, 0.1, 0.8), (o.Brightness, o.Contrast, o.Saturation, o.Hue, o.ColorJitterProbability));
        Assert.Equal((0.2, 0.5, 0.1, 2.0, 0.5), (o.GrayscaleProbability, o.BlurProbability, o.BlurSigmaMin, o.BlurSigmaMax, o.HorizontalFlipProbability));
        Assert.Equal(new[] { 0.485f, 0.456f, 0.406f }, o.Mean);
        Assert.Equal(new[] { 0.229f, 0.224f, 0.225f }, o.Std);
        o.Validate();
    }

    [Fact]
    public void MoCoV2PresetReplicatesTheAverageForOtherChannelCounts()
    {
        var rgb = AugmentationOptions.MoCoV2(32, 48);
        Assert.Equal((32, 48, 3), (rgb.Height, rgb.Width, rgb.Channels));
        var gray = AugmentationOptions.MoCoV2(28, 28, 1);
        Assert.Equal(new[] { 0.449f }, gray.Mean);
        Assert.Equal(new[] { 0.226f }, gray.Std);
        Assert.Equal(4, AugmentationOptions.MoCoV2(8, 8, 4).Mean.Length);
    }

    [Fact]
    public void SmallImagesPresetIsTheCifarDemoRecipe()
    {
        var o = AugmentationOptions.SmallImages(32, 32);
        Assert.Equal((0.08, 1.0), (o.MinScale, o.MaxScale));
        Assert.Equal(0, o.BlurProbability);
        Assert.Equal((0.8, 0.2, 0.5), (o.ColorJitterProbability, o.GrayscaleProbability, o.HorizontalFlipProbability));
        Assert.Equal(new[] { 0.4914f, 0.4822f, 0.4465f }, o.Mean);
        Assert.Equal(new[] { 0.2023f, 0.1994f, 0.2010f }, o.Std);

        var gray = AugmentationOptions.SmallImages(28, 28, 1);
        Assert.Equal(new[] { 0.5f }, gray.Mean);
        Assert.Equal(new[] { 0.5f }, gray.Std);
        Assert.Equal(new[] { 0.4734f, 0.4734f }, AugmentationOptions.SmallImages(8, 8, 2).Mean);
    }

    [Fact]
    public void SettersRejectIllegalValuesAndSayWhatIsLegal()
    {
        var o = new AugmentationOptions();
        Assert.Contains("positive", Assert.Throws<ArgumentOutOfRangeException>(() => o.Height = 0).Message);
        Assert.Contains("(0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => o.MinScale = 0).Message);
        Assert.Contains("(0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => o.MaxScale = 1.5).Message);
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => o.ColorJitterProbability = -0.1).Message);
        Assert.Contains("[0, 0.5]", Assert.Throws<ArgumentOutOfRangeException>(() => o.Hue = 0.6).Message);
        Assert.Contains("≥ 0", Assert.Throws<ArgumentOutOfRangeException>(() => o.Brightness = -1).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentOutOfRangeException>(() => o.BlurSigmaMin = 0).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentOutOfRangeException>(() => o.MinAspectRatio = double.NaN).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentOutOfRangeException>(() => o.Std = new[] { 1f, 0f, 1f }).Message);
        Assert.Throws<ArgumentException>(() => o.Mean = Array.Empty<float>());
        Assert.Throws<ArgumentNullException>(() => o.Mean = null!);
        Assert.Throws<ArgumentOutOfRangeException>(() => AugmentationOptions.MoCoV2(8, 8, 0));
    }

    [Fact]
    public void ValidateChecksRelationsBetweenMembers()
    {
        var o = new AugmentationOptions { MinScale = 0.9, MaxScale = 0.5 };
        Assert.Contains("MinScale", Assert.Throws<ArgumentException>(o.Validate).Message);
        o = new AugmentationOptions { MinAspectRatio = 2, MaxAspectRatio = 1 };
        Assert.Contains("MinAspectRatio", Assert.Throws<ArgumentException>(o.Validate).Message);
        o = new AugmentationOptions { BlurSigmaMin = 3 };
        Assert.Contains("BlurSigmaMin", Assert.Throws<ArgumentException>(o.Validate).Message);
        o = new AugmentationOptions { Mean = new[] { 0.5f } };
        Assert.Contains("one entry per image channel", Assert.Throws<ArgumentException>(o.Validate).Message);
        Assert.Throws<ArgumentException>(() => new BatchAugmenter(o));
    }

    [Fact]
    public void ArraysAndClonesAreIndependentCopies()
    {
        var o = new AugmentationOptions();
        o.Mean[0] = 99;
        Assert.Equal(0.485f, o.Mean[0]);
        var c = o.Clone();
        c.Mean = new[] { 0f, 0f, 0f };
        c.Height = 7;
        Assert.Equal(0.485f, o.Mean[0]);
        Assert.Equal(224, o.Height);
    }
}
