using SynCo.ML.Featurization;

namespace SynCo.ML.Tests.Featurization;

public class ShardSpecTests
{
    [Fact]
    public void ShardsAreBalancedContiguousAndCoverEveryItemOnce()
    {
        foreach (int items in new[] { 0, 1, 2, 7, 36, 1000, 1001 })
        foreach (int n in new[] { 1, 2, 3, 7, 64 })
        {
            var slices = Enumerable.Range(0, n).Select(i => new ShardSpec(i, n).Range(items).GetOffsetAndLength(items)).ToArray();
            Assert.Equal(0, slices[0].Offset);
            for (int i = 1; i < n; i++) Assert.Equal(slices[i - 1].Offset + slices[i - 1].Length, slices[i].Offset);
            Assert.Equal(items, slices[^1].Offset + slices[^1].Length);
            Assert.True(slices.Max(s => s.Length) - slices.Min(s => s.Length) <= 1);
        }
    }

    [Fact]
    public void ParsesIOverN()
    {
        Assert.Equal(new ShardSpec(2, 3), ShardSpec.Parse(" 2 / 3"));
        Assert.Equal("2/3", new ShardSpec(2, 3).ToString());
        Assert.Contains("0..2", Assert.Throws<FormatException>(() => ShardSpec.Parse("3/3")).Message);
        Assert.Contains("at least 1", Assert.Throws<FormatException>(() => ShardSpec.Parse("0/0")).Message);
        Assert.Contains("I/N", Assert.Throws<FormatException>(() => ShardSpec.Parse("-1/3")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardSpec(3, 3));
    }

    [Fact]
    public void ReadsKubernetesAndSlurmEnvironments()
    {
        static Func<string, string?> Env(params (string, string)[] vars) => name => vars.FirstOrDefault(v => v.Item1 == name).Item2;
        Assert.Null(ShardSpec.FromEnvironment(Env()));
        Assert.Equal(new ShardSpec(4, 8), ShardSpec.FromEnvironment(Env(("JOB_COMPLETION_INDEX", "4"), ("JOB_COMPLETIONS", "8"))));
        Assert.Contains("JOB_COMPLETIONS", Assert.Throws<FormatException>(() => ShardSpec.FromEnvironment(Env(("JOB_COMPLETION_INDEX", "4")))).Message);
        // --array=1-8: ids 1..8 are shards 0..7.
        Assert.Equal(new ShardSpec(0, 8), ShardSpec.FromEnvironment(Env(("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "8"))));
        // --array=0-14:2: ids 0, 2, ..., 14 are shards 0..7 (count from MAX when COUNT is absent).
        Assert.Equal(new ShardSpec(7, 8), ShardSpec.FromEnvironment(Env(("SLURM_ARRAY_TASK_ID", "14"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "14"), ("SLURM_ARRAY_TASK_STEP", "2"))));
        Assert.Contains("SLURM_ARRAY_TASK_ID=9", Assert.Throws<FormatException>(() => ShardSpec.FromEnvironment(Env(("SLURM_ARRAY_TASK_ID", "9"), ("SLURM_ARRAY_TASK_COUNT", "8")))).Message);
    }
}
