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
    public int[] Predict(float[][] queries, int batchSize = 256) => Predict(queries, new[] { K }, batchSize)[0];

    /// <summary>
    /// Predicted classes for several neighbour counts from one similarity search: entry j holds the votes of the
    /// <paramref name="neighbours"/>[j] most similar bank vectors (the 5-NN and the 200-NN of the same bank cost one
    /// search, not two).
    /// </summary>
    /// <param name="queries">Query vectors, of the bank's length.</param>
    /// <param name="neighbours">Neighbour counts, each in [1, <see cref="K"/>].</param>
    /// <param name="batchSize">Queries per similarity product; positive.</param>
    public int[][] Predict(float[][] queries, IReadOnlyList<int> neighbours, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(neighbours);
        if (neighbours.Count == 0) throw new ArgumentException("Pass at least one neighbour count.", nameof(neighbours));
        foreach (int k in neighbours)
            if (k < 1 || k > K) throw new ArgumentOutOfRangeException(nameof(neighbours), k, $"Neighbour counts must lie in [1, {K}] (K, clamped to the bank size).");
        Guard.Positive(batchSize, nameof(batchSize));
        using var scope = NewDisposeScope();
        int dim = _bank[0].Length;
        var bank = nn.functional.normalize(ToTensor(_bank, dim), dim: 1);
        var labels = tensor(_labels.Select(l => (long)l).ToArray());
        var predictions = neighbours.Select(_ => new int[queries.Length]).ToArray();
        for (int start = 0; start < queries.Length; start += batchSize)
        {
            using var inner = NewDisposeScope();
            int n = Math.Min(batchSize, queries.Length - start);
            var q = nn.functional.normalize(ToTensor(queries.AsSpan(start, n).ToArray(), dim), dim: 1);
            var (sim, idx) = q.matmul(bank.t()).topk(neighbours.Max(), dim: 1);   // sorted, most similar first
            var weights = (sim / Temperature).exp();
            var classes = labels[idx];
            for (int j = 0; j < neighbours.Count; j++)
            {
                var top = TensorIndex.Slice(0, neighbours[j]);
                var votes = zeros(n, Classes).scatter_add_(1, classes[TensorIndex.Colon, top], weights[TensorIndex.Colon, top]);
                var best = votes.argmax(1).data<long>().ToArray();
                for (int i = 0; i < n; i++) predictions[j][start + i] = (int)best[i];
            }
        }
        return predictions;
    }

    /// <summary>Fraction of <paramref name="queries"/> whose predicted class equals <paramref name="labels"/>.</summary>
    public double Accuracy(float[][] queries, int[] labels) => Accuracies(queries, labels, new[] { K })[0];

    /// <summary>
    /// Accuracy for each of <paramref name="neighbours"/> (each in [1, <see cref="K"/>]) from one similarity search; see
    /// <see cref="Predict(float[][], IReadOnlyList{int}, int)"/>.
    /// </summary>
    public IReadOnlyList<double> Accuracies(float[][] queries, int[] labels, IReadOnlyList<int> neighbours)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(labels);
        if (queries.Length != labels.Length)
            throw new ArgumentException($"{queries.Length} vectors but {labels.Length} labels; pass one label per vector.", nameof(labels));
        if (queries.Length == 0) throw new ArgumentException("No vectors to evaluate.", nameof(queries));
        return Predict(queries, neighbours).Select(p => p.Zip(labels).Count(x => x.First == x.Second) / (double)labels.Length).ToArray();
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
