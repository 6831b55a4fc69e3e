using SynCo.ML.Data;

namespace SynCo.ML.Tests.Data;

public class FashionMnistTests
{
    [Fact]
    public void MissingFolderSaysHowToGetTheFiles()
    {
        string folder = Path.Combine(Path.GetTempPath(), "synco-no-such-folder-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DirectoryNotFoundException>(() => IdxImageDataset.LoadFashionMnist(folder: folder));
        Assert.Contains(folder, e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("pass that folder", e.Message);
        Assert.False(FashionMnistFiles.Exists(folder));
    }

    [Fact]
    public void MissingFilesAreListed()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), Array.Empty<byte>());
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte.gz"), Array.Empty<byte>());
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnistFiles.Locate(dir.Path));
        Assert.Contains("t10k-images-idx3-ubyte[.gz]", e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte[.gz]", e.Message);
        Assert.DoesNotContain("train-images-idx3-ubyte[.gz]", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void DebianPackageFilesLoadWhenInstalled()
    {
        // The real files from Debian's dataset-fashion-mnist package; without them this fails and names the package.
        FashionMnistPrerequisite.Require();
        var files = FashionMnistFiles.Locate();
        Assert.Equal(FashionMnistFiles.DefaultFolder, files.Folder);

        var train = IdxImageDataset.LoadFashionMnist(train: true);
        Assert.Equal((60000, 1, 28, 28), (train.Count, train.Channels, train.Height, train.Width));
        Assert.Equal(60000, train.Labels!.Count);
        Assert.All(train.Labels, l => Assert.InRange(l, 0, 9));
        Assert.Equal(10, train.Labels.Distinct().Count());

        var test = IdxImageDataset.LoadFashionMnist(train: false);
        Assert.Equal(10000, test.Count);
        Assert.Equal(10000, test.Labels!.Count);
        Assert.All(test.Labels, l => Assert.InRange(l, 0, 9));

        // Real images: not blank, and use the full 0–255 range.
        var image = new byte[28 * 28];
        train.ReadImage(0, image);
        Assert.Contains(image, b => b > 200);
        Assert.Contains(image, b => b == 0);
    }
}
