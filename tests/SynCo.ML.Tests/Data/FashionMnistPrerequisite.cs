using SynCo.ML.Data;
using Xunit.Sdk;

namespace SynCo.ML.Tests.Data;

/// <summary>The real Fashion-MNIST files from Debian's dataset-fashion-mnist package, which every test machine can install.</summary>
internal static class FashionMnistPrerequisite
{
    public const string DebianPackage = "dataset-fashion-mnist";

    /// <summary>Fails the calling test, naming the Debian package, unless the four files are in <see cref="FashionMnistFiles.DefaultFolder"/>.</summary>
    /// <exception cref="XunitException">Some of the files are missing.</exception>
    public static void Require()
    {
        if (Missing() is { } message)
            throw new XunitException(message);
    }

    /// <summary>The failure message of <see cref="Require"/>, or null when the files are there.</summary>
    public static string? Missing(string folder = FashionMnistFiles.DefaultFolder)
    {
        if (FashionMnistFiles.Exists(folder)) return null;
        string detail;
        try
        {
            FashionMnistFiles.Locate(folder);
            detail = "the files are incomplete";
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            detail = e.Message.Split(" To get them:")[0];
        }
        return $"{DebianPackage} is not installed: {detail} (apt-get install {DebianPackage}, or run `bash tests/run`, which installs every test prerequisite)";
    }
}
