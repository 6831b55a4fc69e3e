using SynCo.ML.Tests.Data;

namespace SynCo.ML.Tests.Cli;

/// <summary>
/// One small pretraining run shared by the CLI tests: 64 PNGs (4 classes of 16) at 16x16, ResNet-18 width 0.25,
/// batch 16, queue 64, 2 epochs. It is first cancelled after epoch 1 (as Ctrl+C would) and then re-run, which must
/// resume at epoch 2.
/// </summary>
public sealed class PretrainedRunFixture : IAsyncLifetime
{
    private readonly TempFolder _temp = new();

    public string Images => Path.Combine(_temp.Path, "images");

    public string Run => Path.Combine(_temp.Path, "run");

    public string Backbone => Path.Combine(Run, "backbone.onnx");

    public string Scratch(string name) => Path.Combine(_temp.Path, name);

    public string[] PretrainArgs => new[]
    {
        "pretrain", Images, "--out", Run, "--size", "16", "--width", "0.25", "--batch", "16", "--queue", "64", "--bn-splits", "2",
        "--epochs", "2", "--negatives-warmup", "1", "--device", "cpu", "--seed", "1",
    };

    internal CliRun Cancelled { get; private set; } = null!;

    internal CliRun Resumed { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ClassImages.Write(Images, perClass: 16);
        using var ctrlC = new CancellationTokenSource();
        Cancelled = await CliRun.Of(ctrlC.Token, line => { if (line.StartsWith("epoch 1/2:", StringComparison.Ordinal)) ctrlC.Cancel(); }, PretrainArgs);
        Resumed = await CliRun.Of(PretrainArgs);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }
}
