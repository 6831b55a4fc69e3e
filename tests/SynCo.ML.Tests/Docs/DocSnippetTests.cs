using System.Text.RegularExpressions;

namespace SynCo.ML.Tests.Docs;

/// <summary>
/// Every C# block in README.md, docs/*.md and the package readmes (src/*/PACKAGE.md) must be quoted verbatim (up to indentation) from a sample that CI compiles,
/// so documentation code cannot rot.
/// </summary>
public class DocSnippetTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string>();
        data.Add("README.md");
        foreach (var f in Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md").Order())
            data.Add(Path.GetRelativePath(Root, f));
        foreach (var f in Directory.EnumerateFiles(Path.Combine(Root, "src"), "PACKAGE.md", SearchOption.AllDirectories).Order())
            data.Add(Path.GetRelativePath(Root, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void CSharpBlocksAreQuotedFromCompiledSamples(string document)
    {
        string samples = string.Join("\n", Directory.EnumerateFiles(Path.Combine(Root, "samples"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(f => Normalise(File.ReadAllText(f))));
        var blocks = Regex.Matches(File.ReadAllText(Path.Combine(Root, document)), "```(?:csharp|cs|c#)\\n(.*?)```", RegexOptions.Singleline);
        foreach (Match block in blocks)
        {
            string code = Normalise(block.Groups[1].Value);
            Assert.True(samples.Contains(code, StringComparison.Ordinal),
                $"{document}: this C# block is not in any file under samples/ (copy it from a compiled sample):\n{block.Groups[1].Value}");
        }
    }

    /// <summary>
    /// The XML docs' DocFX includes (<c>[!code-csharp[Member](~/path#region)]</c>, as in SynCoCatalog's examples) point at a
    /// sample of a project in the solution, that has the region when one is named and that calls the member it documents.
    /// CSharpBlocksAreQuotedFromCompiledSamples reads only Markdown, not these.
    /// </summary>
    [Fact]
    public void XmlDocCodeIncludesPointAtCompiledSamplesThatCallTheDocumentedMember()
    {
        string solution = File.ReadAllText(Path.Combine(Root, "SynCo.ML.sln")).Replace('\\', '/');
        var includes = new List<string>();
        foreach (var source in Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")))
        {
            foreach (Match m in Regex.Matches(File.ReadAllText(source), @"///.*\[!code-csharp\[(?<member>[^\]]+)\]\(~/(?<path>[^)#]+)(?:#(?<region>[^)]+))?\)\]"))
            {
                string where = $"{Path.GetRelativePath(Root, source)}: [!code-csharp[{m.Groups["member"].Value}](~/{m.Groups["path"].Value})]";
                includes.Add(where);
                string sample = Path.Combine(Root, m.Groups["path"].Value);
                Assert.True(File.Exists(sample), $"{where} points at a missing file");
                var project = Directory.EnumerateFiles(Path.GetDirectoryName(sample)!, "*.csproj").SingleOrDefault();
                Assert.True(project is not null && solution.Contains(Path.GetRelativePath(Root, project).Replace('\\', '/'), StringComparison.Ordinal),
                    $"{where}: the sample is not in a project of SynCo.ML.sln, so nothing compiles it");
                string code = File.ReadAllText(sample);
                if (m.Groups["region"].Success)
                    Assert.Matches(@"#region\s+" + Regex.Escape(m.Groups["region"].Value) + @"\s", code);
                Assert.Contains("." + m.Groups["member"].Value + "(", code);
            }
        }
        Assert.Contains(includes, i => i.StartsWith(Path.Combine("src", "SynCo.ML", "MLNet", "SynCoCatalog.cs"), StringComparison.Ordinal));
    }

    private static string Normalise(string code) =>
        string.Join("\n", code.Replace("\r", "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SynCo.ML.sln"))) return dir.FullName;
        throw new InvalidOperationException("SynCo.ML.sln not found above " + AppContext.BaseDirectory);
    }
}
