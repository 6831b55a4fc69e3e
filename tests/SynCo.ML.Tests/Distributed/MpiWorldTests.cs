using System.Diagnostics;
using SynCo.ML.Distributed;

namespace SynCo.ML.Tests.Distributed;

/// <summary>
/// SynCo.ML's own MPI binding on both Debian MPIs: real 2-rank jobs under Open MPI's mpirun and MPICH's Hydra run every
/// collective on known values; a failing rank ends the job quickly with its message; a launcher whose library MPI does
/// not match fails by name; without a launcher no MPI library is even loaded.
/// </summary>
public class MpiWorldTests
{
    private static readonly string Probe = ProbePath();

    [Theory]
    [InlineData("/usr/bin/mpirun.openmpi", "OpenMPI", "openmpi-bin libopenmpi-dev")]
    [InlineData("/usr/bin/mpirun.mpich", "MPICH", "mpich libmpich-dev")]
    public void TwoRanksRunEveryCollectiveOnKnownValues(string launcher, string name, string packages)
    {
        var r = Launch(launcher, packages, 2);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Output}");
        Assert.Contains($"ok rank 0/2, {name} all-reduce all-gather broadcast max", r.Output);
        Assert.Contains($"ok rank 1/2, {name} all-reduce all-gather broadcast max", r.Output);
    }

    [Fact]
    public void ARankThatThrowsEndsTheWholeJobQuicklyWithItsMessage()
    {
        var clock = Stopwatch.StartNew();
        var r = Launch("/usr/bin/mpirun.openmpi", "openmpi-bin libopenmpi-dev", 2, "throw");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("rank 1/2: rank 1 failed on purpose", r.Output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the job took {clock.Elapsed.TotalSeconds:F0} s to end; rank 0 should not wait");
    }

    [Fact]
    public void ALauncherWhoseLibraryMpiDoesNotMatchFailsByName()
    {
        var r = Run("dotnet", $"\"{Probe}\"", new() { ["OMPI_COMM_WORLD_SIZE"] = "2", ["OMPI_COMM_WORLD_RANK"] = "0" });
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("launcher started 2 OpenMpi processes, but MPI sees a job of 1", r.Output);
    }

    [Fact]
    public void WithoutALauncherNoMpiLibraryIsLoaded()
    {
        var r = Run("dotnet", $"\"{Probe}\"", new());
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("no launcher: MPI library mapped: False", r.Output);
    }

    [Theory]
    [InlineData("OMPI_COMM_WORLD_SIZE=4 OMPI_COMM_WORLD_RANK=3", "OpenMpi", 4, 3)]
    [InlineData("PMI_SIZE=2 PMI_RANK=1", "Mpich", 2, 1)]
    [InlineData("PMIX_RANK=5 SLURM_NTASKS=8", "OpenMpi", 8, 5)]
    public void TheLauncherIsReadFromItsEnvironment(string variables, string implementation, int size, int rank)
    {
        var environment = variables.Split(' ').Select(v => v.Split('=')).ToDictionary(p => p[0], p => (string?)p[1]);
        Assert.Equal(new MpiLauncher(Enum.Parse<MpiImplementation>(implementation), size, rank), MpiLauncher.FromEnvironment(environment));
        Assert.Null(MpiLauncher.FromEnvironment(new Dictionary<string, string?> { ["SLURM_NTASKS"] = "8" }));
    }

    internal static (int ExitCode, string Output) Launch(string launcher, string packages, int ranks, string mode = "", string? program = null)
    {
        Assert.True(File.Exists(launcher), $"{launcher} is not installed: apt-get install {packages} (or run `bash tests/run`, which installs every test prerequisite).");
        string extra = launcher.EndsWith("openmpi", StringComparison.Ordinal) ? "--allow-run-as-root --oversubscribe " : "";
        return Run(launcher, $"{extra}-np {ranks} dotnet {program ?? $"\"{Probe}\" {mode}"}", new() { ["TERM"] = "dumb" });
    }

    internal static (int ExitCode, string Output) Run(string file, string arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file, arguments);
        foreach (var name in new[] { "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMI_SIZE", "PMI_RANK", "PMIX_RANK" })
            start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return RepositoryProgram.Run(start, TimeSpan.FromSeconds(120));
    }

    /// <summary>The probe program, built beside the tests (same configuration) by the test project's reference.</summary>
    internal static string ProbePath() => RepositoryProgram.Built("tests/SynCo.ML.MpiProbe", "SynCo.ML.MpiProbe.dll");
}
