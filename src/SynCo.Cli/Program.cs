// The `synco` tool: see SyncoApp for the commands and docs/cli.md for an example session.
using SynCo.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C: stop between steps and keep the last epoch's checkpoint; a second one kills the process.
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    cancel.Cancel();
};
return await SyncoApp.RunAsync(args, Console.Out, Console.Error, cancel.Token);
