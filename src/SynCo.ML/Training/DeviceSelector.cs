using TorchSharp;

namespace SynCo.ML.Training;

/// <summary>Turns a device option ("auto", "cpu", "cuda", "cuda:N") into a TorchSharp device, saying which and why.</summary>
public static class DeviceSelector
{
    /// <summary>Legal values of a device option.</summary>
    public const string LegalValues = "\"auto\" (CUDA when available, else CPU), \"cpu\", \"cuda\" or \"cuda:N\" (N = 0, 1, ...)";

    /// <summary>Resolves <paramref name="spec"/>; throws when it is unknown or asks for CUDA where none is usable.</summary>
    /// <returns>The device and a one-line reason for the log.</returns>
    public static (torch.Device Device, string Reason) Resolve(string? spec)
    {
        string s = (spec ?? "auto").Trim().ToLowerInvariant();
        bool cuda = torch.cuda.is_available();
        if (s == "auto")
            return cuda
                ? (torch.CUDA, $"device auto: CUDA is available ({torch.cuda.device_count()} device(s)), using cuda:0")
                : (torch.CPU, "device auto: CUDA is not available (CPU natives, or no GPU), using the CPU");
        if (s == "cpu") return (torch.CPU, "device cpu: as requested");
        if (s == "cuda" || s.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (s.Length > 4 && (!int.TryParse(s.AsSpan(5), out index) || index < 0))
                throw new ArgumentException($"Unknown device '{spec}'. Legal values: {LegalValues}.", nameof(spec));
            if (!cuda)
                throw new ArgumentException($"Device '{spec}' was requested but CUDA is not available to TorchSharp. Use Device = \"auto\" or \"cpu\", " +
                    "or build with -p:SynCoTorchCuda=true (TorchSharp CUDA natives) on a machine with an NVIDIA GPU and driver.", nameof(spec));
            if (index >= torch.cuda.device_count())
                throw new ArgumentException($"Device '{spec}' does not exist: {torch.cuda.device_count()} CUDA device(s) are visible.", nameof(spec));
            return (torch.device(DeviceType.CUDA, index), $"device {s}: as requested");
        }
        throw new ArgumentException($"Unknown device '{spec}'. Legal values: {LegalValues}.", nameof(spec));
    }
}
