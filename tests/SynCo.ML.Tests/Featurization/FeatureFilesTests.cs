using System.Globalization;
using SynCo.ML.Featurization;
using SynCo.ML.Tests.Data;
using Xunit.Abstractions;

namespace SynCo.ML.Tests.Featurization;

public class FeatureFilesTests
{
    private readonly ITestOutputHelper _output;

    public FeatureFilesTests(ITestOutputHelper output) => _output = output;

    private static float[][] Matrix(int n, int d) =>
        Enumerable.Range(0, n).Select(i => Enumerable.Range(0, d).Select(j => (float)Math.Sin(i * 7.1 + j * 0.37) * 1e3f / (j + 1)).ToArray()).ToArray();

    [Fact]
    public void NpyRoundTripsBitExactly()
    {
        using var dir = new TempFolder();
        var m = Matrix(5, 3);
        string path = dir.File("f.npy");
        FeatureFiles.WriteNpy(path, m);
        var back = FeatureFiles.ReadNpy(path);
        Assert.Equal(m, back);
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = bytes[8] | bytes[9] << 8;
        Assert.Equal(0, (10 + headerLength) % 64); // aligned as numpy writes it
        Assert.Equal(10 + headerLength + 5 * 3 * 4, bytes.Length);
    }

    [Fact]
    public void NumpyLoadsOurNpyWithTheSameValuesAndWeReadNumpysOwn()
    {
        SystemPython.Require("numpy");
        using var dir = new TempFolder();
        var m = Matrix(4, 6);
        string ours = dir.File("ours.npy"), labels = dir.File("labels.npy"), theirs = dir.File("theirs.npy");
        FeatureFiles.WriteNpy(ours, m);
        FeatureFiles.WriteNpy(labels, new[] { 3, -1, 0, 7 });
        var r = SystemPython.RunScript(@"
import sys, numpy as np
a = np.load(sys.argv[1]); l = np.load(sys.argv[2])
print('SHAPE', a.shape, a.dtype, l.shape, l.dtype, l.tolist())
print('VALUES ' + ' '.join(repr(float(v)) for v in a.flatten()))
np.save(sys.argv[3], (a * 2).astype(np.float32))
", dir.Path, ours, labels, theirs);
        Assert.True(r.ExitCode == 0, r.StdErr);
        _output.WriteLine(r.StdOut.Split('\n')[0]);
        Assert.Contains("SHAPE (4, 6) float32 (4,) int32 [3, -1, 0, 7]", r.StdOut);
        float[] values = r.StdOut.Split('\n').Single(l => l.StartsWith("VALUES ")).Substring(7).Split(' ')
            .Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(m.SelectMany(x => x).ToArray(), values);
        Assert.Equal(m.Select(row => row.Select(v => v * 2).ToArray()).ToArray(), FeatureFiles.ReadNpy(theirs));
    }

    [Fact]
    public void CsvHasHeaderInvariantRoundTripValuesAndLabels()
    {
        using var dir = new TempFolder();
        var m = new[] { new[] { 0.1f, -2.5e-7f }, new[] { 1234.5f, float.Epsilon } };
        string path = dir.File("f.csv");
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // decimal comma must not leak in
            FeatureFiles.WriteCsv(path, m, new[] { 1, 0 });
        }
        finally { CultureInfo.CurrentCulture = previous; }
        string[] lines = File.ReadAllLines(path);
        Assert.Equal("f0,f1,label", lines[0]);
        Assert.Equal(3, lines.Length);
        var row1 = lines[2].Split(',');
        Assert.Equal(1234.5f, float.Parse(row1[0], CultureInfo.InvariantCulture));
        Assert.Equal(float.Epsilon, float.Parse(row1[1], CultureInfo.InvariantCulture));
        Assert.Equal("0", row1[2]);
        Assert.Equal(-2.5e-7f, float.Parse(lines[1].Split(',')[1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RaggedRowsAndWrongLabelCountAreRejected()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<ArgumentException>(() => FeatureFiles.WriteNpy(dir.File("x.npy"), new[] { new float[2], new float[3] }));
        Assert.Contains("Row 1 has 3 values but row 0 has 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => FeatureFiles.WriteCsv(dir.File("x.csv"), new[] { new float[2] }, new[] { 1, 2 }));
        Assert.Contains("2 labels for 1 feature rows", e.Message);
        File.WriteAllText(dir.File("bad.npy"), "not numpy");
        Assert.Throws<InvalidDataException>(() => FeatureFiles.ReadNpy(dir.File("bad.npy")));
    }
}
