namespace SynCo.Hosting;

/// <summary>Bad input detected by a host itself (its message is already in option terms); reported as one line and exit code 2.</summary>
/// <param name="message">What is wrong and how to fix it, in the terms of the host's options.</param>
public sealed class UsageException(string message) : Exception(message);
