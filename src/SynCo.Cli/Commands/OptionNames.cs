using System.Text.RegularExpressions;

namespace SynCo.Cli.Commands;

/// <summary>
/// The synco options that set library properties: library messages name C# properties ("BatchSize",
/// "Backbone.WidthMultiplier"); the error lines of synco name the options instead ("--batch", "--width").
/// </summary>
internal static class OptionNames
{
    // Longest names first so that e.g. "LearningRateWarmupEpochs" is not rewritten as "--lr" + "WarmupEpochs".
    private static readonly (string Name, string Option)[] Vocabulary =
    {
        ("SmallCrops.Height", "--small-crop-size"), ("SmallCrops.Width", "--small-crop-size"), ("Backbone.WidthMultiplier", "--width"), ("Backbone.BatchNormSplits", "--bn-splits"), ("LearningRateWarmupEpochs", "--warmup-lr-epochs"),
        ("WidthMultiplier", "--width"), ("BatchNormSplits", "--bn-splits"), ("WarmupEpochs", "--negatives-warmup"),
        ("HardPoolSize", "--hard-pool"), ("QueueSize", "--queue"), ("BatchSize", "--batch"), ("LearningRate", "--lr"),
        ("WeightDecay", "--wd"), ("Temperature", "--temperature"), ("Momentum", "--momentum"), ("Epochs", "--epochs"),
        ("Threads", "--threads"), ("FeatureGrid", "--feature-grid"), ("MinScale", "--min-scale"), ("SkipUnreadable", "--skip-unreadable"), ("CheckpointDirectory", "--out"),
        ("set Resume = false", "pass --no-resume"), ("Device = \"auto\" or \"cpu\"", "--device auto or cpu"),
    };

    /// <summary>Rewrites the library property names in <paramref name="message"/> into the options that set them.</summary>
    public static string InOptionTerms(string message)
    {
        foreach (var (name, option) in Vocabulary)
            message = Regex.Replace(message, $@"(?<![\w.-]){Regex.Escape(name)}(?![\w])", option);
        return message;
    }
}
