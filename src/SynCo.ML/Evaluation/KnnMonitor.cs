using SynCo.ML.Augmentation;
using SynCo.ML.Data;
using SynCo.ML.Model;

namespace SynCo.ML.Evaluation;

/// <summary>
/// The weighted kNN monitor of the MoCo CIFAR demo, for <see cref="Training.RunOptions.Monitor"/>: after each
/// epoch, embed a small labelled bank and test set with the current encoder and report kNN test accuracy.
/// </summary>
/// <example>
/// <code>
/// options.Monitor = new KnnMonitor(bank, bankLabels, test, testLabels, classes: 10,
///     AugmentationOptions.SmallImages(28, 28, 1)).Measure;
/// </code>
/// </example>
public sealed class KnnMonitor
{
    private readonly IImageDataset _bank, _test;
    private readonly int[] _bankLabels, _testLabels;
    private readonly AugmentationOptions _normalisation;

    /// <summary>Creates a monitor over labelled images (keep them small: they are embedded every epoch).</summary>
    /// <param name="bank">Labelled reference images (e.g. 1,000–5,000 training images).</param>
    /// <param name="bankLabels">One class index in [0, <paramref name="classes"/>) per bank image.</param>
    /// <param name="test">Held-out images whose accuracy is reported.</param>
    /// <param name="testLabels">One class index per test image.</param>
    /// <param name="classes">Number of classes, at least 2.</param>
    /// <param name="normalisation">The training normalisation (mean and standard deviation).</param>
    /// <param name="k">Neighbours, default 200 as in the demo.</param>
    /// <param name="temperature">Weighting temperature, default 0.1.</param>
    public KnnMonitor(IImageDataset bank, IReadOnlyList<int> bankLabels, IImageDataset test, IReadOnlyList<int> testLabels, int classes,
        AugmentationOptions normalisation, int k = 200, double temperature = 0.1)
    {
        _bank = bank ?? throw new ArgumentNullException(nameof(bank));
        _test = test ?? throw new ArgumentNullException(nameof(test));
        if (bankLabels.Count != bank.Count || testLabels.Count != test.Count)
            throw new ArgumentException($"Pass one label per image: bank {bank.Count} images / {bankLabels.Count} labels, test {test.Count} / {testLabels.Count}.");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be at least 2.");
        _bankLabels = bankLabels.ToArray();
        _testLabels = testLabels.ToArray();
        Classes = classes;
        K = Math.Min(k, bank.Count);
        Temperature = temperature;
        _normalisation = normalisation ?? throw new ArgumentNullException(nameof(normalisation));
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Neighbours used (at most the bank size).</summary>
    public int K { get; }

    /// <summary>Weighting temperature.</summary>
    public double Temperature { get; }

    /// <summary>kNN test accuracy in [0, 1] of <paramref name="encoder"/>'s pooled features; matches <see cref="Training.RunOptions.Monitor"/>.</summary>
    public double Measure(ContrastiveEncoder encoder, int epoch)
    {
        var bank = EncoderFeatures.Extract(encoder, _bank, _normalisation);
        var test = EncoderFeatures.Extract(encoder, _test, _normalisation);
        return new KnnClassifier(bank, _bankLabels, Classes, K, Temperature).Accuracy(test, _testLabels);
    }
}
