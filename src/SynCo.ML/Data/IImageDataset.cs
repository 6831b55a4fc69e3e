namespace SynCo.ML.Data;

/// <summary>
/// A fixed-size collection of images of one shape, read one at a time as uint8 pixels.
/// </summary>
/// <remarks>
/// Implementations must allow concurrent <see cref="ReadImage"/> calls from several threads (the
/// <see cref="BatchLoader"/> reads on a background task while the caller trains).
/// </remarks>
public interface IImageDataset
{
    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>Channels per image: 1 (grayscale) or 3 (RGB) for the built-in datasets.</summary>
    int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    int Height { get; }

    /// <summary>Image width in pixels.</summary>
    int Width { get; }

    /// <summary>
    /// Copies image <paramref name="index"/> into <paramref name="destination"/> as
    /// <see cref="Channels"/>×<see cref="Height"/>×<see cref="Width"/> bytes (planar: all of channel 0 row by row,
    /// then channel 1, …; RGB order for 3 channels), values 0–255. Thread-safe.
    /// </summary>
    /// <param name="index">Image index in [0, <see cref="Count"/>).</param>
    /// <param name="destination">At least C·H·W bytes; only the first C·H·W are written.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    void ReadImage(int index, Span<byte> destination);
}
