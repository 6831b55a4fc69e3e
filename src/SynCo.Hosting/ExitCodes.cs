namespace SynCo.Hosting;

/// <summary>Process exit codes of every host: the synco commands and the samples.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The run failed (training diverged, an I/O error, ...).</summary>
    public const int Failure = 1;

    /// <summary>Bad input: an unknown or illegal option value, a missing or empty input, a wrong file.</summary>
    public const int BadInput = 2;

    /// <summary>Cancelled with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
