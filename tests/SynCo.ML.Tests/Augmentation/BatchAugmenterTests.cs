using SynCo.ML.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Augmentation;

public class BatchAugmenterTests
{
    [Fact]
    public void OutputHasTheConfiguredShapeDtypeAndDevice()
    {
        using var scope = torch.NewDisposeScope();
        var augmenter = new BatchAugmenter(AugmentationOptions.MoCoV2(16, 12));
        var images = TestImages.Random(4, 3, 20, 24);
        var views = augmenter.Apply(images, new Generator(1));
        Assert.Equal(new long[] { 4, 3, 16, 12 }, views.shape);
        Assert.Equal(ScalarType.Float32, views.dtype);
        Assert.Equal(DeviceType.CPU, views.device.type);
        Assert.True(views.isfinite().all().item<bool>());
    }

    [SkippableFact]
    public void CpuAndCudaGiveTheSameViewsForTheSameSeed()
    {
        Skip.IfNot(torch.cuda.is_available(), "no CUDA device: torch.cuda.is_available() is false, so there is no GPU result to compare with the CPU one");
        using var scope = torch.NewDisposeScope();
        var augmenter = new BatchAugmenter(AugmentationOptions.MoCoV2(16, 16));
        var images = TestImages.Random(4, 3, 20, 20);
        var cpu = augmenter.Apply(images, new Generator(5));
        var cuda = augmenter.Apply(images.cuda(), new Generator(5));
        Assert.Equal(DeviceType.CUDA, cuda.device.type);
        Assert.True(cpu.allclose(cuda.cpu(), rtol: 0, atol: 1e-3));
    }

    [Theory]
    [InlineData(12, 12)]
    [InlineData(10, 14)]
    public void WithEverythingOffTheViewIsThePlainNormalisedImage(int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        var augmenter = new BatchAugmenter(TestImages.Identity(height, width));
        var images = TestImages.Random(3, 3, height, width);
        var view = augmenter.Apply(images, new Generator(7));
        var plain = augmenter.Evaluate(images);
        var expected = images.to_type(ScalarType.Float32).div(255)
            .sub(torch.tensor(new[] { 0.4914f, 0.4822f, 0.4465f }).view(1, 3, 1, 1))
            .div(torch.tensor(new[] { 0.2023f, 0.1994f, 0.2010f }).view(1, 3, 1, 1));
        Assert.True(plain.allclose(expected, rtol: 0, atol: 1e-6));
        double maxError = (view - plain).abs().max().item<float>();
        Assert.True(maxError < 1e-5, $"identity view differs by {maxError}");
    }

    [Fact]
    public void FlipWithProbabilityOneMirrorsTheIdentityView()
    {
        using var scope = torch.NewDisposeScope();
        var options = TestImages.Identity(9, 13);
        options.Crop.HorizontalFlipProbability = 1;
        var images = TestImages.Random(2, 3, 9, 13);
        var flipped = new BatchAugmenter(options).Apply(images, new Generator(3));
        var plain = new BatchAugmenter(options).Evaluate(images);
        Assert.True(flipped.allclose(plain.flip(3), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void GrayscaleWithProbabilityOneGivesEqualChannelsWithTheLumaWeights()
    {
        using var scope = torch.NewDisposeScope();
        var options = TestImages.Identity(8, 8);
        options.GrayscaleProbability = 1;
        options.Normalization!.Mean = new[] { 0f, 0f, 0f };
        options.Normalization.Std = new[] { 1f, 1f, 1f };
        var images = TestImages.Random(2, 3, 8, 8);
        var gray = new BatchAugmenter(options).Apply(images, new Generator(3));
        Assert.True(gray[.., 0].allclose(gray[.., 1], rtol: 0, atol: 1e-6));
        Assert.True(gray[.., 0].allclose(gray[.., 2], rtol: 0, atol: 1e-6));
        var x = images.to_type(ScalarType.Float32).div(255);
        var luma = x[.., 0] * 0.299f + x[.., 1] * 0.587f + x[.., 2] * 0.114f;
        Assert.True(gray[.., 0].allclose(luma, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void SameSeedGivesTheSameViewsAndDifferentSeedsDifferentOnes()
    {
        using var scope = torch.NewDisposeScope();
        var augmenter = new BatchAugmenter(AugmentationOptions.MoCoV2(16, 16));
        var images = TestImages.Random(4, 3, 24, 24);
        var a = augmenter.Apply(images, new Generator(11));
        var b = augmenter.Apply(images, new Generator(11));
        var c = augmenter.Apply(images, new Generator(12));
        Assert.True(a.Equals(b));
        Assert.False(a.allclose(c));
        Assert.False(a.Equals(c));

        // One generator advances: two calls give two different views (the query and key of MoCo).
        var g = new Generator(11);
        var first = augmenter.Apply(images, g);
        var second = augmenter.Apply(images, g);
        Assert.True(first.Equals(a));
        Assert.False(first.allclose(second));
    }

    /// <summary>
    /// The crop box and flip of every view of <see cref="TestImages.Ramps"/>, read back from the view itself: channel 0 is
    /// the horizontal ramp x/(W − 1) and channel 1 the vertical ramp y/(H − 1) of the input's pixel-centre coordinates, so
    /// a least-squares line through a view's interior columns (rows) gives the sampled x (y) range. Interior only: border
    /// padding clamps samples that fall outside the outer pixel centres.
    /// </summary>
    private static (Tensor X0, Tensor Y0, Tensor W, Tensor H, Tensor Flipped, double MaxResidual) BoxesFromViews(Tensor views, int height, int width)
    {
        long outH = views.shape[2], outW = views.shape[3];
        (Tensor Centre, Tensor Slope, Tensor Residual) Fit(Tensor profile) // (B, n) samples at positions 2 … n + 1
        {
            long n = profile.shape[1];
            var t = torch.arange(2, n + 2, dtype: ScalarType.Float64);
            var tc = t - t.mean();
            var slope = (profile * tc).sum(1) / tc.square().sum();
            var centre = profile.mean(new long[] { 1 });              // the line's value at the middle position
            var residual = (profile - centre.unsqueeze(1) - slope.unsqueeze(1) * tc).abs().max();
            return (centre, slope, residual);
        }
        var v = views.to_type(ScalarType.Float64);
        var (cx, sx, rx) = Fit(v[.., 0, 2..^2, 2..^2].mean(new long[] { 1 }));   // columns 2 … outW − 3
        var (cy, sy, ry) = Fit(v[.., 1, 2..^2, 2..^2].mean(new long[] { 2 }));   // rows 2 … outH − 3
        // Output pixel j samples input x = x0 + (j + ½)·w/outW − ½ (mirrored when flipped); the middle sample is the box centre.
        var w = sx.abs() * outW * (width - 1);
        var h = sy.abs() * outH * (height - 1);
        var x0 = cx * (width - 1) + 0.5 - w / 2;
        var y0 = cy * (height - 1) + 0.5 - h / 2;
        return (x0, y0, w, h, sx.lt(0), Math.Max(rx.item<double>(), ry.item<double>()));
    }

    [Theory]
    [InlineData(0.08, 1.0, 0.5, 32, 40)]   // the small-image recipe's scale range on a wide input
    [InlineData(0.05, 0.2, 0.5, 32, 32)]   // a zoom-only range on a square one
    [InlineData(0.08, 1.0, 0.0, 32, 32)]   // flip off
    public void ViewsShowCropsInsideTheImageWithinTheScaleAndRatioRangesFlippedAtTheirRate(double minScale, double maxScale, double flip, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        var options = TestImages.Identity(32, 32);
        (options.Crop.MinScale, options.Crop.MaxScale) = (minScale, maxScale);
        (options.Crop.MinAspectRatio, options.Crop.MaxAspectRatio) = (0.75, 4.0 / 3);
        options.Crop.HorizontalFlipProbability = flip;
        options.Normalization!.Mean = new[] { 0f, 0f, 0f };
        options.Normalization.Std = new[] { 1f, 1f, 1f };
        var views = new BatchAugmenter(options).Apply(TestImages.Ramps(512, height, width), new Generator(2));
        var (x0, y0, w, h, flipped, residual) = BoxesFromViews(views, height, width);

        // Every view is a straight, uniformly scaled piece of the ramps: a crop and resize, nothing warped
        // (the ramps are whole 0–255 values, so lines deviate by up to half a level).
        Assert.True(residual < 1.5 / 255, $"largest deviation of a view from a straight ramp: {residual * 255:F2} levels");
        const double px = 0.25; // the recovered boxes are accurate to about 0.1 px (ramp rounding)
        Assert.True(x0.ge(-px).all().item<bool>() && y0.ge(-px).all().item<bool>(), "boxes start inside the image");
        Assert.True((x0 + w).le(width + px).all().item<bool>() && (y0 + h).le(height + px).all().item<bool>(), "boxes end inside the image");
        var area = (w * h).div(height * width);
        var ratio = w / h;
        double amin = area.min().item<double>(), amax = area.max().item<double>();
        double rmin = ratio.min().item<double>(), rmax = ratio.max().item<double>();
        string ranges = $"area {amin:F3}…{amax:F3} of [{minScale}, {maxScale}], ratio {rmin:F3}…{rmax:F3} of [0.75, 1.333]";
        Assert.True(amin > minScale * 0.97 && amax < maxScale * 1.03, ranges);
        Assert.True(rmin > 0.75 * 0.97 && rmax < 4.0 / 3 * 1.03, ranges);
        // The areas really spread over the range (uniform, minus rejected attempts), and so do the ratios.
        double span = maxScale - minScale;
        Assert.True(amin < minScale + 0.1 * span && amax > maxScale - 0.1 * span, ranges);
        Assert.True(rmin < 0.8 && rmax > 1.25, ranges);
        double flippedShare = flipped.to_type(ScalarType.Float64).mean().item<double>();
        if (flip == 0) Assert.Equal(0, flippedShare);
        else Assert.InRange(flippedShare, flip - 0.1, flip + 0.1);
    }

    [Fact]
    public void BrightnessFactorsStayInTheirRange()
    {
        using var scope = torch.NewDisposeScope();
        var options = TestImages.Identity(8, 8);
        options.ColorJitter.Probability = 1;
        options.ColorJitter.Brightness = 0.4;
        options.ColorJitter.Contrast = 0;
        options.ColorJitter.Saturation = 0;
        options.ColorJitter.Hue = 0;
        var augmenter = new BatchAugmenter(options);
        var images = TestImages.Constant(64, 3, 8, 8, 100); // 100·1.4 < 255: no clamping
        var p = augmenter.Sample(images, new Generator(9));
        var view = augmenter.ApplyUnnormalized(images, p);
        var ratio = view.mean(new long[] { 1, 2, 3 }).div(100f / 255);
        Assert.True(ratio.ge(0.6f - 1e-5).all().item<bool>() && ratio.le(1.4f + 1e-5).all().item<bool>());
        Assert.True(ratio.min().item<float>() < 0.7f && ratio.max().item<float>() > 1.3f, "factors should spread over [0.6, 1.4]");
        Assert.True(ratio.allclose(p.JitterFactors[.., 0].to_type(ScalarType.Float32), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void JitterOrderIsAPerImagePermutationOrFixedWhenAsked()
    {
        using var scope = torch.NewDisposeScope();
        var options = new AugmentationOptions();
        var order = AugmentationParameters.Sample(options, 32, 8, 8, new Generator(1)).JitterOrder;
        Assert.True(order.sort(1).Values.Equals(torch.arange(4).expand(32, 4)));
        Assert.True(order.unique(dim: 0).Item1.shape[0] > 5, "orders should differ between images");

        options.ColorJitter.RandomOrder = false;
        order = AugmentationParameters.Sample(options, 32, 8, 8, new Generator(1)).JitterOrder;
        Assert.True(order.Equals(torch.arange(4).expand(32, 4)));
    }

    [Fact]
    public void SingleChannelImagesGetTheWholePipeline()
    {
        using var scope = torch.NewDisposeScope();
        var options = AugmentationOptions.SmallImages(20, 20, 1);
        options.Blur.Probability = 0.5;
        options.Blur.SigmaMax = 1;
        var images = TestImages.Random(8, 1, 28, 28);
        var views = new BatchAugmenter(options).Apply(images, new Generator(1));
        Assert.Equal(new long[] { 8, 1, 20, 20 }, views.shape);
        Assert.True(views.isfinite().all().item<bool>());
        Assert.Equal(new long[] { 8, 1, 20, 20 }, new BatchAugmenter(options).Evaluate(images).shape);
    }

    [Fact]
    public void SaturationHueAndGrayscaleAreNoOpsOnSingleChannelImages()
    {
        using var scope = torch.NewDisposeScope();
        var options = TestImages.Identity(10, 10, 1);
        options.ColorJitter.Probability = 1;
        options.ColorJitter.Brightness = 0;
        options.ColorJitter.Contrast = 0;
        options.ColorJitter.Saturation = 0.9;
        options.ColorJitter.Hue = 0.5;
        options.GrayscaleProbability = 1;
        var augmenter = new BatchAugmenter(options);
        var images = TestImages.Random(4, 1, 10, 10);
        Assert.True(augmenter.Apply(images, new Generator(1)).allclose(augmenter.Evaluate(images), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void BlurRemovesHighFrequencyEnergyAndKeepsFlatImages()
    {
        using var scope = torch.NewDisposeScope();
        var options = TestImages.Identity(16, 16);
        options.Blur.Probability = 1;
        options.Blur.SigmaMin = 1;
        options.Blur.SigmaMax = 2;
        var augmenter = new BatchAugmenter(options);

        var board = TestImages.Checkerboard(4, 3, 16, 16);
        var sharp = board.to_type(ScalarType.Float32).div(255);
        var blurred = augmenter.ApplyUnnormalized(board, augmenter.Sample(board, new Generator(1)));
        static Tensor Energy(Tensor x) => (x[.., .., .., 1..] - x[.., .., .., ..^1]).square().mean();
        double before = Energy(sharp).item<float>(), after = Energy(blurred).item<float>();
        Assert.True(after < 0.05 * before, $"high-frequency energy {before} -> {after}");
        Assert.True(blurred.mean().allclose(sharp.mean(), rtol: 0, atol: 0.02), "blur must preserve the mean");

        var flat = TestImages.Constant(2, 3, 16, 16, 77);
        var flatView = augmenter.ApplyUnnormalized(flat, augmenter.Sample(flat, new Generator(1)));
        Assert.True(flatView.allclose(torch.full_like(flatView, 77f / 255), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void BlurKernelsAreNormalisedAndImpulsesWhereNotApplied()
    {
        using var scope = torch.NewDisposeScope();
        var sigma = torch.tensor(new[] { 0.1, 1.0, 2.0 });
        var apply = torch.tensor(new[] { true, true, false });
        int r = GaussianBlur.Radius(2.0);
        Assert.Equal(6, r);
        var k = GaussianBlur.Kernels(sigma, apply, r);
        Assert.True(k.sum(1).allclose(torch.ones(3, dtype: ScalarType.Float64)));
        Assert.Equal(1.0, k[2, r].item<double>());
        Assert.True(k[0, r].item<double>() > 0.99); // σ = 0.1 is almost an impulse
        Assert.True(k[1, r + 1].allclose(k[1, r - 1]));
    }

    [Fact]
    public void HueRotationMovesRedTowardsGreenForPositiveShiftsAndKeepsGreys()
    {
        using var scope = torch.NewDisposeScope();
        var m = ColorMatrices.Hue(torch.tensor(new[] { 0.0, 1.0 / 3, -1.0 / 3, 0.5 }));
        var red = torch.tensor(new[] { 1.0, 0, 0 }).view(1, 3, 1).expand(4, 3, 1);
        var rotated = torch.bmm(m, red).squeeze(2);
        Assert.True(rotated[0].allclose(torch.tensor(new[] { 1.0, 0, 0 }), rtol: 0, atol: 1e-9));
        Assert.Equal(1L, rotated[1].argmax().item<long>()); // +1/3 turn: red → green
        Assert.Equal(2L, rotated[2].argmax().item<long>()); // −1/3 turn: red → blue
        var grey = torch.full(new long[] { 4, 3, 1 }, 0.5, ScalarType.Float64);
        Assert.True(torch.bmm(m, grey).allclose(grey, rtol: 0, atol: 1e-9));
    }

    [Fact]
    public void ContrastAndSaturationAtZeroGiveMeanGreyAndGrayscale()
    {
        using var scope = torch.NewDisposeScope();
        var x = TestImages.Random(2, 3, 6, 6).to_type(ScalarType.Float32).div(255);
        var apply = torch.tensor(new[] { true, true });
        var on = new[] { true, true, true, true };
        var fixedOrder = torch.arange(4).expand(2, 4).contiguous();

        // Contrast 0 (others neutral): every pixel becomes the image's mean grey level.
        var contrast0 = torch.tensor(new[,] { { 1.0, 0, 1, 0 }, { 1.0, 0, 1, 0 } });
        var flat = ColorJitter.Apply(x, apply, contrast0, fixedOrder, on);
        var meanGray = (x[.., 0] * 0.299f + x[.., 1] * 0.587f + x[.., 2] * 0.114f).mean(new long[] { 1, 2 });
        Assert.True(flat.allclose(meanGray.view(2, 1, 1, 1).expand_as(x), rtol: 0, atol: 1e-5));

        // Saturation 0: the grayscale image.
        var saturation0 = torch.tensor(new[,] { { 1.0, 1, 0, 0 }, { 1.0, 1, 0, 0 } });
        var gray = ColorJitter.Apply(x, apply, saturation0, fixedOrder, on);
        Assert.True(gray.allclose(RandomGrayscale.Apply(x, apply), rtol: 0, atol: 1e-5));

        // Nothing applied: the input itself.
        Assert.Same(x, ColorJitter.Apply(x, torch.tensor(new[] { false, false }), saturation0, fixedOrder, on));
    }

    [Fact]
    public void EvaluateCentreCropsAndResizesOtherSizes()
    {
        using var scope = torch.NewDisposeScope();
        var options = TestImages.Identity(8, 8);
        options.Normalization!.Mean = new[] { 0f, 0f, 0f };
        options.Normalization.Std = new[] { 1f, 1f, 1f };
        var augmenter = new BatchAugmenter(options);
        var ramps = TestImages.Ramps(1, 16, 32); // wide: the centre 16×16 is kept
        var small = augmenter.Evaluate(ramps);
        Assert.Equal(new long[] { 1, 3, 8, 8 }, small.shape);
        double centre = small[0, 0].mean().item<float>();
        Assert.InRange(centre, 0.45, 0.55);
        Assert.True(small[0, 0, 0, 0].item<float>() > 0.2f, "the left quarter must be cropped away");
        Assert.True(small[0, 2].allclose(torch.full(8, 8, 128f / 255), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void BadInputsGiveClearErrors()
    {
        using var scope = torch.NewDisposeScope();
        var augmenter = new BatchAugmenter(AugmentationOptions.SmallImages(8, 8));
        var g = new Generator(1);
        Assert.Contains("uint8", Assert.Throws<ArgumentException>(() => augmenter.Apply(torch.zeros(1, 3, 8, 8), g)).Message);
        Assert.Contains("4-D", Assert.Throws<ArgumentException>(() => augmenter.Apply(torch.zeros(new long[] { 3, 8, 8 }, ScalarType.Byte), g)).Message);
        Assert.Contains("channels", Assert.Throws<ArgumentException>(() => augmenter.Apply(TestImages.Random(1, 1, 8, 8), g)).Message);
        Assert.Throws<ArgumentNullException>(() => augmenter.Apply(TestImages.Random(1, 3, 8, 8), null!));
    }

    [Fact]
    public void ApplyLeavesOnlyItsResultAlive()
    {
        var augmenter = new BatchAugmenter(AugmentationOptions.MoCoV2(16, 16));
        using var images = TestImages.Random(4, 3, 20, 20);
        using var g = new Generator(1);
        augmenter.Apply(images, g).Dispose(); // warm up any lazily created state
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var view = augmenter.Apply(images, g);
        Assert.Equal(before + 1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        view.Dispose();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
