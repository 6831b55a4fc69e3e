using TorchSharp;

namespace SynCo.ML.Training;

/// <summary>Turns a device option ("auto", "cpu", "cuda", "cuda:N") into a TorchSharp device, saying which and why.</summary>
public static class DeviceSelector
{
    /// <summary>Resolves <paramref name="spec"/>; throws when it is unknown or asks for CUDA where none is usable.</summary>
    /// <returns>The device and a one-line reason for the log.</returns>
    public static (torch.Device Device, string Reason) Resolve(string? spec)
    {
        var parsed = DeviceSpec.Parse(spec);
        bool cuda = torch.cuda.is_available();
        switch (parsed.Kind)
        {
            case DeviceKind.Auto:
                return cuda
                    ? (torch.CUDA, $"device auto: CUDA is available ({torch.cuda.device_count()} device(s)), using cuda:0")
                    : (torch.CPU, "device auto: CUDA is not available (CPU natives, or no GPU), using the CPU");
            case DeviceKind.Cpu:
                return (torch.CPU, "device cpu: as requested");
            default:
                if (!cuda)
                    throw new ArgumentException($"Device '{spec}' was requested but CUDA is not available to TorchSharp. Use Device = \"auto\" or \"cpu\", " +
                        "or build with -p:SynCoTorchCuda=true (TorchSharp CUDA natives) on a machine with an NVIDIA GPU and driver.", nameof(spec));
                if (parsed.Index >= torch.cuda.device_count())
                    throw new ArgumentException($"Device '{spec}' does not exist: {torch.cuda.device_count()} CUDA device(s) are visible.", nameof(spec));
                return (torch.device(DeviceType.CUDA, parsed.Index), $"device {parsed}: as requested");
        }
    }
}
