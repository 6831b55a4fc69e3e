using System.CommandLine;
using SynCo.Cli.Commands;
using SynCo.Hosting;

namespace SynCo.Cli;

/// <summary>The synco command line: builds the commands and runs one, in-process (tests call <see cref="RunAsync"/>).</summary>
public static class SyncoApp
{
    /// <summary>The README-style usage block shown by <c>synco --help</c>.</summary>
    public const string Usage = """
        synco: self-supervised contrastive pretraining (MoCo v2 with MoCHi / SynCo synthetic hard negatives) for
        image folders and IDX files, without writing C#.

          synco pretrain <images> --out <dir> [--size HxW] [--epochs N] [--width 0.25] ...
              Train on unlabelled images; checkpoints every epoch (re-run the same command to resume) and writes
              <dir>/backbone.onnx and <dir>/history.csv.
          synco export --checkpoint <dir> --out <file.onnx> [--output features|projection] [--normalize]
          synco export --model <model.zip> --out <file.onnx>
              The ONNX backbone from a checkpoint, or from an ML.NET model saved after SynCoPretrain.
          synco featurize --model <backbone.onnx> <images> --out <features.csv|features.npy>
              One feature vector per image (batched ONNX Runtime); labels from class subfolders or --labels.
          synco eval --train <features> --test <features> [--k 200] [--t 0.1]
              kNN and linear-probe accuracy.

        Example:
          synco pretrain photos/train --out run --size 32 --epochs 50 --width 0.5 --batch 128
          synco featurize --model run/backbone.onnx photos/train --out train.npy
          synco featurize --model run/backbone.onnx photos/test --out test.npy
          synco eval --train train.npy --test test.npy

        Exit codes: 0 success, 1 failure, 2 bad input, 130 cancelled (Ctrl+C keeps the last epoch's checkpoint).
        Run 'synco <command> --help' for every option; docs/cli.md has a full session.
        """;

    /// <summary>Builds the root command with every subcommand writing to <paramref name="terminal"/>.</summary>
    public static RootCommand CreateRoot(Terminal terminal) => new(Usage)
    {
        new PretrainCommand(terminal).Build(),
        new ExportCommand(terminal).Build(),
        new FeaturizeCommand(terminal).Build(),
        new EvalCommand(terminal).Build(),
    };

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0, 1, 2 or 130, see <see cref="ExitCodes"/>).</summary>
    /// <param name="args">The command line, e.g. <c>["pretrain", "photos", "--out", "run"]</c>.</param>
    /// <param name="output">Results, logs and help.</param>
    /// <param name="error">Error lines ("error: ...").</param>
    /// <param name="cancellationToken">Cancels the command (Ctrl+C in the real tool).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var terminal = new Terminal(output, error);
        var root = CreateRoot(terminal);
        var parsed = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        if (parsed.Errors.Count > 0 && !WantsHelp(args))
        {
            // One clear line and exit code 2 instead of System.CommandLine's default (all errors, full help, exit code 1).
            string command = parsed.CommandResult.Command is RootCommand ? "synco" : $"synco {parsed.CommandResult.Command.Name}";
            string message = System.Text.RegularExpressions.Regex.Replace(parsed.Errors[0].Message, @"\s*\n\s*", " ");
            terminal.Error($"{message} (see '{command} --help')");
            return ExitCodes.BadInput;
        }
        return await parsed.InvokeAsync(configuration, cancellationToken);
    }

    private static bool WantsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?" or "/?" or "/h");
}
