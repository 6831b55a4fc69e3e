// Quick start: pretrain on unlabelled images, then train a classifier on few labels.
//   dotnet run --project samples/GettingStarted [-- <folder of images in one subfolder per class>]
// Without a folder it uses Debian's Fashion-MNIST (package dataset-fashion-mnist).
using Microsoft.ML;
using Microsoft.ML.Data;
using SynCo.ML;
using SynCo.ML.Augmentation;
using SynCo.ML.Data;
using SynCo.ML.Model;
using SynCo.ML.Negatives;

var ml = new MLContext(seed: 1);
IDataView unlabelled, labelled, test;
if (args.Length > 0)
    (unlabelled, labelled, test) = FromFolder(ml, args[0]);
else
    (unlabelled, labelled, test) = FromFashionMnist(ml);

// #region pretrain
// 1. Self-supervised pretraining on unlabelled images: "Pixels" is a (C, H, W) vector of 0–255 values.
var options = new SynCoOptions
{
    OutputColumnName = "Features", InputColumnName = "Pixels",
    Epochs = 6, BatchSize = 128,
    FeatureGrid = 4,   // keep each cell of the 4×4 feature map (16 × 128 values) instead of averaging them globally
    Run = { OnEpoch = e => Console.WriteLine($"epoch {e.Epoch + 1}: loss {e.Loss:F3}, {e.ImagesPerSecond:F0} img/s") },
};
options.Backbone.Architecture = ResNetArchitecture.ResNet10;   // one block per stage: twice ResNet-18's images per second
options.Backbone.WidthMultiplier = 0.25;                      // CPU-sized: 16 to 128 channels
// The small-image recipe (sized to the "Pixels" images when training starts) with milder crops: at least 80 % of the
// image's area instead of 8 %. A short run on small, centred items such as Fashion-MNIST's learns much faster with them.
options.Augmentation = AugmentationOptions.SmallImages();
options.Augmentation.Crop.MinScale = 0.8;
options.Negatives = NegativeOptions.SynCo(options.MoCo.QueueSize);   // the six synthetic hard-negative types
options.Negatives.WarmupEpochs = 1;                               // from epoch 2 (the papers warm up 10 of 200)
SynCoTransformer featurizer = ml.Transforms.SynCoPretrain(options).Fit(unlabelled);

// 2. A classifier on the embeddings, trained on the few labelled images. featurizer.Transform keeps each view's
//    embeddings in memory, so the trainer's passes over them do not run the backbone again. L-BFGS sums its loss over
//    the examples, so its default L2 weight of 1 barely regularises 2,048 features fitted to 1,000 labels: 100 is
//    the weight cross-validation on the labels picks for these features (LinearProbe.SelectL2).
IEstimator<ITransformer> Classifier(string features) => ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.NormalizeMeanVariance(features))
    .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", features, l2Regularization: 100));
var trainer = Classifier("Features");
var classifier = trainer.Fit(featurizer.Transform(labelled));
ITransformer model = featurizer.Append(classifier);

// 3. Evaluate beside the same trainer on the raw pixels, save like any ML.NET model, export the backbone.
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
var raw = ml.MulticlassClassification.Evaluate(Classifier("Pixels").Fit(labelled).Transform(test));
Console.WriteLine($"test accuracy: {metrics.MicroAccuracy:P1} on SynCo features, {raw.MicroAccuracy:P1} on raw pixels (same labels and trainer)");
ml.Model.Save(model, test.Schema, "model.zip");
featurizer.ExportOnnx("backbone.onnx");
// #endregion

// #region reload
// 4. A featurizer loaded from disk is ML.NET's own chain, which runs the backbone for every row each time a trainer
//    reads it: cache its output once (ml.Data.Cache, or AppendCacheCheckpoint in an estimator chain) before training.
ml.Model.Save(featurizer, labelled.Schema, "featurizer.zip");
ITransformer loadedFeaturizer = ml.Model.Load("featurizer.zip", out _);
var retrained = trainer.Fit(ml.Data.Cache(loadedFeaturizer.Transform(labelled)));
Console.WriteLine($"retrained on the reloaded featurizer: test accuracy " +
    $"{ml.MulticlassClassification.Evaluate(retrained.Transform(loadedFeaturizer.Transform(test))).MicroAccuracy:P1}");
// #endregion

static (IDataView, IDataView, IDataView) FromFashionMnist(MLContext ml)
{
    var train = IdxImageDataset.LoadFashionMnist(train: true);
    var testSet = IdxImageDataset.LoadFashionMnist(train: false);
    return (Rows(ml, train.Subset(10_000, seed: 1)), Rows(ml, train.Subset(1_000, seed: 2)), Rows(ml, testSet));
}

// #region folder
// From image files: ML.NET loads and resizes them, ExtractPixels makes the (3, 32, 32) "Pixels" vector.
static (IDataView, IDataView, IDataView) FromFolder(MLContext ml, string folder)
{
    var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
        .Where(f => ImageFolderDataset.SupportedExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
        .Select(f => new ImageFile { Path = f, Label = Path.GetFileName(Path.GetDirectoryName(f)!) })
        .ToList();
    var all = ml.Data.LoadFromEnumerable(files);
    var pixels = ml.Transforms.LoadImages("Image", folder, nameof(ImageFile.Path))
        .Append(ml.Transforms.ResizeImages("Image", 32, 32))
        .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
        .Append(ml.Transforms.DropColumns("Image"));
    var prepared = pixels.Fit(all).Transform(all);
    var split = ml.Data.TrainTestSplit(prepared, testFraction: 0.2, seed: 1);
    return (split.TrainSet, split.TrainSet, split.TestSet);
}
// #endregion

static IDataView Rows(MLContext ml, IdxImageDataset images) =>
    ml.Data.LoadFromEnumerable(Enumerable.Range(0, images.Count).Select(i =>
    {
        var bytes = new byte[28 * 28];
        images.ReadImage(i, bytes);
        return new PixelRow { Pixels = Array.ConvertAll(bytes, b => (float)b), Label = images.Labels![i].ToString() };
    }));

sealed class PixelRow
{
    [VectorType(1, 28, 28)] public float[] Pixels { get; set; } = Array.Empty<float>();
    public string Label { get; set; } = "";
}

sealed class ImageFile
{
    public string Path { get; set; } = "";
    public string Label { get; set; } = "";
}
