using SynCo.Hosting;
using SynCo.ML.Negatives;

namespace SynCo.ML.Tests.Cli;

/// <summary>The hosts' one name-to-negatives mapping: names in any case, "moco" for none, a message listing the legal names.</summary>
public class NegativesMethodTests
{
    [Theory]
    [InlineData("synco", "synco")]
    [InlineData("SynCo", "synco")]
    [InlineData("MOCHI", "mochi")]
    [InlineData("none", "none")]
    [InlineData("MoCo", "none")]
    public void ParsesNamesInAnyCase(string name, string expected) => Assert.Equal(expected, NegativesMethod.Parse(name).Name);

    [Fact]
    public void UnknownNameListsTheLegalOnes()
    {
        var e = Assert.Throws<UsageException>(() => NegativesMethod.Parse("hard"));
        Assert.Contains("synco, mochi, none, moco", e.Message);
    }

    [Fact]
    public void OptionsAreTheLibraryPresets()
    {
        Assert.Equal(NegativeOptions.SynCo(4096).TotalCount, NegativesMethod.SynCo.Options(4096).TotalCount);
        Assert.Equal(NegativeOptions.MoCHi(4096).Mixup, NegativesMethod.MoCHi.Options(4096).Mixup);
        Assert.Equal(0, NegativesMethod.None.Options(4096).TotalCount);
        Assert.True(NegativesMethod.SynCo.Synthesizes);
        Assert.True(NegativesMethod.MoCHi.Synthesizes);
        Assert.False(NegativesMethod.None.Synthesizes);
    }
}
