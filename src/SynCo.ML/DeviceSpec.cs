namespace SynCo.ML;

/// <summary>
/// A device option as users write it — "auto", "cpu", "cuda" or "cuda:N" — parsed once for both engines: training
/// (TorchSharp, <see cref="Training.DeviceSelector"/>) and featurization (ONNX Runtime). Parsing loads no native code.
/// </summary>
/// <param name="Kind">Auto, Cpu or Cuda.</param>
/// <param name="Index">The CUDA device index for <see cref="DeviceKind.Cuda"/> (0 for plain "cuda"); 0 otherwise.</param>
public readonly record struct DeviceSpec(DeviceKind Kind, int Index)
{
    /// <summary>The legal values, for messages.</summary>
    public const string LegalValues = "\"auto\" (CUDA when available, else CPU), \"cpu\", \"cuda\" or \"cuda:N\" (N = 0, 1, ...)";

    /// <summary>Parses <paramref name="device"/> (case-insensitive, surrounding spaces ignored; null means "auto").</summary>
    /// <param name="device">The option's value.</param>
    /// <param name="optionName">The option's name, for the message (e.g. "Device" or "--device").</param>
    /// <exception cref="ArgumentException">Not one of <see cref="LegalValues"/>.</exception>
    public static DeviceSpec Parse(string? device, string optionName = "Device")
    {
        string s = (device ?? Defaults.Device).Trim().ToLowerInvariant();
        if (s == "auto") return new(DeviceKind.Auto, 0);
        if (s == "cpu") return new(DeviceKind.Cpu, 0);
        if (s == "cuda") return new(DeviceKind.Cuda, 0);
        if (s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(5), out int index) && index >= 0)
            return new(DeviceKind.Cuda, index);
        throw new ArgumentException($"Unknown device '{device}' for {optionName}. Legal values: {LegalValues}.", optionName);
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        DeviceKind.Auto => "auto",
        DeviceKind.Cpu => "cpu",
        _ => $"cuda:{Index}",
    };
}

/// <summary>What a <see cref="DeviceSpec"/> asks for.</summary>
public enum DeviceKind
{
    /// <summary>CUDA when the engine can use it, otherwise the CPU (the choice is logged).</summary>
    Auto,
    /// <summary>The CPU.</summary>
    Cpu,
    /// <summary>A CUDA device; an error when the engine cannot use it.</summary>
    Cuda,
}
