namespace SynCo.ML.Data;

/// <summary>Argument checks shared by the dataset implementations.</summary>
internal static class ImageDatasetChecks
{
    /// <summary>Checks a <see cref="IImageDataset.ReadImage"/> call's arguments.</summary>
    public static void CheckRead(int index, int count, int destinationLength, int imageSize)
    {
        if ((uint)index >= (uint)count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be in [0, {count}) (the dataset has {count} images).");
        if (destinationLength < imageSize)
            throw new ArgumentException(
                $"destination holds {destinationLength} bytes but one image needs {imageSize} (channels × height × width).", "destination");
    }

    /// <summary>Checks an image shape and returns C·H·W.</summary>
    public static int CheckShape(int channels, int height, int width)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be positive (1 for grayscale, 3 for RGB).");
        Guard.Pixels(height, nameof(height));
        Guard.Pixels(width, nameof(width));
        long size = (long)channels * height * width;
        if (size > Array.MaxLength)
            throw new ArgumentException($"One image of {channels}×{height}×{width} bytes is too large for a .NET array.");
        return (int)size;
    }
}
