using System.Diagnostics;

namespace SynCo.ML.Tests.Cli;

/// <summary>Runs synco as a separate process (SynCo.Cli.dll next to the test assembly), as a batch scheduler's worker would.</summary>
internal static class SyncoProcess
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "SynCo.Cli.dll");

    /// <summary>Starts synco with <paramref name="args"/>; <paramref name="environment"/> adds or overrides variables.</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(Dll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        // The scheduler variables of the machine running the tests must not leak into the workers.
        foreach (string name in new[] { "JOB_COMPLETION_INDEX", "JOB_COMPLETIONS", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP" })
            psi.Environment.Remove(name);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return Process.Start(psi)!;
    }

    /// <summary>Runs synco to the end and returns its exit code and output.</summary>
    public static async Task<CliRun> Run(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(environment, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliRun(process.ExitCode, await output, await error);
    }
}
