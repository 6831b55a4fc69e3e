namespace SynCo.ML;

/// <summary>
/// Which rows of a global batch one process holds in data-parallel training: rows <see cref="Offset"/> …
/// <see cref="Offset"/> + local count − 1 of <see cref="GlobalRows"/>. Every random draw that has a row per image
/// (augmentation parameters, synthetic-negative draws) is made for the global batch and sliced, so N processes draw
/// exactly what one process with the global batch draws.
/// </summary>
/// <param name="Offset">The first global row held here.</param>
/// <param name="GlobalRows">The global batch size.</param>
internal readonly record struct BatchShard(long Offset, long GlobalRows)
{
    /// <summary>The whole batch of <paramref name="rows"/> (one process).</summary>
    public static BatchShard Whole(long rows) => new(0, rows);

    /// <summary>Rows of <paramref name="drawn"/> (drawn for <see cref="GlobalRows"/>) held here: a view, no copy.</summary>
    public TorchSharp.torch.Tensor Local(TorchSharp.torch.Tensor drawn, long localRows) =>
        Offset == 0 && localRows == GlobalRows ? drawn : drawn.narrow(0, Offset, localRows);
}
