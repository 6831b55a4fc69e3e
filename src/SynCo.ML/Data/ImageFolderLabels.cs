namespace SynCo.ML.Data;

/// <summary>Labels of an <see cref="ImageFolderDataset"/> taken from its first-level subfolder names.</summary>
public sealed class ImageFolderLabels
{
    internal ImageFolderLabels(int[] labels, string[] classNames)
    {
        Labels = labels;
        ClassNames = classNames;
    }

    /// <summary>
    /// Label of each image, in dataset order: the index in <see cref="ClassNames"/> of the first-level subfolder the
    /// file is in, or −1 for files directly in the root folder.
    /// </summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>The first-level subfolder names that contain images, in ordinal order (as torchvision's ImageFolder sorts them).</summary>
    public IReadOnlyList<string> ClassNames { get; }
}
