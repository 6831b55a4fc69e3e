namespace SynCo.ML.Contrastive;

/// <summary>Averages <see cref="NegativeGroupStats"/> over the steps of an epoch, per group.</summary>
public sealed class HardnessTelemetry
{
    private readonly Dictionary<string, (double Cos, double Share, int PerQuery, int Steps)> _sums = new();
    private readonly List<string> _order = new();

    /// <summary>Adds one step's statistics.</summary>
    public void Add(IEnumerable<NegativeGroupStats> step)
    {
        foreach (var s in step)
        {
            if (!_sums.TryGetValue(s.Group, out var acc)) { acc = default; _order.Add(s.Group); }
            _sums[s.Group] = (acc.Cos + s.MeanCosine, acc.Share + s.SoftmaxShare, s.PerQuery, acc.Steps + 1);
        }
    }

    /// <summary>Per-group means over the steps added so far, in first-seen order.</summary>
    public IReadOnlyList<NegativeGroupStats> Summary() =>
        _order.Select(g => { var a = _sums[g]; return new NegativeGroupStats(g, a.Cos / a.Steps, a.Share / a.Steps, a.PerQuery); }).ToList();

    /// <summary>Forgets everything (start of an epoch).</summary>
    public void Clear() { _sums.Clear(); _order.Clear(); }
}
