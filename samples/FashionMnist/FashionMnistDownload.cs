using System.Diagnostics;
using Spectre.Console;
using SynCo.ML.Data;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>
/// Obtains the Fashion-MNIST files when they are missing from the default folder, as torchvision's
/// <c>download=True</c> does: on a Debian/Ubuntu machine, running as root, it installs Debian's
/// <c>dataset-fashion-mnist</c> package with apt-get (the only registry this sample relies on). Anywhere else it
/// does nothing, and loading fails with the library's message that says how to get the files.
/// </summary>
public static class FashionMnistDownload
{
    private const string Package = "dataset-fashion-mnist";

    /// <summary>Installs the package when <paramref name="folder"/> is the default one, its files are missing and apt-get can run.</summary>
    /// <param name="folder">The sample's <c>--data</c> folder; null means <see cref="FashionMnistFiles.DefaultFolder"/>.</param>
    /// <exception cref="IOException">apt-get ran and failed; the message has its exit code and last output lines.</exception>
    public static void EnsureDefaultFiles(string? folder)
    {
        if (folder is not null && Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) != FashionMnistFiles.DefaultFolder) return; // the user's own folder: never touched
        if (FashionMnistFiles.Exists() || !CanInstall()) return;

        AnsiConsole.MarkupLine($"Fashion-MNIST is not in {FashionMnistFiles.DefaultFolder}: installing Debian's {Package} with apt-get (about 30 MB).");
        Run("apt-get", "update -qq");
        Run("apt-get", $"install -y -qq --no-install-recommends {Package}");
        if (!FashionMnistFiles.Exists())
            throw new IOException($"apt-get installed {Package}, but the four IDX files are still not in {FashionMnistFiles.DefaultFolder}.");
    }

    private static bool CanInstall() =>
        OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess && File.Exists("/etc/debian_version") && File.Exists("/usr/bin/apt-get");

    private static void Run(string command, string arguments)
    {
        var start = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new IOException($"Could not start {command}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            string tail = string.Join(" | ", (output.Result + errors).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
            throw new IOException($"'{command} {arguments}' failed with exit code {process.ExitCode}: {tail}. " +
                $"Install {Package} yourself (sudo apt-get install {Package}) or pass --data <folder>.");
        }
    }
}
