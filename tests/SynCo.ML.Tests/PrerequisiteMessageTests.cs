using SynCo.ML.Tests.Data;

namespace SynCo.ML.Tests;

/// <summary>
/// A missing test prerequisite fails with a message that names what is missing and the Debian package that installs
/// it, so a cross-check is never counted as passed without having run.
/// </summary>
public class PrerequisiteMessageTests
{
    [Fact]
    public void MissingPythonModuleNamesTheModuleAndHowToInstall()
    {
        string? message = SystemPython.Missing("synco_no_such_module");
        Assert.NotNull(message);
        Assert.Contains($"{SystemPython.Path} cannot import synco_no_such_module", message);
        Assert.Contains("ModuleNotFoundError", message);
        Assert.Contains("apt-get install synco_no_such_module", message);
        Assert.Contains("bash tests/run", message);
    }

    [Fact]
    public void EveryCrossCheckModuleMapsToItsDebianPackage()
    {
        Assert.Equal(
            new[] { "PIL=python3-pil", "numpy=python3-numpy", "onnx=python3-onnx", "torch=python3-torch", "torchvision=python3-torchvision" },
            SystemPython.DebianPackages.Select(p => $"{p.Key}={p.Value}").OrderBy(s => s, StringComparer.Ordinal));
        Assert.Throws<ArgumentException>(() => SystemPython.Require("synco_no_such_module"));
    }

    [Fact]
    public void MissingFashionMnistFilesNameTheFolderAndTheDebianPackage()
    {
        using var dir = new TempFolder();
        string? message = FashionMnistPrerequisite.Missing(dir.Path);
        Assert.NotNull(message);
        Assert.StartsWith("dataset-fashion-mnist is not installed: ", message);
        Assert.Contains(dir.Path, message);
        Assert.Contains("t10k-labels-idx1-ubyte[.gz]", message);
        Assert.Contains("apt-get install dataset-fashion-mnist", message);
        Assert.Contains("bash tests/run", message);
    }
}
