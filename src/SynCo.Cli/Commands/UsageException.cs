namespace SynCo.Cli.Commands;

/// <summary>Bad input detected by the tool itself; reported as one line and exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
