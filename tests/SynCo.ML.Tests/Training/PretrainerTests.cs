using SynCo.ML.Augmentation;
using SynCo.ML.Data;
using SynCo.ML.Negatives;
using SynCo.ML.Tests.Data;
using SynCo.ML.Tests.MLNet;
using SynCo.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Training;

public class PretrainerTests
{
    private static InMemoryImageDataset Data(int count = 64) =>
        InMemoryImageDataset.FromFloats(TinyImages.Stripes(count, seed: 9).Select(r => r.Pixels), 1, TinyImages.Side, TinyImages.Side);

    private static PretrainOptions Options(int epochs, string? checkpoints = null, int smallCrops = 0)
    {
        var o = new PretrainOptions { Epochs = epochs, BatchSize = 16, MoCo = { QueueSize = 64 }, Run = { Device = "cpu", Seed = 3, CheckpointDirectory = checkpoints } };
        o.SmallCrops.Count = smallCrops;
        o.Backbone.WidthMultiplier = 0.25;
        o.Backbone.BatchNormSplits = 2;
        o.Negatives = NegativeOptions.SynCo(64);
        o.Negatives.WarmupEpochs = 1;
        return o;
    }

    private static float[] Weights(PretrainResult r) =>
        r.Encoder.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(2)]   // multi-crop: the small crops' draws are part of the seeded stream too
    public void AnInterruptedAndResumedRunEqualsAnUninterruptedOne(int smallCrops)
    {
        using var dirA = new TempFolder();
        using var dirB = new TempFolder();
        using var straight = new Pretrainer(Options(3, dirA.Path, smallCrops)).Train(Data());

        using var cts = new CancellationTokenSource();
        var first = Options(3, dirB.Path, smallCrops);
        first.Run.OnEpoch = e => { if (e.Epoch == 1) cts.Cancel(); };   // stop after the first synthesising epoch
        Assert.ThrowsAny<OperationCanceledException>(() => new Pretrainer(first).Train(Data(), cts.Token));
        Assert.Equal(2, Checkpoint.ReadMeta(dirB.Path)!.NextEpoch);

        var second = Options(3, dirB.Path, smallCrops);
        second.Run.Resume = true;
        var resumedEpochs = new List<int>();
        second.Run.OnEpoch = e => resumedEpochs.Add(e.Epoch);
        using var resumed = new Pretrainer(second).Train(Data());

        Assert.Equal(new[] { 2 }, resumedEpochs);
        Assert.Equal(straight.History.Select(h => h.Loss), resumed.History.Select(h => h.Loss));
        Assert.Equal(Weights(straight), Weights(resumed));
    }

    [Fact]
    public void ACheckpointRebuildsTheTrainedEncoderForExport()
    {
        using var dir = new TempFolder();
        using var trained = new Pretrainer(Options(1, dir.Path)).Train(Data());
        var (encoder, description) = Checkpoint.LoadEncoder(dir.Path);
        using (encoder)
        {
            Assert.Equal((1, 16, 16, 128), (description.InputChannels, description.ImageHeight, description.ImageWidth, description.EmbeddingDim));
            Assert.True(description.SmallStem);
            using var images = rand(4, 1, 16, 16);
            trained.Encoder.eval();
            Assert.Equal(trained.Encoder.call(images).data<float>().ToArray(), encoder.call(images).data<float>().ToArray());
            // The export normalises as training did: the small-image recipe maps one grey channel to [−1, 1].
            var spec = description.ExportSpec();
            var trainedWith = Options(1).ResolveAugmentation(1, TinyImages.Side, TinyImages.Side);
            Assert.Equal(new[] { 0.5f }, trainedWith.Normalization!.Mean);
            Assert.Equal(new[] { 0.5f }, trainedWith.Normalization.Std);
            Assert.Equal(trainedWith.Normalization!.Mean, spec.Mean.ToArray());
            Assert.Equal(trainedWith.Normalization.Std, spec.Std.ToArray());
        }
        Assert.Throws<FileNotFoundException>(() => Checkpoint.LoadEncoder(Path.Combine(dir.Path, "missing")));

        // A run with its own normalisation (Fashion-MNIST's statistics) carries that one, not the recipe's.
        using var ownDir = new TempFolder();
        var own = Options(1, ownDir.Path);
        own.Augmentation = AugmentationOptions.SmallImages(TinyImages.Side, TinyImages.Side, 1);
        own.Augmentation.Normalization!.Mean = new[] { 0.286f };
        own.Augmentation.Normalization.Std = new[] { 0.353f };
        using (new Pretrainer(own).Train(Data())) { }
        var (ownEncoder, ownDescription) = Checkpoint.LoadEncoder(ownDir.Path);
        ownEncoder.Dispose();
        Assert.Equal(new[] { 0.286f }, ownDescription.ExportSpec().Mean.ToArray());
        Assert.Equal(new[] { 0.353f }, ownDescription.ExportSpec().Std.ToArray());
    }

    [Theory]
    [InlineData("epochs")]
    [InlineData("temperature")]
    [InlineData("crop scale")]
    [InlineData("learning-rate warm-up")]
    [InlineData("negatives warm-up")]
    [InlineData("interpolation coefficient")]
    [InlineData("small crops")]
    public void AResumeWithADifferentConfigurationIsRefused(string change)
    {
        using var dir = new TempFolder();
        using (new Pretrainer(Options(2, dir.Path)).Train(Data(32))) { }
        var other = Options(2, dir.Path);
        other.Run.Resume = true;
        switch (change)
        {
            case "epochs": other.Epochs = 3; break;
            case "temperature": other.MoCo.Temperature = 0.5; break;
            case "crop scale": other.Augmentation = AugmentationOptions.SmallImages(TinyImages.Side, TinyImages.Side, 1); other.Augmentation.Crop.MinScale = 0.5; break;
            case "learning-rate warm-up": other.Optimizer.WarmupEpochs = 1; break;
            case "negatives warm-up": other.Negatives!.WarmupEpochs = 0; break;
            case "interpolation coefficient": other.Negatives!.InterpolationAlpha = new CoefficientRange(0.1, 0.2); break;
            case "small crops": other.SmallCrops.Count = 1; break;
        }
        var e = Assert.Throws<CheckpointMismatchException>(() => new Pretrainer(other).Train(Data(32)));
        Assert.Contains("different configuration", e.Message);

        var same = Options(2, dir.Path);    // the unchanged configuration still resumes: nothing left to train
        var epochs = new List<int>();
        same.Run.OnEpoch = s => epochs.Add(s.Epoch);
        using (var resumed = new Pretrainer(same).Train(Data(32))) Assert.Equal(2, resumed.History.Count);
        Assert.Empty(epochs);
    }

    [Fact]
    public void ThePresetWithoutAShapeIsTheSameRunAsThePresetSizedToTheImages()
    {
        using var dir = new TempFolder();
        var sized = Options(2, dir.Path);
        sized.Augmentation = AugmentationOptions.SmallImages(TinyImages.Side, TinyImages.Side, 1);
        sized.Augmentation.Crop.MinScale = 0.5;
        using (new Pretrainer(sized).Train(Data(32))) { }

        // The same recipe and change without the images' shape: sized when training starts, it has the same checkpoint
        // fingerprint, so it resumes the finished run instead of being refused (or, if it differed, retraining).
        var unsized = Options(2, dir.Path);
        unsized.Run.Resume = true;
        unsized.Augmentation = AugmentationOptions.SmallImages();
        unsized.Augmentation.Crop.MinScale = 0.5;
        var epochs = new List<int>();
        unsized.Run.OnEpoch = e => epochs.Add(e.Epoch);
        using (var resumed = new Pretrainer(unsized).Train(Data(32))) Assert.Equal(2, resumed.History.Count);
        Assert.Empty(epochs);
        var resolved = unsized.ResolveAugmentation(1, TinyImages.Side, TinyImages.Side);
        Assert.Equal((TinyImages.Side, TinyImages.Side, 0.5), (resolved.Crop.Height!.Value, resolved.Crop.Width!.Value, resolved.Crop.MinScale));
        Assert.Null(unsized.Augmentation.Crop.Height);   // the user's options are not changed by training
    }

    [Fact]
    public void AHalfWrittenCheckpointLeftByAKilledProcessIsReplaced()
    {
        using var dir = new TempFolder();
        File.WriteAllText(Path.Combine(dir.Path, Checkpoint.FileName + ".tmp"), "killed while writing");
        using (new Pretrainer(Options(1, dir.Path)).Train(Data(32))) { }
        Assert.Equal(1, Checkpoint.ReadMeta(dir.Path)!.NextEpoch);
        Assert.False(File.Exists(Path.Combine(dir.Path, Checkpoint.FileName + ".tmp")));
    }

    [Fact]
    public void ADivergingLossStopsWithTheEpochAndStepAndKeepsNoBrokenCheckpoint()
    {
        using var dir = new TempFolder();
        var o = Options(2, dir.Path);
        o.Optimizer.LearningRate = 1e30;
        var e = Assert.Throws<TrainingDivergedException>(() => new Pretrainer(o).Train(Data()));
        Assert.Matches(@"at epoch 0, step [2-4]\b", e.Message);
        Assert.Null(Checkpoint.ReadMeta(dir.Path));
    }

    [Fact]
    public void NativeTensorCountStaysFlatAcrossStepsAndEpochs()
    {
        var perStep = new List<(int Epoch, long Live)>();
        var perEpoch = new List<long>();
        var o = Options(4);
        o.Run.OnProgress = p => perStep.Add((p.Epoch, DisposeScopeManager.Statistics.ThreadTotalLiveCount));
        o.Run.OnEpoch = _ => perEpoch.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        using var result = new Pretrainer(o).Train(Data());
        // Inside a step the count includes that step's temporaries (more once synthesis starts); it must not grow from step to step.
        foreach (var epoch in perStep.Skip(1).GroupBy(s => s.Epoch))
            Assert.True(epoch.All(s => s.Live == epoch.First().Live), $"epoch {epoch.Key}: " + string.Join(", ", epoch.Select(s => s.Live)));
        // Between epochs (all step scopes closed) only the optimiser state appears once, after the first step.
        Assert.True(perEpoch.All(n => n == perEpoch[0]), "live tensors after each epoch: " + string.Join(", ", perEpoch));
    }

    [Fact]
    public void ProgressAndHistoryReportEveryStepAndEpoch()
    {
        var progress = new List<TrainingProgress>();
        var o = Options(2);
        o.Run.OnProgress = progress.Add;
        using var result = new Pretrainer(o).Train(Data());
        Assert.Equal(8, progress.Count);
        Assert.Equal(new[] { 1, 2, 3, 4, 1, 2, 3, 4 }, progress.Select(p => p.Step));
        Assert.All(progress, p => Assert.True(p.ImagesPerSecond > 0 && double.IsFinite(p.Loss)));
        Assert.Equal(new[] { false, true }, result.History.Select(h => h.SyntheticNegatives));
        Assert.Contains(result.History[1].Hardness, g => g.Group == "interpolated");
        Assert.DoesNotContain(result.History[0].Hardness, g => g.Group == "interpolated");
        Assert.True(result.History[1].LearningRate < result.History[0].LearningRate, "cosine schedule decays");
    }

    [Fact]
    public void PlainMoCoV2NeverReportsSyntheticNegatives()
    {
        var progress = new List<TrainingProgress>();
        var o = Options(2);
        o.Negatives = NegativeOptions.None();
        o.Negatives.WarmupEpochs = 1;   // past the warm-up there is still nothing to synthesise
        o.Run.OnProgress = progress.Add;
        using var result = new Pretrainer(o).Train(Data());
        Assert.Equal(new[] { false, false }, result.History.Select(h => h.SyntheticNegatives));
        Assert.All(progress, p => Assert.False(p.SyntheticNegatives));
        Assert.All(result.History, h => Assert.Equal(new[] { "positive", "queue" }, h.Hardness.Select(g => g.Group)));
    }
}
