using SynCo.ML.Augmentation;
using SynCo.ML.Data;
using SynCo.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Evaluation;

/// <summary>
/// Pooled backbone features of a dataset, computed with the TorchSharp encoder in eval mode (the same numbers the
/// exported ONNX gives, without exporting). Used for training-time monitors and for untrained baselines.
/// </summary>
/// <example>
/// <code>
/// var normalise = AugmentationOptions.SmallImages(28, 28, 1);
/// float[][] features = EncoderFeatures.Extract(result.Encoder, testImages, normalise);
/// </code>
/// </example>
public static class EncoderFeatures
{
    /// <summary>
    /// Returns one feature vector per image, in dataset order: <see cref="ContrastiveEncoder.FeatureDim"/> values, times
    /// grid² with a <paramref name="featureGrid"/> above 1 (<see cref="ResNet.GridFeatures"/>, what the exported ONNX
    /// returns with the same <see cref="Onnx.OnnxExportSpec.FeatureGrid"/>).
    /// </summary>
    /// <param name="encoder">The encoder; it is switched to eval mode and left there.</param>
    /// <param name="images">Images of the encoder's size and channel count.</param>
    /// <param name="normalisation">
    /// Supplies the per-channel mean and standard deviation used in training; one without a size or normalisation
    /// (<see cref="AugmentationOptions.SmallImages()"/>) is sized to <paramref name="images"/>.
    /// </param>
    /// <param name="batchSize">Images per forward pass, positive.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <param name="featureGrid">Cells per side of the pooling grid, from 1 (global average pooling, default) to the feature map's shorter side.</param>
    public static float[][] Extract(ContrastiveEncoder encoder, IImageDataset images, AugmentationOptions normalisation, int batchSize = 256,
        CancellationToken cancellationToken = default, int featureGrid = Defaults.FeatureGrid)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(normalisation);
        Guard.Positive(batchSize, nameof(batchSize));
        if (images.Height != encoder.ImageHeight || images.Width != encoder.ImageWidth)
            throw new ArgumentException($"The images are {images.Height}x{images.Width} but the encoder was built for {encoder.ImageHeight}x{encoder.ImageWidth}; " +
                "resize them first.", nameof(images));
        var augmenter = new BatchAugmenter(normalisation.SizedTo(images.Channels, images.Height, images.Width));
        var device = encoder.Backbone.parameters().First().device;
        var result = new float[images.Count][];
        encoder.eval();
        using var noGrad = no_grad();
        var loader = new BatchLoader(images, batchSize, dropLast: false, shuffle: false);
        int row = 0;
        foreach (var batch in loader.GetBatches(0, cancellationToken: cancellationToken))
        {
            using var scope = NewDisposeScope();
            var features = encoder.Backbone.GridFeatures(augmenter.Evaluate(batch.Images.to(device)), featureGrid).to(float32).cpu();
            batch.Dispose();
            int dim = (int)features.shape[1];
            float[] flat = features.data<float>().ToArray();
            for (int i = 0; i < features.shape[0]; i++)
                result[row++] = flat.AsSpan(i * dim, dim).ToArray();
        }
        return result;
    }
}
