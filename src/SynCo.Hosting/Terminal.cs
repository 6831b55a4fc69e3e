using System.Diagnostics;
using Spectre.Console;

namespace SynCo.Hosting;

/// <summary>
/// Where a host (the synco tool, a sample) writes: result lines to <see cref="Out"/>, errors to <see cref="Err"/>.
/// Progress is a Spectre.Console bar when the output is an interactive terminal, and plain lines otherwise (CI logs,
/// pipes, tests): one when the work reaches a new tenth, and between tenths at most one every 10 seconds.
/// </summary>
public sealed class Terminal
{
    private static readonly TimeSpan PlainProgressInterval = TimeSpan.FromSeconds(10);
    private bool _live;

    /// <summary>Creates a terminal over two writers; interactive only when they are the real, unredirected console.</summary>
    /// <param name="output">Result and log lines, and plain progress lines.</param>
    /// <param name="error">Error lines.</param>
    public Terminal(TextWriter output, TextWriter error)
    {
        Out = output;
        Err = error;
        Interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    }

    /// <summary>Result and log lines.</summary>
    public TextWriter Out { get; }

    /// <summary>Error lines.</summary>
    public TextWriter Err { get; }

    /// <summary>Whether progress bars and tables are drawn with Spectre.Console.</summary>
    public bool Interactive { get; }

    /// <summary>Writes one line (above the progress bar while one is shown).</summary>
    public void Line(string text)
    {
        if (_live) AnsiConsole.WriteLine(text);
        else Out.WriteLine(text);
    }

    /// <summary>Writes "error: message" to the error writer.</summary>
    public void Error(string message) => Err.WriteLine("error: " + message);

    /// <summary>
    /// Runs <paramref name="work"/> with a progress reporter: fraction done in [0, 1] and a short status. Lines that
    /// mark finished items (epochs) belong in <see cref="Line"/>, which shows them in both modes.
    /// </summary>
    public T Progress<T>(string title, Func<Action<double, string>, T> work)
    {
        if (!Interactive)
        {
            var clock = Stopwatch.StartNew();
            var last = TimeSpan.Zero;
            int tenth = -1;
            return work((fraction, status) =>
            {
                fraction = Math.Clamp(fraction, 0, 1);
                int now = (int)Math.Floor(fraction * 10);
                if (now <= tenth && clock.Elapsed - last < PlainProgressInterval) return;
                tenth = Math.Max(tenth, now);
                last = clock.Elapsed;
                Out.WriteLine($"{title}: {fraction * 100:F0} % {status}");
            });
        }
        _live = true;
        try
        {
            return AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask(Markup.Escape(title), maxValue: 1.0);
                    T result = work((fraction, status) =>
                    {
                        task.Value = Math.Clamp(fraction, 0, 1);
                        task.Description = Markup.Escape($"{title} {status}");
                    });
                    task.Value = task.MaxValue;
                    return result;
                });
        }
        finally
        {
            _live = false;
        }
    }
}
