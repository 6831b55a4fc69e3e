using System.CommandLine;
using SynCo.Hosting;
namespace SynCo.Cli.Commands;

/// <summary>
/// One synco subcommand: declares its options in <see cref="Build"/> and runs in <see cref="Execute"/>. Every command
/// gets the same error handling: bad input → one line and exit code 2, failures → one line and 1, Ctrl+C → 130.
/// </summary>
public abstract class CliCommand(Terminal terminal)
{
    /// <summary>Where the command writes.</summary>
    protected Terminal Terminal { get; } = terminal;

    /// <summary>Builds the System.CommandLine command with its options and action.</summary>
    public Command Build()
    {
        var command = Create();
        command.SetAction((parsed, cancellationToken) => Task.FromResult(Run(parsed, cancellationToken)));
        return command;
    }

    /// <summary>The command and its options (no action).</summary>
    protected abstract Command Create();

    /// <summary>Runs the command; throws <see cref="UsageException"/> (or the library's argument exceptions) on bad input.</summary>
    protected abstract int Execute(ParseResult parsed, CancellationToken cancellationToken);

    /// <summary>Called when the run is cancelled, to say what was kept.</summary>
    protected virtual string CancelledMessage(ParseResult parsed) => "cancelled.";

    private int Run(ParseResult parsed, CancellationToken cancellationToken) =>
        HostErrors.Run(Terminal, () => Execute(parsed, cancellationToken), () => CancelledMessage(parsed), OptionNames.InOptionTerms);
}
