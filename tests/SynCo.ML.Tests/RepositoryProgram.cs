using System.Diagnostics;

namespace SynCo.ML.Tests;

/// <summary>Programs of the repository as the solution build left them, and running a program as a separate process.</summary>
internal static class RepositoryProgram
{
    /// <summary>
    /// The path of <paramref name="dll"/>, built from <paramref name="project"/> (a folder relative to the repository root)
    /// in the same configuration as these tests.
    /// </summary>
    /// <exception cref="FileNotFoundException">It was not built; the message says to build the solution.</exception>
    public static string Built(string project, string dll)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));   // .../tests/SynCo.ML.Tests/bin/<config>/net10.0
        string configuration = output.Parent!.Name;
        string root = output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        string path = Path.Combine(root, project, "bin", configuration, output.Name, dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{dll} was not built at {path}; build the solution (dotnet build SynCo.ML.sln).", path);
    }

    /// <summary>Runs <paramref name="start"/> to its end and returns its exit code and output (stdout, then stderr).</summary>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="timeout"/>; it was killed with its children.</exception>
    public static (int ExitCode, string Output) Run(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)}{start.Arguments} did not finish within {timeout.TotalSeconds:F0} s.");
        }
        return (process.ExitCode, output.Result + error.Result);
    }
}
