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

/// <summary>Which negatives each pretrained method uses.</summary>
public static class MethodNegatives
{
    /// <summary>The negative options for <paramref name="method"/>, or null for methods that do not pretrain.</summary>
    public static NegativeOptions? For(Method method, int queueSize, int warmupEpochs)
    {
        NegativeOptions? negatives = method switch
        {
            Method.MoCoV2 => NegativeOptions.None(),
            Method.MoCHi => NegativeOptions.MoCHi(queueSize),
            Method.SynCo => NegativeOptions.SynCo(queueSize),
            _ => null,
        };
        if (negatives is not null) negatives.WarmupEpochs = warmupEpochs;
        return negatives;
    }

    /// <summary>Whether <paramref name="method"/> pretrains a backbone (MoCo v2, MoCHi, SynCo).</summary>
    public static bool Pretrains(Method method) => For(method, AnyQueueSize, 0) is not null;

    /// <summary>Whether <paramref name="method"/> adds synthetic negatives to the queue (MoCHi, SynCo; not MoCo v2).</summary>
    public static bool Synthesizes(Method method) => For(method, AnyQueueSize, 0) is { TotalCount: > 0 };

    // Neither answer depends on the queue size; the negative counts only scale with it.
    private const int AnyQueueSize = 4096;
}
