using System.Text.Json;
using System.Text.Json.Serialization;
using SynCo.ML.Evaluation;

namespace SynCo.ML.Samples.FashionMnist;

/// <summary>
/// A finished method and seed's features and probes, kept beside its pretraining checkpoint
/// (<c>&lt;--checkpoint&gt;/&lt;method&gt;-seed&lt;seed&gt;/evaluation.json</c>). Re-running a stopped comparison with the same
/// command then resumes at the first unfinished method: finished ones load their checkpoint (no epochs left) and this
/// file instead of featurizing and probing again, which costs minutes per method on 2 cores. Several processes can fill
/// one checkpoint folder (say one seed each), and one command over all seeds then reports them together.
/// </summary>
/// <example>
/// <code>
/// var saved = SavedEvaluation.Read(folder, fingerprint);   // null: not finished, or other settings or training
/// new SavedEvaluation(fingerprint, scores, projection, probeSeconds).Write(folder);
/// </code>
/// </example>
/// <param name="Settings">
/// The settings it was computed under (<see cref="SampleSettings.EvaluationFingerprint"/>), followed for a pretrained
/// method by its training's epoch losses and seconds.
/// </param>
/// <param name="Scores">Every probe at every label fraction.</param>
/// <param name="TestProjection">The test features' first two principal components.</param>
/// <param name="ProbeSeconds">Seconds the features and probes took when they were computed.</param>
public sealed record SavedEvaluation(string Settings, IReadOnlyList<FewLabelScore> Scores, float[][] TestProjection, double ProbeSeconds)
{
    /// <summary>The file's name inside a method and seed's checkpoint folder.</summary>
    public const string FileName = "evaluation.json";

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>
    /// The evaluation saved in <paramref name="folder"/> under <paramref name="settings"/>; null when there is none or it
    /// was computed under other settings or for another training (then it is recomputed and overwritten).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a saved evaluation; the message says to delete it.</exception>
    public static SavedEvaluation? Read(string folder, string settings)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        SavedEvaluation? saved;
        try
        {
            saved = JsonSerializer.Deserialize<SavedEvaluation>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a saved evaluation ({e.Message}); delete it to featurize and probe again.", e);
        }
        return saved is not null && saved.Settings == settings && saved.Scores is { Count: > 0 } ? saved : null;
    }

    /// <summary>Writes this evaluation into <paramref name="folder"/> (created if needed); a reader never sees half a file.</summary>
    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName), partial = path + ".partial";
        File.WriteAllText(partial, JsonSerializer.Serialize(this, Json));
        File.Move(partial, path, overwrite: true);
    }
}
