using Microsoft.ML.OnnxRuntime;

namespace SynCo.ML.Featurization;

/// <summary>
/// Chooses ONNX Runtime's execution provider for a device option and opens the session on it, saying which and why.
/// </summary>
internal static class OrtDevice
{
    public const string CudaProvider = "CUDAExecutionProvider";
    public const string CpuProvider = "CPUExecutionProvider";
    // ONNX Runtime 1.31's libonnxruntime_providers_cuda.so needs libcudart/libcublas .so.13 (readelf NEEDED): CUDA 13, not 12.
    public const string GpuBuildHint = "Build with -p:SynCoOnnxRuntimeGpu=true and install CUDA 13/cuDNN 9 to use a GPU";

    /// <summary>Execution providers compiled into the loaded ONNX Runtime native library.</summary>
    public static IReadOnlyList<string> AvailableProviders() => OrtEnv.Instance().GetAvailableProviders();

    /// <summary>Opens a session for <paramref name="model"/> on the device <paramref name="options"/> asks for.</summary>
    /// <returns>The session, its session options (dispose after the session), the provider that runs it and a one-line reason.</returns>
    /// <exception cref="ArgumentException">"cuda"/"cuda:N" was asked for but this build has no CUDA execution provider.</exception>
    public static (InferenceSession Session, SessionOptions Options, string Provider, string Reason) Open(byte[] model, OnnxFeaturizerOptions options)
    {
        var device = DeviceSpec.Parse(options.Device, nameof(options.Device));
        if (device.Kind == DeviceKind.Cpu)
            return OnCpu(model, options, "device cpu: as requested");

        var providers = AvailableProviders();
        if (!providers.Contains(CudaProvider))
        {
            string why = $"this ONNX Runtime build has no {CudaProvider} (it lists {string.Join(", ", providers)}; the default package is the CPU-only Microsoft.ML.OnnxRuntime)";
            if (device.Kind == DeviceKind.Cuda)
                throw new ArgumentException($"Device '{options.Device}' was requested but {why}. Build with -p:SynCoOnnxRuntimeGpu=true " +
                    "(Microsoft.ML.OnnxRuntime.Gpu) and install CUDA 13/cuDNN 9, or use Device = \"auto\" or \"cpu\".", nameof(options));
            return OnCpu(model, options, Fallback(why));
        }

        int index = device.Index; // 0 for "auto"
        var sessionOptions = NewOptions(options);
        try
        {
            sessionOptions.AppendExecutionProvider_CUDA(index);
            var session = new InferenceSession(model, sessionOptions);
            return (session, sessionOptions, CudaProvider, $"device {options.Device}: {CudaProvider} on CUDA device {index}");
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            sessionOptions.Dispose();
            string reason = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? e.GetType().Name;
            return OnCpu(model, options, Fallback($"{reason} (CUDA device {index})"));
        }
    }

    private static string Fallback(string reason) =>
        $"CUDA execution provider unavailable: {reason}; featurizing on the CPU. {GpuBuildHint}";

    private static (InferenceSession, SessionOptions, string, string) OnCpu(byte[] model, OnnxFeaturizerOptions options, string reason)
    {
        var sessionOptions = NewOptions(options);
        try
        {
            return (new InferenceSession(model, sessionOptions), sessionOptions, CpuProvider, reason);
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    private static SessionOptions NewOptions(OnnxFeaturizerOptions options)
    {
        var sessionOptions = new SessionOptions();
        if (options.IntraOpThreads is { } threads) sessionOptions.IntraOpNumThreads = threads;
        return sessionOptions;
    }
}
