namespace SynCo.ML.Data;

/// <summary>
/// Seeded permutations that depend only on (seed, stream) and the count: SplitMix64 driving a Fisher–Yates shuffle
/// with unbiased bounded draws. Fully specified here, so the same arguments give the same order on every platform
/// and .NET version (unlike <see cref="Random"/>, whose algorithm is not guaranteed).
/// </summary>
internal static class DeterministicShuffle
{
    /// <summary>A permutation of 0…<paramref name="count"/>−1 for the given seed and stream (for example the epoch).</summary>
    public static int[] Permutation(int count, long seed, long stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        ulong state = SplitMix64.Mix((ulong)seed ^ SplitMix64.Mix((ulong)stream + 0x632BE59BD9B4E019UL));
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)Below(ref state, (ulong)i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary><paramref name="take"/> distinct indices of 0…<paramref name="count"/>−1 chosen at random, ascending.</summary>
    public static int[] Sample(int count, int take, long seed)
    {
        int[] chosen = Permutation(count, seed, stream: -1)[..take];
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>Uniform integer in [0, bound) by rejection (no modulo bias).</summary>
    private static ulong Below(ref ulong state, ulong bound)
    {
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong r;
        do r = SplitMix64.Next(ref state); while (r >= limit);
        return r % bound;
    }
}
