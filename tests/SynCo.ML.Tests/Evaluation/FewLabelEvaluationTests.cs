using SynCo.ML.Evaluation;

namespace SynCo.ML.Tests.Evaluation;

public class FewLabelEvaluationTests
{
    private static readonly int[] Labels = Enumerable.Range(0, 1000).Select(i => i < 500 ? 0 : i < 800 ? 1 : 2).ToArray();

    [Fact]
    public void DrawsTheSameShareOfEveryClassBySeed()
    {
        int[] a = ClassBalancedDraw.Indices(Labels, 0.1, seed: 1);
        Assert.Equal(new[] { 50, 30, 20 }, Enumerable.Range(0, 3).Select(c => a.Count(i => Labels[i] == c)).ToArray());
        Assert.Equal(a.Length, a.Distinct().Count());
        Assert.Equal(a.OrderBy(i => i), a);
        Assert.Equal(a, ClassBalancedDraw.Indices(Labels, 0.1, seed: 1));
        int[] b = ClassBalancedDraw.Indices(Labels, 0.1, seed: 2);
        Assert.NotEqual(a, b);
        Assert.True(a.Intersect(b).Count() < 30, "two seeds' draws of 10 % should overlap by about 10 %, not repeat");
        // Rounding keeps at least one example of every class, and 100 % is everything in order.
        Assert.Equal(new[] { 1, 1, 1 }, Enumerable.Range(0, 3).Select(c => ClassBalancedDraw.Indices(Labels, 0.001, 3).Count(i => Labels[i] == c)).ToArray());
        Assert.Equal(Enumerable.Range(0, 1000), ClassBalancedDraw.Indices(Labels, 1, 5));
    }

    [Fact]
    public void DrawRejectsWhatItCannotDraw()
    {
        Assert.Contains("(0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => ClassBalancedDraw.Indices(Labels, 0, 1)).Message);
        Assert.Contains("(0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => ClassBalancedDraw.Indices(Labels, 1.5, 1)).Message);
        Assert.Contains("no labels", Assert.Throws<ArgumentException>(() => ClassBalancedDraw.Indices(Array.Empty<int>(), 0.5, 1)).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => ClassBalancedDraw.Indices(new[] { 0, -1 }, 0.5, 1)).Message);
    }

    /// <summary>
    /// Two classes, few examples, <paramref name="dims"/> features. <paramref name="copies"/>: every feature is a noisy
    /// copy of the class signal (ridge's shrinkage averages them: strong L2 wins). Otherwise one feature carries the
    /// signal and the rest are independent noise (shrinkage drowns the one: weak L2 wins).
    /// </summary>
    private static (float[][] X, int[] Y) Problem(int n, int dims, bool copies, int seed)
    {
        var rng = new Random(seed);
        double G() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var y = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        var x = y.Select(c => Enumerable.Range(0, dims).Select(d => copies ? (c == 0 ? -0.5f : 0.5f) + 3 * (float)G()
            : d == 0 ? (c == 0 ? -1.5f : 1.5f) + (float)G() : (float)G()).ToArray()).ToArray();
        return (x, y);
    }

    [Theory]
    [InlineData(true, 30f)]
    [InlineData(false, 1e-4f)]
    public void CrossValidationPicksTheRegularisationThatGeneralises(bool copies, float expected)
    {
        var (few, fewY) = Problem(60, 100, copies, seed: 1);
        var (test, testY) = Problem(2000, 100, copies, seed: 2);
        var candidates = new[] { 1e-4f, 30f };
        Assert.Equal(expected, LinearProbe.SelectL2(few, fewY, candidates, folds: 3, seed: 1));
        Assert.Equal(expected, LinearProbe.SelectL2(few, fewY, candidates.Reverse().ToArray(), folds: 3, seed: 1));
        double chosen = LinearProbe.Accuracy(few, fewY, test, testY, 1, expected);
        double other = LinearProbe.Accuracy(few, fewY, test, testY, 1, candidates.Single(c => c != expected));
        Assert.True(chosen > other + 0.05, $"the cross-validated L2 should generalise better on unseen data: {chosen:P1} against {other:P1}");
    }

    [Fact]
    public void CrossValidationNeedsAnExamplePerFoldInEveryClass() =>
        Assert.Contains("fewer than the 3 folds", Assert.Throws<ArgumentException>(() =>
            LinearProbe.SelectL2(new[] { new[] { 1f }, new[] { 2f }, new[] { 3f }, new[] { 4f } }, new[] { 0, 1, 0, 1 }, new[] { 1f, 2f })).Message);

    [Fact]
    public void ScoresEveryProbeAtEveryFractionWithOneDrawAtFullLabels()
    {
        var rng = new Random(3);
        float[] Point(int c) => Enumerable.Range(0, 4).Select(d => (d == c ? 1f : 0f) + 0.2f * (float)(rng.NextDouble() - 0.5)).ToArray();
        int[] trainY = Enumerable.Range(0, 900).Select(i => i % 3).ToArray(), testY = Enumerable.Range(0, 90).Select(i => i % 3).ToArray();
        var train = trainY.Select(Point).ToArray();
        var test = testY.Select(Point).ToArray();
        var evaluation = new FewLabelEvaluation { Fractions = new[] { 0.02, 1.0 }, DrawSeeds = new[] { 4, 5 }, CrossValidationMaxLabels = 100 };
        var scores = evaluation.Evaluate(train, trainY, test, testY, classes: 3);
        Assert.Equal(6, scores.Count);
        // 18 labels are cross-validated over the grid; 900, above CrossValidationMaxLabels, take the large-set weight.
        Assert.All(scores.Single(s => s.Probe == FewLabelProbe.Linear && s.Fraction < 1).L2!, l2 => Assert.Contains(l2, LinearProbe.L2Candidates));
        Assert.Equal(new[] { LinearProbe.LargeSetL2 }, scores.Single(s => s.Probe == FewLabelProbe.Linear && s.Fraction == 1).L2!);
        foreach (var s in scores)
        {
            Assert.Equal(1.0, s.Mean);
            Assert.Equal(s.Fraction == 1 ? 900 : 18, s.LabelCount);
            Assert.Equal(s.Fraction == 1 ? new[] { 4 } : new[] { 4, 5 }, s.DrawSeeds);
            Assert.Equal(s.DrawSeeds.Count, s.Accuracies.Count);
            Assert.Equal(s.Probe == FewLabelProbe.Linear, s.L2 is not null);
        }
        // Random labels: every probe falls to chance, so the figures measure the features, not the protocol.
        var shuffled = trainY.Select(_ => rng.Next(3)).ToArray();
        foreach (var s in evaluation.Evaluate(train, shuffled, test, testY, classes: 3))
            Assert.InRange(s.Mean, 0.1, 0.6);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => evaluation.Evaluate(train, trainY, test, testY, 3, cancelled.Token));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FewLabelEvaluation { Fractions = new[] { 0.0 } }.Evaluate(train, trainY, test, testY, 3));
    }

    /// <summary>
    /// By default a fraction's L2 weight is cross-validated on its first draw and reused for the others; with
    /// <see cref="FewLabelEvaluation.CrossValidateEachDraw"/> every draw chooses its own, on a problem where the two
    /// differ (<see cref="DrawsThatChooseDifferentL2"/>).
    /// </summary>
    [Fact]
    public void ChoosesTheL2WeightOncePerFractionUnlessAskedPerDraw()
    {
        var (x, y, own) = DrawsThatChooseDifferentL2();
        FewLabelScore Linear(bool each) => new FewLabelEvaluation
        {
            Fractions = new[] { WeakSignalFraction }, DrawSeeds = WeakSignalSeeds, Probes = new[] { FewLabelProbe.Linear }, CrossValidateEachDraw = each,
        }.Evaluate(x, y, x, y, classes: 2).Single();
        Assert.Equal(Enumerable.Repeat(own[0], WeakSignalSeeds.Length), Linear(each: false).L2!);
        Assert.Equal(own, Linear(each: true).L2!);
    }

    /// <summary>
    /// A draw with two labels in a class is still cross-validated (on two folds) and chooses from the grid; only a class
    /// with a single label, where no fold can hold one out, falls back to the large-set weight.
    /// </summary>
    [Fact]
    public void TinyDrawsCrossValidateOnFewerFoldsDownToTwo()
    {
        int[] y = Enumerable.Range(0, 100).Select(i => i % 2).ToArray();
        var x = Enumerable.Range(0, y.Length).Select(i => new[] { (float)y[i], i % 5 * 0.1f }).ToArray();
        IReadOnlyList<float> L2(double fraction) => new FewLabelEvaluation
        {
            Fractions = new[] { fraction }, DrawSeeds = new[] { 1 }, Probes = new[] { FewLabelProbe.Linear },
        }.Evaluate(x, y, x, y, classes: 2).Single().L2!;
        Assert.Equal(2, ClassBalancedDraw.Indices(y, 0.04, 1).Count(i => y[i] == 0));
        Assert.Contains(Assert.Single(L2(0.04)), LinearProbe.L2Candidates);
        Assert.Equal(1, ClassBalancedDraw.Indices(y, 0.02, 1).Count(i => y[i] == 0));
        Assert.Equal(LinearProbe.LargeSetL2, Assert.Single(L2(0.02)));
    }

    /// <summary>
    /// <see cref="FewLabelEvaluation.Describe"/> is what hosts key saved scores with, so every setting that changes a
    /// score must change it: a setting left out would let scores of another protocol be reused.
    /// </summary>
    [Fact]
    public void DescribeNamesEverySettingAScoreDependsOn()
    {
        var standard = new FewLabelEvaluation();
        string text = standard.Describe();
        Assert.Equal("Linear: ML.NET L-BFGS logistic regression on features divided by their root mean square, L1 1, L2 chosen from " +
            "1, 3, 10, 30, 100, 300, 1000 by 3-fold cross-validation on the labels of each fraction's first draw, reused for its other draws " +
            "(fewer folds where a class has fewer labels, down to 2; 0.0001 above 10,000 labels or with a single label in a class); " +
            "kNN (k=200) and 5-NN: cosine, votes weighted by exp(sim/0.1).", text);
        var variants = new Dictionary<string, FewLabelEvaluation>
        {
            ["every draw"] = new() { CrossValidateEachDraw = true },
            ["from 10, 100"] = new() { LinearL2Candidates = new[] { 10f, 100f } },
            ["above 500 labels"] = new() { CrossValidationMaxLabels = 500 },
            ["kNN (k=50)"] = new() { Neighbours = 50 },
            ["exp(sim/0.07)"] = new() { Temperature = 0.07 },
        };
        foreach (var (expected, variant) in variants)
        {
            Assert.Contains(expected, variant.Describe());
            Assert.NotEqual(text, variant.Describe());
        }
        Assert.Equal("kNN (k=50)", variants["kNN (k=50)"].ProbeName(FewLabelProbe.WeightedKnn));   // the name tables print
        string knnOnly = new FewLabelEvaluation { Probes = new[] { FewLabelProbe.WeightedKnn } }.Describe();
        Assert.DoesNotContain("Linear", knnOnly);
        Assert.DoesNotContain("5-NN", knnOnly);
    }

    /// <summary>The label fraction and draw seeds of <see cref="DrawsThatChooseDifferentL2"/>.</summary>
    internal const double WeakSignalFraction = 0.05;

    internal static readonly int[] WeakSignalSeeds = { 1, 2, 3, 4, 5, 6 };

    /// <summary>
    /// A problem whose draws of <see cref="WeakSignalFraction"/> choose different L2 weights when each cross-validates its
    /// own (weak signal in few of many features), and each draw's own choice; asserts that they do differ, so a test
    /// built on it can tell the search modes apart.
    /// </summary>
    internal static (float[][] X, int[] Y, float[] OwnL2) DrawsThatChooseDifferentL2()
    {
        var rng = new Random(7);
        int[] y = Enumerable.Range(0, 600).Select(i => i % 2).ToArray();
        float[][] x = y.Select(c => Enumerable.Range(0, 30).Select(d => (d < 3 ? 0.35f * c : 0f) + (float)(rng.NextDouble() - 0.5)).ToArray()).ToArray();
        float[] own = WeakSignalSeeds.Select(seed =>
        {
            int[] rows = ClassBalancedDraw.Indices(y, WeakSignalFraction, seed);
            return LinearProbe.SelectL2(rows.Select(i => x[i]).ToArray(), rows.Select(i => y[i]).ToArray(), LinearProbe.L2Candidates, folds: 3, seed);
        }).ToArray();
        Assert.True(own.Distinct().Count() > 1, $"the draws should choose different weights here, for the test to tell the modes apart: {string.Join(", ", own)}");
        return (x, y, own);
    }
}
