using System.Globalization;

namespace SynCo.ML.Evaluation;

/// <summary>
/// Frozen-feature evaluation at several label budgets: for each label fraction and each draw seed, a class-balanced
/// subset of the labelled training vectors (<see cref="ClassBalancedDraw"/>) trains a linear probe
/// (<see cref="LinearProbe"/>), a weighted kNN (k = 200, t = 0.1) and a 5-NN (<see cref="KnnClassifier"/>), each scored
/// on the whole test set. This is what a user with many images and few labels gets from the features.
/// </summary>
/// <example>
/// <code>
/// var evaluation = new FewLabelEvaluation { Fractions = new[] { 0.01, 0.1, 1.0 }, DrawSeeds = new[] { 1, 2, 3 } };
/// foreach (var score in evaluation.Evaluate(trainFeatures, trainLabels, testFeatures, testLabels, classes: 10))
///     Console.WriteLine($"{score.Probe} at {score.Fraction:P0}: {score.Mean:P1} ± {score.Spread:P1}");
/// </code>
/// </example>
public sealed class FewLabelEvaluation
{
    /// <summary>Label fractions, each in (0, 1]; default 1 %, 10 % and 100 %.</summary>
    public IReadOnlyList<double> Fractions { get; init; } = Defaults.LabelFractions;

    /// <summary>
    /// Seeds of the class-balanced draws, at least one; default 1, 2, 3. A fraction of 1 has only one draw (all labels),
    /// so it is scored once.
    /// </summary>
    public IReadOnlyList<int> DrawSeeds { get; init; } = Defaults.LabelDrawSeeds;

    /// <summary>
    /// L2 weights the linear probe chooses from by 3-fold cross-validation on a draw's labels
    /// (<see cref="LinearProbe.SelectL2"/>); default <see cref="LinearProbe.L2Candidates"/>. Draws of more than
    /// <see cref="CrossValidationMaxLabels"/> labels use <see cref="LinearProbe.LargeSetL2"/> without cross-validation.
    /// </summary>
    public IReadOnlyList<float> LinearL2Candidates { get; init; } = LinearProbe.L2Candidates;

    /// <summary>
    /// False (default): the L2 weight is cross-validated on each fraction's first draw and reused for its other draws,
    /// which are the same size and distribution, so the search runs once per fraction instead of once per draw (twelve
    /// fits of a 2,048-value probe cost minutes). True: every draw cross-validates its own weight.
    /// </summary>
    public bool CrossValidateEachDraw { get; init; }

    /// <summary>
    /// Largest draw whose linear-probe L2 weight is cross-validated; default 10,000. Above it the weight matters little
    /// (raw Fashion-MNIST pixels, 60,000 labels: 1e-4 to 100 lie within 0.3 points) and each fit costs seconds.
    /// </summary>
    public int CrossValidationMaxLabels { get; init; } = 10_000;

    /// <summary>Neighbours that vote in the <see cref="FewLabelProbe.WeightedKnn"/> probe; positive, default 200.</summary>
    public int Neighbours { get; init; } = 200;

    /// <summary>Vote temperature t of both kNN probes (weight exp(cosine / t)); positive, default 0.1.</summary>
    public double Temperature { get; init; } = 0.1;

    /// <summary>The probes to run; default all three.</summary>
    public IReadOnlyList<FewLabelProbe> Probes { get; init; } = Enum.GetValues<FewLabelProbe>();

    /// <summary>
    /// Folds of the linear probe's L2 search (<see cref="LinearProbe.SelectL2"/>); a draw whose smallest class has fewer
    /// labels uses one fold per label of that class, down to 2 (a class with a single label cannot be cross-validated).
    /// </summary>
    public const int CrossValidationFolds = 3;

    /// <summary>
    /// How each probe is trained, in one sentence that names every setting a score depends on besides the fractions and
    /// draw seeds: the probes run, the linear probe's L1 weight, L2 grid, search mode and large-set weight, and the kNN
    /// probes' k and t. A host prints it beside its table and can key saved scores with it, so that scores computed
    /// under another protocol are not reused.
    /// </summary>
    /// <example>The defaults: <c>"Linear: ML.NET L-BFGS logistic regression on features divided by their root mean square,
    /// L1 1, L2 chosen from 1, 3, 10, 30, 100, 300, 1000 by 3-fold cross-validation on the labels of each fraction's first
    /// draw, reused for its other draws (fewer folds where a class has fewer labels, down to 2; 0.0001 above 10,000 labels
    /// or with a single label in a class); kNN (k=200) and 5-NN: cosine, votes weighted by exp(sim/0.1)."</c></example>
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        if (Probes.Contains(FewLabelProbe.Linear))
            parts.Add(string.Create(inv, $"Linear: ML.NET L-BFGS logistic regression on features divided by their root mean square, L1 {LinearProbe.L1}, ") +
                $"L2 chosen from {string.Join(", ", LinearL2Candidates.Select(l => l.ToString(inv)))} by {CrossValidationFolds}-fold cross-validation on the labels of " +
                (CrossValidateEachDraw ? "every draw" : "each fraction's first draw, reused for its other draws") +
                string.Create(inv, $" (fewer folds where a class has fewer labels, down to 2; {LinearProbe.LargeSetL2:G} above {CrossValidationMaxLabels:N0} labels or with a single label in a class)"));
        var knn = new[] { FewLabelProbe.WeightedKnn, FewLabelProbe.FiveNn }.Where(Probes.Contains).Select(ProbeName).ToList();
        if (knn.Count > 0)
            parts.Add(string.Join(" and ", knn) + string.Create(inv, $": cosine, votes weighted by exp(sim/{Temperature})"));
        return string.Join("; ", parts) + ".";
    }

    /// <summary>The name a table gives <paramref name="probe"/>: "linear", "5-NN", or "kNN (k=…)" with this evaluation's k.</summary>
    public string ProbeName(FewLabelProbe probe) => probe switch
    {
        FewLabelProbe.Linear => "linear",
        FewLabelProbe.FiveNn => "5-NN",
        _ => $"kNN (k={NeighboursOf(probe)})",   // NeighboursOf rejects a value that is no probe
    };

    /// <summary>Scores every probe at every fraction: one <see cref="FewLabelScore"/> per (fraction, probe).</summary>
    /// <param name="train">Labelled training vectors, all of one length.</param>
    /// <param name="trainLabels">Their classes, in [0, <paramref name="classes"/>).</param>
    /// <param name="test">Test vectors, of the training vectors' length.</param>
    /// <param name="testLabels">Their classes.</param>
    /// <param name="classes">Number of classes, positive.</param>
    /// <param name="cancellationToken">Checked between probe fits.</param>
    /// <exception cref="ArgumentException">Counts disagree, a set is empty, or a fraction or seed list is invalid.</exception>
    public IReadOnlyList<FewLabelScore> Evaluate(float[][] train, int[] trainLabels, float[][] test, int[] testLabels, int classes,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(testLabels);
        if (train.Length != trainLabels.Length)
            throw new ArgumentException($"{train.Length} training vectors but {trainLabels.Length} labels; pass one label per vector.", nameof(trainLabels));
        Validate();

        var scores = new List<FewLabelScore>();
        bool linear = Probes.Contains(FewLabelProbe.Linear);
        var knn = Probes.Where(p => p != FewLabelProbe.Linear).ToArray();   // one search serves both kNN probes
        foreach (double fraction in Fractions)
        {
            var seeds = fraction == 1 ? DrawSeeds.Take(1).ToArray() : DrawSeeds.ToArray();
            var accuracies = Probes.ToDictionary(p => p, _ => new List<double>());
            var l2s = new List<float>();
            float? l2 = null;   // this fraction's cross-validated weight, once chosen
            int labelled = 0;
            foreach (int seed in seeds)
            {
                int[] rows = ClassBalancedDraw.Indices(trainLabels, fraction, seed);
                labelled = rows.Length;
                float[][] x = rows.Select(i => train[i]).ToArray();
                int[] y = rows.Select(i => trainLabels[i]).ToArray();
                cancellationToken.ThrowIfCancellationRequested();
                if (linear)
                {
                    if (l2 is null || CrossValidateEachDraw) l2 = ChooseL2(x, y, seed);
                    l2s.Add(l2.Value);
                    accuracies[FewLabelProbe.Linear].Add(LinearProbe.Accuracy(x, y, test, testLabels, seed, l2.Value));
                }
                if (knn.Length == 0) continue;
                cancellationToken.ThrowIfCancellationRequested();
                int[] ks = knn.Select(p => Math.Min(x.Length, NeighboursOf(p))).ToArray();
                var knnAccuracy = new KnnClassifier(x, y, classes, ks.Max(), Temperature).Accuracies(test, testLabels, ks);
                for (int j = 0; j < knn.Length; j++) accuracies[knn[j]].Add(knnAccuracy[j]);
            }
            scores.AddRange(Probes.Select(p => new FewLabelScore(p, fraction, labelled, seeds, accuracies[p])
            {
                L2 = p == FewLabelProbe.Linear ? l2s : null,
            }));
        }
        return scores;
    }

    /// <summary>Checks the settings, so a host can fail before the work whose features this evaluation scores.</summary>
    /// <exception cref="ArgumentException">A list is empty, a fraction is not in (0, 1], or k or t is not positive.</exception>
    public void Validate()
    {
        if (Fractions.Count == 0) throw new ArgumentException("Fractions needs at least one label fraction in (0, 1].", nameof(Fractions));
        foreach (double f in Fractions) Guard.Fraction(f, nameof(Fractions));
        if (DrawSeeds.Count == 0) throw new ArgumentException("DrawSeeds needs at least one seed.", nameof(DrawSeeds));
        if (Probes.Count == 0) throw new ArgumentException("Probes needs at least one probe.", nameof(Probes));
        Guard.Positive(Neighbours, nameof(Neighbours));
        Guard.Positive(Temperature, nameof(Temperature));
        if (LinearL2Candidates.Count == 0) throw new ArgumentException("LinearL2Candidates needs at least one L2 weight.", nameof(LinearL2Candidates));
    }

    private int NeighboursOf(FewLabelProbe probe) => probe switch
    {
        FewLabelProbe.WeightedKnn => Neighbours,
        FewLabelProbe.FiveNn => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(Probes), probe, "Probes are Linear, WeightedKnn and FiveNn."),
    };

    private float ChooseL2(float[][] x, int[] y, int seed)
    {
        int folds = Math.Min(CrossValidationFolds, y.GroupBy(c => c).Min(g => g.Count()));
        return x.Length <= CrossValidationMaxLabels && folds >= 2
            ? LinearProbe.SelectL2(x, y, LinearL2Candidates, folds, seed) : LinearProbe.LargeSetL2;
    }
}
