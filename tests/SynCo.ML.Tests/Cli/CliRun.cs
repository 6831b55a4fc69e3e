using SynCo.Cli;

namespace SynCo.ML.Tests.Cli;

/// <summary>Runs synco in-process and captures what it writes.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static async Task<CliRun> Of(params string[] args) => await Of(CancellationToken.None, null, args);

    /// <summary>Runs with a cancellation token; <paramref name="onLine"/> sees every output line as it is written.</summary>
    public static async Task<CliRun> Of(CancellationToken cancellationToken, Action<string>? onLine, params string[] args)
    {
        var output = new LineWatcher(onLine);
        var error = new StringWriter();
        int code = await SyncoApp.RunAsync(args, output, error, cancellationToken);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\n--- out\n{Output}\n--- err\n{Error}";

    private sealed class LineWatcher(Action<string>? onLine) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            onLine?.Invoke(value ?? "");
        }
    }
}
