using SynCo.ML.Negatives;

namespace SynCo.Hosting;

/// <summary>
/// The negative schemes a user picks by name (synco, mochi, none), each scaled to a queue size: the one mapping from
/// a name on a command line to <see cref="NegativeOptions"/>.
/// </summary>
public sealed class NegativesMethod
{
    private readonly Func<int, NegativeOptions> _options;

    private NegativesMethod(string name, string alias, Func<int, NegativeOptions> options)
    {
        Name = name;
        _options = options;
        Aliases = alias.Length > 0 ? [name, alias] : [name];
    }

    /// <summary>SynCo's six synthetic hard-negative types (<see cref="NegativeOptions.SynCo"/>).</summary>
    public static NegativesMethod SynCo { get; } = new("synco", "", queueSize => NegativeOptions.SynCo(queueSize));

    /// <summary>MoCHi's mixes of hard negatives and of the query with them (<see cref="NegativeOptions.MoCHi(int)"/>).</summary>
    public static NegativesMethod MoCHi { get; } = new("mochi", "", NegativeOptions.MoCHi);

    /// <summary>Plain MoCo v2, real queue negatives only (<see cref="NegativeOptions.None"/>); also called "moco".</summary>
    public static NegativesMethod None { get; } = new("none", "moco", _ => NegativeOptions.None());

    /// <summary>Every method, the default (SynCo) first.</summary>
    public static IReadOnlyList<NegativesMethod> All { get; } = [SynCo, MoCHi, None];

    /// <summary>The names a command line offers: synco, mochi, none.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(m => m.Name).ToArray();

    /// <summary>The lower-case name, e.g. "synco".</summary>
    public string Name { get; }

    /// <summary>The names <see cref="Parse"/> accepts for this method.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>Whether the method adds synthetic negatives to the queue (SynCo, MoCHi; not plain MoCo v2).</summary>
    public bool Synthesizes => Options(AnyQueueSize).TotalCount > 0;

    /// <summary>The method for <paramref name="name"/>: synco, mochi, or none / moco (any case).</summary>
    /// <exception cref="UsageException">Any other name; the message lists the legal ones.</exception>
    public static NegativesMethod Parse(string name) =>
        All.FirstOrDefault(m => m.Aliases.Contains(name.Trim(), StringComparer.OrdinalIgnoreCase))
        ?? throw new UsageException($"Unknown negatives method '{name}'; use one of: {string.Join(", ", All.SelectMany(m => m.Aliases))}.");

    /// <summary>Fresh negative options of this method for a queue of <paramref name="queueSize"/> keys.</summary>
    public NegativeOptions Options(int queueSize) => _options(queueSize);

    /// <inheritdoc/>
    public override string ToString() => Name;

    // Whether a method synthesizes does not depend on the queue size; the negative counts only scale with it.
    private const int AnyQueueSize = 4096;
}
