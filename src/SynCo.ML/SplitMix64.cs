namespace SynCo.ML;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): the one fully specified 64-bit mixer behind every seed SynCo.ML derives,
/// so the same seed gives the same streams on every platform and .NET version (unlike <see cref="Random"/>).
/// </summary>
internal static class SplitMix64
{
    /// <summary>The generator's increment (the golden-ratio constant).</summary>
    public const ulong Increment = 0x9E3779B97F4A7C15UL;

    /// <summary>The finaliser: a bijective avalanche of <paramref name="z"/>.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Advances <paramref name="state"/> and returns the next output.</summary>
    public static ulong Next(ref ulong state)
    {
        state += Increment;
        return Mix(state);
    }

    /// <summary>
    /// A well-mixed, non-negative 63-bit seed for one random stream of a run, from (seed, epoch, stream), so that
    /// streams never collide: weights, augmentation and the engine's draws each get their own.
    /// </summary>
    public static ulong StreamSeed(int seed, int epoch, int stream) =>
        Mix((ulong)(uint)seed * Increment ^ (ulong)(uint)epoch * 0xBF58476D1CE4E5B9UL ^ (ulong)(uint)stream * 0x94D049BB133111EBUL) >> 1;
}
