using SynCo.ML.Build;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Tests.Build;

/// <summary>Proves the Debian 12 loader fix: TorchSharp initialises and trains from this test's output folder.</summary>
public class TorchSharpLoadTests
{
    private const string Marker = "_ZSt21ios_base_library_initv";
    private const string Version = "GLIBCXX_3.4.32";

    [Fact]
    public void TorchSharpInitialisesAndAConvNetTakesAnOptimiserStep()
    {
        torch.manual_seed(0);
        var net = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding: 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2));
        var x = torch.randn(8, 1, 8, 8);
        var y = torch.tensor(new long[] { 0, 1, 0, 1, 0, 1, 0, 1 });
        var opt = optim.SGD(net.parameters(), 0.5);
        float first = 0, last = 0;
        for (int i = 0; i < 20; i++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var loss = nn.functional.cross_entropy(net.call(x + y.view(-1, 1, 1, 1).to(float32)), y);
            loss.backward();
            opt.step();
            if (i == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first, $"loss should fall after optimiser steps: {first} -> {last}");
    }

    [SkippableFact]
    public void CopiedNativeLibraryCarriesTheWeakFlag()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the ELF version-need patch applies to Linux builds only");
        string[] copies = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.NotEmpty(copies);
        foreach (string copy in copies)
            Assert.Equal((ushort)2, ElfVersionNeedPatcher.RequirementFlags(File.ReadAllBytes(copy), Version));
    }

    [Fact]
    public void PatchWeakensOnlyTheMarkerRequirementAndIsIdempotent()
    {
        byte[] original = File.ReadAllBytes(ShippedNativeLibrary());
        Assert.Equal((ushort)0, ElfVersionNeedPatcher.RequirementFlags(original, Version));

        byte[] patched = (byte[])original.Clone();
        var first = ElfVersionNeedPatcher.Patch(patched, new[] { Version }, new[] { Marker });
        Assert.Equal(new[] { Version }, first.Weakened);
        int changed = Enumerable.Range(0, original.Length).Count(i => original[i] != patched[i]);
        Assert.Equal(1, changed); // one byte: the low byte of vna_flags

        var second = ElfVersionNeedPatcher.Patch(patched, new[] { Version }, new[] { Marker });
        Assert.Empty(second.Weakened);
        Assert.Equal(new[] { Version }, second.AlreadyWeak);
    }

    [Fact]
    public void PatchRefusesWhenRealSymbolsNeedTheVersion()
    {
        byte[] original = File.ReadAllBytes(ShippedNativeLibrary());
        // GLIBCXX_3.4.30 is needed by real symbols of libLibTorchSharp.so, so weakening it must be refused.
        byte[] copy = (byte[])original.Clone();
        var r = ElfVersionNeedPatcher.Patch(copy, new[] { "GLIBCXX_3.4.30" }, new[] { Marker });
        Assert.Equal(new[] { "GLIBCXX_3.4.30" }, r.Refused);
        Assert.Equal(original, copy);
    }

    [SkippableTheory]
    [InlineData("/bin/ls")]
    [InlineData("/usr/lib/x86_64-linux-gnu/libstdc++.so.6")]
    public void PatchIsANoOpOnElfFilesWithoutTheRequirement(string path)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "these ELF files are Linux system files");
        // Both are part of every x64 Debian/Ubuntu system (TorchSharp's native library itself needs libstdc++).
        Assert.True(File.Exists(path), $"{path} does not exist on this Linux machine");
        byte[] original = File.ReadAllBytes(path);
        byte[] copy = (byte[])original.Clone();
        var r = ElfVersionNeedPatcher.Patch(copy, new[] { Version }, new[] { Marker });
        Assert.Empty(r.Weakened);
        Assert.Equal(original, copy);
    }

    [Fact]
    public void PatchIgnoresFilesThatAreNotElf()
    {
        byte[] text = System.Text.Encoding.ASCII.GetBytes("not an ELF file at all, just text that is long enough to look like a header....");
        byte[] copy = (byte[])text.Clone();
        Assert.Empty(ElfVersionNeedPatcher.Patch(copy, new[] { Version }, new[] { Marker }).Weakened);
        Assert.Equal(text, copy);
    }

    /// <summary>The unpatched library as NuGet ships it (read-only use).</summary>
    private static string ShippedNativeLibrary()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"TorchSharp 0.107.0 native library not found at {path}; run 'dotnet restore' first.");
        return path;
    }
}
