using Spectre.Console;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>
/// Progress for long work: a Spectre.Console bar in an interactive terminal, one line per milestone otherwise
/// (CI logs, redirected output).
/// </summary>
public static class ProgressView
{
    /// <summary>Runs <paramref name="work"/>, which reports (fraction done in [0, 1], status text) through its argument.</summary>
    public static T Run<T>(string title, Func<Action<double, string>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            string last = "";
            var result = work((_, status) =>
            {
                if (status != last) Console.WriteLine($"  {title}: {status}");
                last = status;
            });
            return result;
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
