using System.Diagnostics;

namespace SynCo.ML.Tests;

/// <summary>Runs Debian's /usr/bin/python3 (the one with numpy, torch, torchvision and onnx), not the python3 on PATH.</summary>
internal static class SystemPython
{
    public const string Path = "/usr/bin/python3";

    /// <summary>Why the modules cannot be used here, or null when <see cref="Path"/> imports them all.</summary>
    public static string? Unavailable(params string[] modules)
    {
        if (!File.Exists(Path)) return $"{Path} does not exist";
        var r = Run("-c \"import " + string.Join(", ", modules) + "\"");
        return r.ExitCode == 0 ? null : $"{Path} cannot import {string.Join(", ", modules)}: {r.StdErr.Trim()}";
    }

    /// <summary>Writes <paramref name="script"/> to a file and runs it with the arguments; returns exit code and output.</summary>
    public static (int ExitCode, string StdOut, string StdErr) RunScript(string script, string directory, params string[] arguments)
    {
        string file = System.IO.Path.Combine(directory, $"script-{Guid.NewGuid():N}.py");
        File.WriteAllText(file, script);
        return Run(string.Join(' ', new[] { file }.Concat(arguments).Select(a => $"\"{a}\"")));
    }

    /// <summary>Runs <see cref="Path"/> with <paramref name="arguments"/> (a 180 s limit).</summary>
    public static (int ExitCode, string StdOut, string StdErr) Run(string arguments)
    {
        var psi = new ProcessStartInfo(Path, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path} {arguments} did not finish within 180 s.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
