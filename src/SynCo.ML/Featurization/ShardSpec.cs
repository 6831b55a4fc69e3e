using System.Globalization;

namespace SynCo.ML.Featurization;

/// <summary>
/// Which part of a dataset one worker of N takes: shard <see cref="Index"/> (0-based) of <see cref="Count"/>.
/// Shard I gets the contiguous slice [⌊I·n/N⌋, ⌊(I+1)·n/N⌋) of n items in dataset order, so the slices are balanced
/// (their sizes differ by at most one), deterministic, and together cover every item exactly once, for any N ≥ 1.
/// </summary>
/// <example>
/// <code>
/// var shard = ShardSpec.Parse("2/3");                 // or ShardSpec.FromEnvironment() ?? ShardSpec.Whole
/// var (start, length) = shard.Range(10).GetOffsetAndLength(10); // items 6..9: start 6, length 4
/// </code>
/// </example>
public readonly record struct ShardSpec
{
    /// <summary>Kubernetes Indexed Job: the pod's 0-based completion index.</summary>
    public const string KubernetesIndexVariable = "JOB_COMPLETION_INDEX";

    /// <summary>Kubernetes Indexed Job: not set by Kubernetes itself; pass <c>spec.completions</c> into the pod under this name (see docs/scaling.md).</summary>
    public const string KubernetesCountVariable = "JOB_COMPLETIONS";

    /// <summary>Slurm job arrays: this task's array index (the number from <c>--array</c>, which need not start at 0).</summary>
    public const string SlurmIndexVariable = "SLURM_ARRAY_TASK_ID";

    /// <summary>Slurm job arrays: the number of tasks in the array.</summary>
    public const string SlurmCountVariable = "SLURM_ARRAY_TASK_COUNT";

    /// <summary>Slurm job arrays: the lowest array index (e.g. 1 for <c>--array=1-8</c>).</summary>
    public const string SlurmMinVariable = "SLURM_ARRAY_TASK_MIN";

    /// <summary>Slurm job arrays: the highest array index.</summary>
    public const string SlurmMaxVariable = "SLURM_ARRAY_TASK_MAX";

    /// <summary>Slurm job arrays: the index step (e.g. 2 for <c>--array=0-14:2</c>); 1 when absent.</summary>
    public const string SlurmStepVariable = "SLURM_ARRAY_TASK_STEP";

    /// <summary>Creates shard <paramref name="index"/> of <paramref name="count"/>.</summary>
    /// <param name="index">0-based shard index, in [0, <paramref name="count"/>).</param>
    /// <param name="count">Number of shards, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">The count is below 1 or the index is outside [0, count).</exception>
    public ShardSpec(int index, int count)
    {
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The shard count must be at least 1; got {count}.");
        if (index < 0 || index >= count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The shard index must be in 0..{count - 1} for {count} shard(s) (0-based); got {index}.");
        Index = index;
        Count = count;
    }

    /// <summary>The whole dataset as one shard (0/1).</summary>
    public static ShardSpec Whole { get; } = new(0, 1);

    /// <summary>0-based shard index, in [0, <see cref="Count"/>).</summary>
    public int Index { get; }

    /// <summary>Number of shards, at least 1.</summary>
    public int Count { get; }

    /// <summary>Reads "I/N" (0-based I, e.g. "0/4" … "3/4"; spaces allowed).</summary>
    /// <param name="text">The shard, as "I/N".</param>
    /// <exception cref="FormatException">The text is not two integers separated by '/', or I/N is out of range; the message says what is legal.</exception>
    public static ShardSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            throw new FormatException($"A shard is I/N with a 0-based index I and a count N, e.g. 0/4 … 3/4; got '{text}'.");
        return Checked(index, count, $"'{text}'");
    }

    /// <summary>
    /// The shard a batch scheduler gives this process: a Kubernetes Indexed Job (<c>JOB_COMPLETION_INDEX</c> with
    /// <c>JOB_COMPLETIONS</c>), else a Slurm job array (<c>SLURM_ARRAY_TASK_ID</c> with <c>SLURM_ARRAY_TASK_COUNT</c>,
    /// the index counted from <c>SLURM_ARRAY_TASK_MIN</c> in steps of <c>SLURM_ARRAY_TASK_STEP</c>), else null.
    /// </summary>
    /// <param name="variables">Looks a variable up; null = <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <returns>The shard, or null when neither scheduler's index variable is set.</returns>
    /// <exception cref="FormatException">An index variable is set but its partner is missing, or a value is not a valid integer or out of range; the message names the variable.</exception>
    public static ShardSpec? FromEnvironment(Func<string, string?>? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariable;
        if (Value(variables, KubernetesIndexVariable) is { } k8sIndex)
        {
            int count = Value(variables, KubernetesCountVariable)
                ?? throw new FormatException($"{KubernetesIndexVariable} is set but {KubernetesCountVariable} is not; set it to the Job's spec.completions (env value from the manifest), or pass --shard I/N.");
            return Checked(k8sIndex, count, $"{KubernetesIndexVariable}={k8sIndex}, {KubernetesCountVariable}={count}");
        }
        if (Value(variables, SlurmIndexVariable) is { } taskId)
        {
            int min = Value(variables, SlurmMinVariable) ?? 0;
            int step = Value(variables, SlurmStepVariable) ?? 1;
            if (step < 1) throw new FormatException($"{SlurmStepVariable} must be at least 1; got {step}.");
            int? count = Value(variables, SlurmCountVariable);
            if (count is null && Value(variables, SlurmMaxVariable) is { } max) count = (max - min) / step + 1;
            if (count is null)
                throw new FormatException($"{SlurmIndexVariable} is set but neither {SlurmCountVariable} nor {SlurmMaxVariable} is; run under sbatch --array, or pass --shard I/N.");
            if ((taskId - min) % step != 0)
                throw new FormatException($"{SlurmIndexVariable}={taskId} is not on the array's grid {min}, {min + step}, …; use --array=A-B[:S] without a list, or pass --shard I/N.");
            return Checked((taskId - min) / step, count.Value, $"{SlurmIndexVariable}={taskId} (from {SlurmMinVariable}={min}), {SlurmCountVariable}={count}");
        }
        return null;
    }

    /// <summary>This shard's contiguous slice of <paramref name="itemCount"/> items: [⌊I·n/N⌋, ⌊(I+1)·n/N⌋); empty when n &lt; N for some shards.</summary>
    /// <param name="itemCount">Items in the whole dataset, at least 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="itemCount"/> is negative.</exception>
    public Range Range(int itemCount)
    {
        if (itemCount < 0)
            throw new ArgumentOutOfRangeException(nameof(itemCount), itemCount, $"itemCount must be 0 or more; got {itemCount}.");
        int count = Math.Max(Count, 1); // default(ShardSpec) behaves as the whole dataset
        int start = (int)((long)Index * itemCount / count), end = (int)((long)(Index + 1) * itemCount / count);
        return start..end;
    }

    /// <summary>"I/N", as <see cref="Parse"/> reads it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Math.Max(Count, 1)}");

    private static ShardSpec Checked(int index, int count, string source)
    {
        if (count < 1)
            throw new FormatException($"The shard count N must be at least 1 (N workers, 0-based indices 0..N-1); got {source}.");
        if (index < 0 || index >= count)
            throw new FormatException($"The shard index must be in 0..{count - 1} for {count} shard(s) (0-based, so the last is {count - 1}/{count}); got {source}.");
        return new ShardSpec(index, count);
    }

    private static int? Value(Func<string, string?> variables, string name)
    {
        string? text = variables(name);
        if (string.IsNullOrWhiteSpace(text)) return null;
        return int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) ? value
            : throw new FormatException($"Environment variable {name} must be an integer; got '{text}'.");
    }
}
