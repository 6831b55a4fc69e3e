using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace SynCo.Hosting;

/// <summary>
/// Turns the exceptions of a host's run into one "error: ..." line and an <see cref="ExitCodes">exit code</see>:
/// bad input 2, cancelled 130, any other failure 1 (with the stack trace too when SYNCO_DEBUG is set).
/// </summary>
public static partial class HostErrors
{
    /// <summary>True for errors caused by the user's input (exit code 2), false for run failures (exit code 1).</summary>
    public static bool IsBadInput(Exception e) => e is UsageException or ArgumentException or FileNotFoundException
        or DirectoryNotFoundException or InvalidDataException or OnnxRuntimeException;

    /// <summary>
    /// One line: the message without .NET's "(Parameter 'x')" and "Actual value was" tails. Library messages then go
    /// through <paramref name="inOptionTerms"/> (which names the host's options for library properties); a
    /// <see cref="UsageException"/> is the host's own and already speaks in option terms.
    /// </summary>
    public static string Describe(Exception e, Func<string, string>? inOptionTerms = null)
    {
        string message = ParameterTail().Replace(e.Message.Replace("\r", "").Split('\n')[0], "");
        return e is UsageException || inOptionTerms is null ? message : inOptionTerms(message);
    }

    /// <summary>Runs <paramref name="work"/> and returns its exit code, or reports its exception on <paramref name="terminal"/> and returns the code for it.</summary>
    /// <param name="terminal">Where the error line goes.</param>
    /// <param name="work">The host's run; returns its exit code.</param>
    /// <param name="cancelledMessage">What to say when the run is cancelled (what was kept, how to resume); default "cancelled.".</param>
    /// <param name="inOptionTerms">Rewrites library messages into the host's option names; see <see cref="Describe"/>.</param>
    public static int Run(Terminal terminal, Func<int> work, Func<string>? cancelledMessage = null, Func<string, string>? inOptionTerms = null)
    {
        try
        {
            return work();
        }
        catch (OperationCanceledException)
        {
            terminal.Error(cancelledMessage?.Invoke() ?? "cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (IsBadInput(e))
        {
            terminal.Error(Describe(e, inOptionTerms));
            return ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            terminal.Error(Describe(e, inOptionTerms));
            if (Environment.GetEnvironmentVariable("SYNCO_DEBUG") is { Length: > 0 }) terminal.Err.WriteLine(e);
            return ExitCodes.Failure;
        }
    }

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)\s*$")]
    private static partial Regex ParameterTail();
}
