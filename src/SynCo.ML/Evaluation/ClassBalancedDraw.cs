using SynCo.ML.Data;

namespace SynCo.ML.Evaluation;

/// <summary>
/// A class-balanced subset of labelled examples, the few-label protocol of semi-supervised evaluation: the same
/// fraction of every class, chosen by a seed. Different seeds give different draws; the same seed gives the same draw
/// on every platform (SplitMix64 + Fisher–Yates, as the training shuffle).
/// </summary>
/// <example>
/// <code>
/// int[] onePercent = ClassBalancedDraw.Indices(trainLabels, fraction: 0.01, seed: 1);   // 600 of Fashion-MNIST's 60,000
/// </code>
/// </example>
public static class ClassBalancedDraw
{
    /// <summary>
    /// Indices (ascending) of round(<paramref name="fraction"/> · n<sub>c</sub>) examples of every class c, at least one
    /// per class present; all indices when <paramref name="fraction"/> is 1.
    /// </summary>
    /// <param name="labels">Class of each example; non-negative.</param>
    /// <param name="fraction">Share of each class to keep, in (0, 1].</param>
    /// <param name="seed">Draw seed.</param>
    /// <exception cref="ArgumentException"><paramref name="labels"/> is empty or holds a negative class.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not in (0, 1].</exception>
    public static int[] Indices(IReadOnlyList<int> labels, double fraction, long seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        Guard.Fraction(fraction, nameof(fraction));
        if (labels.Count == 0) throw new ArgumentException("There are no labels to draw from; pass at least one labelled example.", nameof(labels));
        if (fraction == 1) return Enumerable.Range(0, labels.Count).ToArray();
        var chosen = new List<int>();
        foreach (var members in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i] >= 0 ? labels[i]
                     : throw new ArgumentException($"Label {labels[i]} at index {i} is negative; classes are 0, 1, 2, …", nameof(labels))))
        {
            int[] all = members.ToArray();
            int take = Math.Max(1, (int)Math.Round(fraction * all.Length, MidpointRounding.AwayFromZero));
            foreach (int j in DeterministicShuffle.Permutation(all.Length, seed, stream: members.Key)[..take])
                chosen.Add(all[j]);
        }
        chosen.Sort();
        return chosen.ToArray();
    }
}
