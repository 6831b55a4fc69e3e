namespace SynCo.ML.Data;

/// <summary>
/// A dataset whose single reads are slow (each one is a pass over a source that can only be read forward, such as an
/// ML.NET <c>IDataView</c>), but which reads a sequence of images known in advance quickly: ahead of the reader, in
/// bounded windows, on background threads. <see cref="BatchLoader"/> hands it each epoch's sequence.
/// </summary>
internal interface ISequentialImageDataset : IImageDataset
{
    /// <summary>
    /// Starts reading the images <paramref name="sequence"/> (dataset indices, each at most once) ahead, in that order.
    /// Read them from the returned reader in the same order, from one thread; dispose it to stop reading.
    /// </summary>
    ISequenceReader ReadSequence(IReadOnlyList<int> sequence, CancellationToken cancellationToken);
}

/// <summary>The images of one <see cref="ISequentialImageDataset.ReadSequence"/> call, in its order.</summary>
internal interface ISequenceReader : IDisposable
{
    /// <summary>
    /// Copies the next image of the sequence, which must be <paramref name="index"/>, into <paramref name="destination"/>
    /// (C·H·W bytes), waiting for it if it is not read yet; rethrows a read error.
    /// </summary>
    void Read(int index, Span<byte> destination);
}
