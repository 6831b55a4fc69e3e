using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace SynCo.Cli.Commands;

/// <summary>
/// Turns exceptions into one-line messages and exit codes. Library messages name C# properties ("BatchSize",
/// "Backbone.WidthMultiplier"); here they are rewritten to the options that set them ("--batch", "--width").
/// </summary>
internal static partial class CliErrors
{
    // Longest names first so that e.g. "LearningRateWarmupEpochs" is not rewritten as "--lr" + "WarmupEpochs".
    private static readonly (string Name, string Option)[] Vocabulary =
    {
        ("Backbone.WidthMultiplier", "--width"), ("Backbone.BatchNormSplits", "--bn-splits"), ("LearningRateWarmupEpochs", "--warmup-lr-epochs"),
        ("WidthMultiplier", "--width"), ("BatchNormSplits", "--bn-splits"), ("WarmupEpochs", "--negatives-warmup"),
        ("HardPoolSize", "--hard-pool"), ("QueueSize", "--queue"), ("BatchSize", "--batch"), ("LearningRate", "--lr"),
        ("WeightDecay", "--wd"), ("Temperature", "--temperature"), ("Momentum", "--momentum"), ("Epochs", "--epochs"),
        ("Threads", "--threads"), ("MinScale", "--min-scale"), ("SkipUnreadable", "--skip-unreadable"), ("CheckpointDirectory", "--out"),
        ("set Resume = false", "pass --no-resume"), ("Device = \"auto\" or \"cpu\"", "--device auto or cpu"),
    };

    /// <summary>True for errors caused by the user's input (exit code 2), false for run failures (exit code 1).</summary>
    public static bool IsBadInput(Exception e) => e is UsageException or ArgumentException or FileNotFoundException
        or DirectoryNotFoundException or InvalidDataException or OnnxRuntimeException;

    /// <summary>One line: the message without .NET's "(Parameter 'x')" and "Actual value was" tails, in option terms.</summary>
    public static string Describe(Exception e)
    {
        string message = e.Message.Replace("\r", "").Split('\n')[0];
        message = ParameterTail().Replace(message, "");
        if (e is UsageException) return message;
        foreach (var (name, option) in Vocabulary)
            message = Regex.Replace(message, $@"(?<![\w.-]){Regex.Escape(name)}(?![\w])", option);
        return message;
    }

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)\s*$")]
    private static partial Regex ParameterTail();
}
