using System.Diagnostics;
using Xunit.Sdk;

namespace SynCo.ML.Tests;

/// <summary>Runs Debian's /usr/bin/python3 (the one with numpy, torch, torchvision, onnx and Pillow), not the python3 on PATH.</summary>
internal static class SystemPython
{
    public const string Path = "/usr/bin/python3";

    /// <summary>The Debian package that provides each Python module the cross-check tests import.</summary>
    public static IReadOnlyDictionary<string, string> DebianPackages { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["onnx"] = "python3-onnx",
        ["torch"] = "python3-torch",
        ["torchvision"] = "python3-torchvision",
        ["numpy"] = "python3-numpy",
        ["PIL"] = "python3-pil",
    };

    /// <summary>
    /// Fails the calling test unless <see cref="Path"/> imports every module; the message names the Debian packages
    /// to install. The cross-checks can always run on Debian, so a missing module is a failure, never a skip.
    /// </summary>
    /// <param name="modules">Python module names, each a key of <see cref="DebianPackages"/>.</param>
    /// <exception cref="XunitException">A module cannot be imported.</exception>
    public static void Require(params string[] modules)
    {
        string[] unknown = modules.Where(m => !DebianPackages.ContainsKey(m)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"No Debian package is known for the Python modules {string.Join(", ", unknown)}; add them to {nameof(DebianPackages)}.", nameof(modules));
        if (Missing(modules) is { } message)
            throw new XunitException(message);
    }

    /// <summary>The failure message <see cref="Require"/> gives, or null when every module imports.</summary>
    public static string? Missing(params string[] modules)
    {
        var failures = new List<(string Module, string Error)>();
        if (!File.Exists(Path))
        {
            failures.AddRange(modules.Select(m => (m, $"{Path} does not exist")));
        }
        else
        {
            const string Probe = "import importlib, sys\n" +
                                 "for m in sys.argv[1:]:\n" +
                                 "    try: importlib.import_module(m)\n" +
                                 "    except Exception as e: print(m + '\\t' + repr(e).replace('\\n', ' '))\n";
            var r = RunArguments(new[] { "-c", Probe }.Concat(modules));
            if (r.ExitCode != 0)
                failures.AddRange(modules.Select(m => (m, $"the import probe failed: {r.StdErr.Trim()}")));
            else
                failures.AddRange(r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(line => line.Split('\t', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : "")));
        }
        if (failures.Count == 0) return null;

        string[] packages = failures.Select(f => DebianPackages.TryGetValue(f.Module, out var p) ? p : f.Module).Distinct().ToArray();
        string verb = packages.Length == 1 ? "is" : "are";
        return $"{string.Join(", ", packages)} {verb} not installed: {Path} cannot import " +
               string.Join(", ", failures.Select(f => $"{f.Module} ({f.Error})")) +
               $" (apt-get install {string.Join(' ', packages)}, or run `bash tests/run`, which installs every test prerequisite)";
    }

    /// <summary>Writes <paramref name="script"/> to a file and runs it with the arguments; returns exit code and output.</summary>
    public static (int ExitCode, string StdOut, string StdErr) RunScript(string script, string directory, params string[] arguments)
    {
        string file = System.IO.Path.Combine(directory, $"script-{Guid.NewGuid():N}.py");
        File.WriteAllText(file, script);
        return Run(string.Join(' ', new[] { file }.Concat(arguments).Select(a => $"\"{a}\"")));
    }

    /// <summary>Runs <see cref="Path"/> with <paramref name="arguments"/> (a 180 s limit).</summary>
    public static (int ExitCode, string StdOut, string StdErr) Run(string arguments) =>
        Start(new ProcessStartInfo(Path, arguments), arguments);

    /// <summary>Runs <see cref="Path"/> with each argument passed as is (no quoting rules).</summary>
    private static (int ExitCode, string StdOut, string StdErr) RunArguments(IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo(Path);
        foreach (string a in arguments) psi.ArgumentList.Add(a);
        return Start(psi, string.Join(' ', psi.ArgumentList));
    }

    private static (int ExitCode, string StdOut, string StdErr) Start(ProcessStartInfo psi, string shown)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        using var process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path} {shown} did not finish within 180 s.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
