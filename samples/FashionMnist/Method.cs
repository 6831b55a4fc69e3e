using SynCo.Hosting;
using SynCo.ML.Negatives;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>The representations the sample compares, cheapest first.</summary>
public enum Method
{
    /// <summary>The 784 raw pixels (scaled to 0–1): the baseline every learned feature must beat.</summary>
    RawPixels,
    /// <summary>The same backbone, randomly initialised and never trained.</summary>
    RandomInit,
    /// <summary>MoCo v2: real queue negatives only.</summary>
    MoCoV2,
    /// <summary>MoCHi: mixes of hard negatives and of the query with them.</summary>
    MoCHi,
    /// <summary>SynCo: the six synthetic hard-negative types.</summary>
    SynCo,
}

/// <summary>Which negatives each pretrained method uses, by the hosts' one name-to-negatives mapping.</summary>
public static class MethodNegatives
{
    /// <summary>The negatives scheme of <paramref name="method"/>, or null for methods that do not pretrain.</summary>
    public static NegativesMethod? Of(Method method) => method switch
    {
        Method.MoCoV2 => NegativesMethod.None,
        Method.MoCHi => NegativesMethod.MoCHi,
        Method.SynCo => NegativesMethod.SynCo,
        _ => null,
    };

    /// <summary>The negative options for <paramref name="method"/>, or null for methods that do not pretrain.</summary>
    public static NegativeOptions? For(Method method, int queueSize, int warmupEpochs)
    {
        var negatives = Of(method)?.Options(queueSize);
        if (negatives is not null) negatives.WarmupEpochs = warmupEpochs;
        return negatives;
    }

    /// <summary>Whether <paramref name="method"/> pretrains a backbone (MoCo v2, MoCHi, SynCo).</summary>
    public static bool Pretrains(Method method) => Of(method) is not null;

    /// <summary>Whether <paramref name="method"/> adds synthetic negatives to the queue (MoCHi, SynCo; not MoCo v2).</summary>
    public static bool Synthesizes(Method method) => Of(method)?.Synthesizes == true;
}
