using System.Diagnostics;

namespace SynCo.ML.Benchmarks;

/// <summary>
/// Runs this benchmark program again in a child process, for measurements that must not share a process: peak RSS
/// under a heap cap, or process-wide settings that cannot be undone.
/// </summary>
/// <example>
/// <code>
/// string output = ChildProcess.Run(new[] { "allocator", "--child-tuned", "true" }, "the tuned arm");
/// </code>
/// </example>
internal static class ChildProcess
{
    /// <summary>Its standard output; <paramref name="environment"/> edits the child's variables first.</summary>
    /// <exception cref="InvalidOperationException">The child failed; the message names <paramref name="what"/> and has its stderr.</exception>
    public static string Run(IEnumerable<string> args, string what, Action<IDictionary<string, string?>>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        foreach (string a in args) psi.ArgumentList.Add(a);
        environment?.Invoke(psi.Environment);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{what} failed ({p.ExitCode}): {err.Result}");
        return output;
    }
}
