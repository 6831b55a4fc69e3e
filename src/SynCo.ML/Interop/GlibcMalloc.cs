using System.Runtime.InteropServices;

namespace SynCo.ML.Interop;

/// <summary>
/// glibc's malloc settings for libtorch's CPU training. With glibc's defaults every freed block of more than a few
/// MiB goes back to the kernel (unmapped, or trimmed off the heap's top), so the next step maps it again and the
/// kernel zeroes every page: a training step of batch 128 on 28 px images spent more time in page faults than in
/// its convolutions. Keeping blocks of up to <see cref="MmapThreshold"/> on the heap and up to
/// <see cref="TrimThreshold"/> of free memory mapped makes the sample's training step 1.65 times as fast, with
/// bit-identical results (docs/benchmarks.md). The price is that the process keeps its peak native memory instead of
/// returning it between steps. The settings are process-wide and stay once made; elsewhere than Linux with glibc
/// (macOS, Windows, musl) nothing is done.
/// </summary>
/// <example>
/// <code>
/// bool tuned = GlibcMalloc.KeepFreedMemory();   // once per process; TrainingSession does it unless RunOptions.TuneNativeAllocator is false
/// </code>
/// </example>
internal static unsafe class GlibcMalloc
{
    /// <summary>Largest block served from the heap instead of its own mapping: glibc's documented maximum on 64-bit.</summary>
    public const int MmapThreshold = 32 << 20;

    /// <summary>Free memory at the heap's top that glibc keeps mapped instead of returning it.</summary>
    public const int TrimThreshold = 1 << 30;

    private const int MTrimThreshold = -1, MMmapThreshold = -3;   // malloc.h

    private static readonly Lazy<bool> Applied = new(Apply);

    /// <summary>
    /// Applies the settings once per process and tells whether they are in force: false elsewhere than glibc, and false
    /// (nothing changed) when the environment already sets glibc's malloc tunables (<c>MALLOC_*_</c> variables or
    /// <c>glibc.malloc</c> in <c>GLIBC_TUNABLES</c>), which win.
    /// </summary>
    public static bool KeepFreedMemory() => Applied.Value;

    /// <summary>True when the environment sets any of glibc's malloc tunables itself.</summary>
    internal static bool EnvironmentSetsTunables(System.Collections.IDictionary environment) =>
        environment.Keys.Cast<string>().Any(k => k.StartsWith("MALLOC_", StringComparison.Ordinal) && k.EndsWith('_'))
        || (environment["GLIBC_TUNABLES"] as string)?.Contains("glibc.malloc.", StringComparison.Ordinal) == true;

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux() || EnvironmentSetsTunables(Environment.GetEnvironmentVariables())) return false;
        if (!NativeLibrary.TryLoad("libc.so.6", out nint libc) || !NativeLibrary.TryGetExport(libc, "mallopt", out nint export))
            return false;
        var mallopt = (delegate* unmanaged<int, int, int>)export;
        // mallopt returns 1 on success; musl's stub returns 0 and changes nothing.
        return mallopt(MMmapThreshold, MmapThreshold) == 1 && mallopt(MTrimThreshold, TrimThreshold) == 1;
    }
}
