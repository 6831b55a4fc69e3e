using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Evaluation;

/// <summary>
/// Weighted k-nearest-neighbour classifier on cosine similarity, the standard SSL monitor (InstDisc; MoCo CIFAR demo,
/// lightly): the k most similar bank features vote for their class with weight <c>exp(sim / t)</c>.
/// Defaults k = 200, t = 0.1.
/// </summary>
/// <example>
/// <code>
/// var knn = new KnnClassifier(trainFeatures, trainLabels, classes: 10);
/// double accuracy = knn.Accuracy(testFeatures, testLabels);
/// </code>
/// </example>
public sealed class KnnClassifier
{
    private readonly float[][] _bank;
    private readonly int[] _labels;

    /// <summary>Creates the classifier over a labelled feature bank (features need not be normalised).</summary>
    /// <param name="bank">Feature vectors, all of one length.</param>
    /// <param name="labels">Class of each vector, in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">Number of classes; positive.</param>
    /// <param name="k">Neighbours that vote; positive (clamped to the bank size).</param>
    /// <param name="temperature">Vote temperature t; &gt; 0.</param>
    public KnnClassifier(float[][] bank, int[] labels, int classes, int k = 200, double temperature = 0.1)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(labels);
        if (bank.Length == 0) throw new ArgumentException("The feature bank is empty; pass at least one labelled vector.", nameof(bank));
        if (bank.Length != labels.Length)
            throw new ArgumentException($"The bank has {bank.Length} vectors but {labels.Length} labels; pass one label per vector.", nameof(labels));
        Classes = Guard.Positive(classes, nameof(classes));
        if (labels.Any(l => l < 0 || l >= classes))
            throw new ArgumentOutOfRangeException(nameof(labels), $"Labels must lie in [0, {classes}).");
        K = Math.Min(Guard.Positive(k, nameof(k)), bank.Length);
        Temperature = Guard.Positive(temperature, nameof(temperature));
        _bank = bank;
        _labels = labels;
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Voting neighbours.</summary>
    public int K { get; }

    /// <summary>Vote temperature.</summary>
    public double Temperature { get; }

    /// <summary>Predicted class of each query vector.</summary>
    public int[] Predict(float[][] queries, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(queries);
        using var scope = NewDisposeScope();
        int dim = _bank[0].Length;
        var bank = nn.functional.normalize(ToTensor(_bank, dim), dim: 1);
        var labels = tensor(_labels.Select(l => (long)l).ToArray());
        var predictions = new int[queries.Length];
        for (int start = 0; start < queries.Length; start += batchSize)
        {
            using var inner = NewDisposeScope();
            int n = Math.Min(batchSize, queries.Length - start);
            var q = nn.functional.normalize(ToTensor(queries.AsSpan(start, n).ToArray(), dim), dim: 1);
            var (sim, idx) = q.matmul(bank.t()).topk(K, dim: 1);
            var votes = zeros(n, Classes).scatter_add_(1, labels[idx], (sim / Temperature).exp());
            var best = votes.argmax(1).data<long>().ToArray();
            for (int i = 0; i < n; i++) predictions[start + i] = (int)best[i];
        }
        return predictions;
    }

    /// <summary>Fraction of <paramref name="queries"/> whose predicted class equals <paramref name="labels"/>.</summary>
    public double Accuracy(float[][] queries, int[] labels)
    {
        if (queries.Length != labels.Length)
            throw new ArgumentException($"{queries.Length} vectors but {labels.Length} labels; pass one label per vector.", nameof(labels));
        if (queries.Length == 0) throw new ArgumentException("No vectors to evaluate.", nameof(queries));
        var predicted = Predict(queries);
        return predicted.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length;
    }

    private static Tensor ToTensor(float[][] rows, int dim)
    {
        var flat = new float[rows.Length * dim];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != dim) throw new ArgumentException($"Vector {i} has length {rows[i].Length}; all vectors must have length {dim}.");
            rows[i].CopyTo(flat, i * dim);
        }
        return tensor(flat, new long[] { rows.Length, dim });
    }
}
