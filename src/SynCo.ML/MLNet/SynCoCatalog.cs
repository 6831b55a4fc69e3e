using Microsoft.ML;

namespace SynCo.ML;

/// <summary>ML.NET catalog extensions of SynCo.ML.</summary>
public static class SynCoCatalog
{
    /// <summary>
    /// Creates a <see cref="SynCoEstimator"/> that, when fitted, pretrains an image backbone on the input images with
    /// MoCo v2 and synthetic hard negatives (self-supervised: no labels), exports it to ONNX and featurizes through
    /// ONNX Runtime.
    /// </summary>
    /// <param name="catalog">The transform catalog.</param>
    /// <param name="options">All settings; see <see cref="SynCoOptions"/>.</param>
    /// <example><format type="text/markdown"><![CDATA[
    /// [!code-csharp[SynCoPretrain](~/samples/GettingStarted/Program.cs)]
    /// ]]></format></example>
    public static SynCoEstimator SynCoPretrain(this TransformsCatalog catalog, SynCoOptions options)
        => new(catalog, options);

    /// <summary>
    /// Creates a <see cref="SynCoEstimator"/> with the default recipe (small images, SynCo negatives) and the given columns and budget.
    /// </summary>
    /// <param name="catalog">The transform catalog.</param>
    /// <param name="outputColumnName">Name of the column the fitted transformer makes: a known-size vector of <see cref="System.Single"/> (the embedding).</param>
    /// <param name="inputColumnName">Name of the input column: a vector of <see cref="System.Single"/> with dimensions (C, H, W) in 0–255 scale, as <c>ExtractPixels</c> makes, or an image column.</param>
    /// <param name="epochs">Passes over the data; positive.</param>
    /// <param name="batchSize">Images per step; positive, at most the number of rows.</param>
    /// <example><format type="text/markdown"><![CDATA[
    /// [!code-csharp[SynCoPretrain](~/samples/GettingStarted/Program.cs)]
    /// ]]></format></example>
    public static SynCoEstimator SynCoPretrain(this TransformsCatalog catalog,
        string outputColumnName = Defaults.OutputColumnName, string inputColumnName = Defaults.InputColumnName,
        int epochs = Defaults.Epochs, int batchSize = Defaults.BatchSize)
        => new(catalog, new SynCoOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Epochs = epochs, BatchSize = batchSize });
}
