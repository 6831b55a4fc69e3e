using Spectre.Console;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>
/// Progress for long work: a Spectre.Console bar in an interactive terminal, one line per milestone otherwise
/// (CI logs, redirected output: a line per tenth of the work and per finished epoch).
/// </summary>
public static class ProgressView
{
    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, in order (unlike <see cref="Progress{T}"/>).</summary>
    public sealed class Synchronous<T>(Action<T> handler) : IProgress<T>
    {
        /// <inheritdoc/>
        public void Report(T value) => handler(value);
    }

    /// <summary>Runs <paramref name="work"/>, which reports (fraction done in [0, 1], status text) through its argument.</summary>
    public static T Run<T>(string title, Func<Action<double, string>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            int decile = -1;
            return work((fraction, status) =>
            {
                int d = (int)Math.Floor(Math.Clamp(fraction, 0, 1) * 10);
                if (d <= decile && !status.Contains("done", StringComparison.Ordinal)) return;
                decile = Math.Max(decile, d);
                Console.WriteLine($"  {title}: {status}");
            });
        }
        return AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
                var result = work((fraction, status) =>
                {
                    task.Value = Math.Clamp(fraction, 0, 1);
                    task.Description = Markup.Escape($"{title}: {status}");
                });
                task.Value = 1.0;
                return result;
            });
    }
}
