using SynCo.ML.Evaluation;

namespace SynCo.ML.Tests.Evaluation;

public class EvaluationTests
{
    /// <summary>Three classes around orthogonal directions, with noise; optionally labels shuffled at random.</summary>
    private static (float[][] X, int[] Y) Clusters(int n, int seed, bool randomLabels = false)
    {
        var rng = new Random(seed);
        var x = new float[n][];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 3;
            x[i] = Enumerable.Range(0, 6).Select(d => (d == c ? 1f : 0f) + 0.3f * (float)(rng.NextDouble() - 0.5)).ToArray();
            y[i] = randomLabels ? rng.Next(3) : c;
        }
        return (x, y);
    }

    [Fact]
    public void KnnSeparatesClustersAndIsAtChanceOnRandomLabels()
    {
        var (train, trainY) = Clusters(150, 1);
        var (test, testY) = Clusters(60, 2);
        Assert.Equal(1.0, new KnnClassifier(train, trainY, 3, k: 20).Accuracy(test, testY));

        var (noise, noiseY) = Clusters(300, 3, randomLabels: true);
        var (noiseTest, noiseTestY) = Clusters(300, 4, randomLabels: true);
        Assert.InRange(new KnnClassifier(noise, noiseY, 3, k: 20).Accuracy(noiseTest, noiseTestY), 0.2, 0.47);
    }

    [Fact]
    public void KnnVotesAreWeightedBySimilarity()
    {
        // One very close neighbour of class 1 outweighs two distant ones of class 0 at a low temperature.
        var bank = new[] { new[] { 1f, 0f }, new[] { 0f, 1f }, new[] { 0.2f, 1f } };
        var labels = new[] { 1, 0, 0 };
        var knn = new KnnClassifier(bank, labels, classes: 2, k: 3, temperature: 0.05);
        Assert.Equal(new[] { 1 }, knn.Predict(new[] { new[] { 1f, 0.05f } }));
    }

    [Fact]
    public void OneSearchServesSeveralNeighbourCountsExactly()
    {
        // Random labels: the 1-, 5- and 40-NN votes disagree on many queries, so a wrong slice of the shared search shows.
        var (bank, labels) = Clusters(400, 7, randomLabels: true);
        var (queries, _) = Clusters(200, 8);
        var shared = new KnnClassifier(bank, labels, 3, k: 40).Predict(queries, new[] { 1, 5, 40 });
        var alone = new[] { 1, 5, 40 }.Select(k => new KnnClassifier(bank, labels, 3, k).Predict(queries)).ToArray();
        for (int j = 0; j < 3; j++) Assert.Equal(alone[j], shared[j]);
        Assert.True(shared[0].Zip(shared[2]).Count(p => p.First != p.Second) > 40, "1-NN and 40-NN should disagree on random labels");
        Assert.Throws<ArgumentOutOfRangeException>(() => new KnnClassifier(bank, labels, 3, k: 5).Predict(queries, new[] { 6 }));
    }

    [Fact]
    public void BadInputNamesTheFix()
    {
        Assert.Contains("one label per vector", Assert.Throws<ArgumentException>(() => new KnnClassifier(new[] { new[] { 1f } }, new[] { 0, 1 }, 2)).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => new KnnClassifier(Array.Empty<float[]>(), Array.Empty<int>(), 2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new KnnClassifier(new[] { new[] { 1f } }, new[] { 5 }, 2));
    }

    [Fact]
    public void LinearProbeLearnsALinearlySeparableProblem()
    {
        var (train, trainY) = Clusters(150, 5);
        var (test, testY) = Clusters(60, 6);
        Assert.True(LinearProbe.Accuracy(train, trainY, test, testY) > 0.95);
    }
}
