namespace SynCo.Cli.Commands;

/// <summary>Finds the ONNX graph inside a model.zip saved by ML.NET (its OnnxTransformer stores the model bytes in the zip).</summary>
internal static class MlNetModelOnnx
{
    /// <summary>The ONNX bytes of the model's single OnnxTransformer.</summary>
    public static byte[] Extract(string modelZip) =>
        throw new UsageException("Extracting the ONNX graph from an ML.NET model.zip is not available yet; use --checkpoint <folder> instead.");
}
