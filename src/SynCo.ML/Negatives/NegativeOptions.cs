namespace SynCo.ML.Negatives;

/// <summary>
/// Which synthetic hard negatives to add to MoCo v2, and how many: plain MoCo v2 (all counts 0), MoCHi (N, s, s′),
/// SynCo's six types, or any mix, plus custom <see cref="INegativeGenerator"/>s.
/// </summary>
/// <remarks>
/// Counts are per query. Each count controls only its own type (the reference code swaps the enable flags of
/// types 4 and 5; this library does not).
/// <example>
/// <code>
/// var moco = NegativeOptions.None();
/// var mochi = NegativeOptions.MoCHi(hardPoolSize: 128, mixed: 1024, queryMixed: 512);
/// var synco = NegativeOptions.SynCo(queueSize: 4096);          // 64 hardest; 16/16/16/4/4/4 per query
/// var paper = NegativeOptions.SynCo(); paper.ExtrapolationBeta = ExtrapolatedNegatives.PaperBeta;
/// </code>
/// </example>
/// </remarks>
public sealed class NegativeOptions
{
    /// <summary>N: hardest queue entries per query from which base negatives are drawn. Default 1024 (SynCo).</summary>
    public int HardPoolSize { get; set; } = 1024;

    /// <summary>Type 1 count, <c>αq + (1−α)n</c> (MoCHi's s′). Default 0.</summary>
    public int Interpolated { get; set; }

    /// <summary>Type 2 count, <c>n + β(n − q)</c>. Default 0.</summary>
    public int Extrapolated { get; set; }

    /// <summary>Type 3 count, <c>γn′ + (1−γ)n″</c> (MoCHi's s). Default 0.</summary>
    public int Mixup { get; set; }

    /// <summary>Type 4 count, <c>n + σε</c>. Default 0.</summary>
    public int NoiseInjected { get; set; }

    /// <summary>Type 5 count, <c>n + δq</c>. Default 0.</summary>
    public int Perturbed { get; set; }

    /// <summary>Type 6 count, <c>n + η·sign(q)</c>. Default 0.</summary>
    public int Adversarial { get; set; }

    /// <summary>Range of α for type 1. Default U(0, 0.5).</summary>
    public CoefficientRange InterpolationAlpha { get; set; } = InterpolatedNegatives.DefaultAlpha;

    /// <summary>Range of β for type 2. Default U(0, 0.5), the official code's effective range; the paper's is U(1, 1.5).</summary>
    public CoefficientRange ExtrapolationBeta { get; set; } = ExtrapolatedNegatives.OfficialCodeBeta;

    /// <summary>Range of γ for type 3. Default U(0, 1).</summary>
    public CoefficientRange MixupGamma { get; set; } = MixupNegatives.DefaultGamma;

    /// <summary>σ of type 4. Default 0.01.</summary>
    public double Sigma { get; set; } = NoiseInjectedNegatives.DefaultSigma;

    /// <summary>δ of type 5. Default 0.01.</summary>
    public double Delta { get; set; } = PerturbedNegatives.DefaultDelta;

    /// <summary>η of type 6. Default 0.01.</summary>
    public double Eta { get; set; } = AdversarialNegatives.DefaultEta;

    /// <summary>Epochs of plain MoCo v2 before synthesis starts (epochs are 0-based; synthesis from epoch = WarmupEpochs). Default 10.</summary>
    public int WarmupEpochs { get; set; } = Defaults.NegativeWarmupEpochs;

    /// <summary>Extra strategies appended after the six built-in types.</summary>
    public IList<INegativeGenerator> CustomGenerators { get; } = new List<INegativeGenerator>();

    /// <summary>Synthetic negatives per query over all types.</summary>
    public int TotalCount => Interpolated + Extrapolated + Mixup + NoiseInjected + Perturbed + Adversarial + CustomGenerators.Sum(g => g.Count);

    /// <summary>Plain MoCo v2: no synthetic negatives.</summary>
    public static NegativeOptions None() => new() { HardPoolSize = 0 };

    /// <summary>MoCHi (N, s, s′): s mixes of two hard negatives (γ ~ U(0,1)) and s′ query mixes (α ~ U(0,0.5)).</summary>
    public static NegativeOptions MoCHi(int hardPoolSize, int mixed, int queryMixed) =>
        new() { HardPoolSize = hardPoolSize, Mixup = mixed, Interpolated = queryMixed };

    /// <summary>
    /// MoCHi scaled to a queue of <paramref name="queueSize"/> keys: N = <see cref="HardPoolFor"/>(K), s = N mixes of two
    /// hard negatives and s′ = N/4 query mixes (MoCHi's ImageNet ratio s : s′ = 1024 : 256).
    /// </summary>
    public static NegativeOptions MoCHi(int queueSize)
    {
        int n = HardPoolFor(queueSize);
        return MoCHi(n, n, Math.Max(1, n / 4));
    }

    /// <summary>
    /// The hard-pool size N the scaled presets use for a queue of <paramref name="queueSize"/> keys: the official
    /// N = 1024 at K = 65536, i.e. K/64, at least 16 and at most K.
    /// </summary>
    public static int HardPoolFor(int queueSize)
    {
        Guard.Positive(queueSize, nameof(queueSize));
        return Math.Min(queueSize, Math.Max(16, queueSize / 64));
    }

    /// <summary>
    /// SynCo's six types. At the official queue size (65536) this is the official recipe: N = 1024 and
    /// 256/256/256/64/64/64 per query. Smaller queues keep the official ratios (N = K/64, types 1–3 = N/4, types
    /// 4–6 = N/16), so synthetic negatives stay about 1.5 % of all negatives; N is at least 16.
    /// </summary>
    public static NegativeOptions SynCo(int queueSize = 65536)
    {
        int n = HardPoolFor(queueSize);
        int big = Math.Max(1, n / 4), small = Math.Max(1, n / 16);
        return new NegativeOptions
        {
            HardPoolSize = n, Interpolated = big, Extrapolated = big, Mixup = big,
            NoiseInjected = small, Perturbed = small, Adversarial = small,
        };
    }

    /// <summary>Checks every value; messages say what is legal.</summary>
    public void Validate(int queueSize)
    {
        Guard.NonNegative(WarmupEpochs, nameof(WarmupEpochs));
        // Counts may exceed HardPoolSize: bases are drawn with replacement, and MoCHi's published configurations
        // do exactly that (e.g. N = 128 with s = 1024, s' = 512).
        foreach (var (count, name) in Counts())
            Guard.NonNegative(count, name);
        if (TotalCount > 0)
        {
            Guard.Positive(HardPoolSize, nameof(HardPoolSize));
            NegativeSynthesizer.CheckHardPool(HardPoolSize, queueSize);
        }
        _ = CreateGenerators(); // the generators check their own coefficients
    }

    /// <summary>Builds the synthesizer, or null for plain MoCo v2.</summary>
    public NegativeSynthesizer? CreateSynthesizer(int queueSize)
    {
        Validate(queueSize);
        var generators = CreateGenerators();
        return generators.Count == 0 ? null : new NegativeSynthesizer(HardPoolSize, generators);
    }

    /// <summary>A one-line description, e.g. "SynCo N=64: interpolated 16, extrapolated 16, ...".</summary>
    public override string ToString()
    {
        var gens = CreateGenerators();
        return gens.Count == 0 ? "none (MoCo v2)" : $"N={HardPoolSize}: " + string.Join(", ", gens.Select(g => $"{g.Name} {g.Count}")) + $"; warm-up {WarmupEpochs} epochs";
    }

    private IEnumerable<(int Count, string Name)> Counts() => new[]
    {
        (Interpolated, nameof(Interpolated)), (Extrapolated, nameof(Extrapolated)), (Mixup, nameof(Mixup)),
        (NoiseInjected, nameof(NoiseInjected)), (Perturbed, nameof(Perturbed)), (Adversarial, nameof(Adversarial)),
    };

    private List<INegativeGenerator> CreateGenerators()
    {
        var list = new List<INegativeGenerator>();
        if (Interpolated > 0) list.Add(new InterpolatedNegatives(Interpolated, InterpolationAlpha));
        if (Extrapolated > 0) list.Add(new ExtrapolatedNegatives(Extrapolated, ExtrapolationBeta));
        if (Mixup > 0) list.Add(new MixupNegatives(Mixup, MixupGamma));
        if (NoiseInjected > 0) list.Add(new NoiseInjectedNegatives(NoiseInjected, Sigma));
        if (Perturbed > 0) list.Add(new PerturbedNegatives(Perturbed, Delta));
        if (Adversarial > 0) list.Add(new AdversarialNegatives(Adversarial, Eta));
        list.AddRange(CustomGenerators);
        return list;
    }
}
