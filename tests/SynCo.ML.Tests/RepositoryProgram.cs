namespace SynCo.ML.Tests;

/// <summary>Programs of the repository as the solution build left them, run by tests as separate processes.</summary>
internal static class RepositoryProgram
{
    /// <summary>
    /// The path of <paramref name="dll"/>, built from <paramref name="project"/> (a folder relative to the repository root)
    /// in the same configuration as these tests.
    /// </summary>
    /// <exception cref="FileNotFoundException">It was not built; the message says to build the solution.</exception>
    public static string Built(string project, string dll)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));   // .../tests/SynCo.ML.Tests/bin/<config>/net10.0
        string configuration = output.Parent!.Name;
        string root = output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        string path = Path.Combine(root, project, "bin", configuration, output.Name, dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{dll} was not built at {path}; build the solution (dotnet build SynCo.ML.sln).", path);
    }
}
