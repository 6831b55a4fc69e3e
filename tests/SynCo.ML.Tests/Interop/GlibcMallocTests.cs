using System.Collections;
using System.Runtime.InteropServices;
using SynCo.ML.Interop;
using SynCo.ML.Training;

namespace SynCo.ML.Tests.Interop;

public class GlibcMallocTests
{
    // glibc's chunk header: the size word just before the user pointer, whose bit 1 (IS_MMAPPED) marks a block that
    // has a mapping of its own, which free() unmaps and the next malloc maps again, page faults and all.
    private static bool HasOwnMapping(int bytes)
    {
        nint p = Marshal.AllocHGlobal(bytes);   // malloc on Linux
        try { return (Marshal.ReadInt64(p, -8) & 2) != 0; }
        finally { Marshal.FreeHGlobal(p); }
    }

    [Fact]
    public void ActivationSizedBlocksComeFromTheHeapOnceTuned()
    {
        Assert.True(OperatingSystem.IsLinux(), "These tests run where CI runs: Linux with glibc.");
        Assert.False(GlibcMalloc.EnvironmentSetsTunables(Environment.GetEnvironmentVariables()),
            "Unset MALLOC_*_ and glibc.malloc GLIBC_TUNABLES for this test: they switch the tuning off.");
        Assert.True(new RunOptions().TuneNativeAllocator);

        Assert.True(GlibcMalloc.KeepFreedMemory());

        Assert.False(HasOwnMapping(8 << 20));                          // an activation-sized block: from the heap
        Assert.False(HasOwnMapping(GlibcMalloc.MmapThreshold - 4096));
        Assert.True(HasOwnMapping(2 * GlibcMalloc.MmapThreshold));     // above the threshold: mapped, so the probe reads the bit
    }

    [Theory]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "1000000", true)]
    [InlineData("MALLOC_ARENA_MAX", "2", false)]                       // the arena count, not the thresholds
    [InlineData("MALLOC_MMAP_THRESHOLD_", "65536", true)]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=100000", true)]
    [InlineData("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F", false)]
    [InlineData("PATH", "/usr/bin", false)]
    public void AnEnvironmentThatSetsMallocTunablesWins(string name, string value, bool wins) =>
        Assert.Equal(wins, GlibcMalloc.EnvironmentSetsTunables(new Hashtable { [name] = value, ["HOME"] = "/root" }));
}
