using Microsoft.ML;
using SynCo.ML.Data;
using SynCo.ML.Tests.MLNet;

namespace SynCo.ML.Tests.Featurization;

/// <summary>One SynCoTransformer fitted on tiny grey stripes (2 epochs), shared by a test class.</summary>
public sealed class FittedStripesModel : IDisposable
{
    public FittedStripesModel()
    {
        Ml = new MLContext(seed: 5);
        Rows = TinyImages.Stripes(40, seed: 5);
        foreach (var row in Rows) // whole 0–255 values, so the uint8 dataset and the float column hold the same pixels
            for (int i = 0; i < row.Pixels.Length; i++) row.Pixels[i] = MathF.Round(row.Pixels[i]);
        Data = Ml.Data.LoadFromEnumerable(Rows);
        Options = TinyImages.Options();
        Model = Ml.Transforms.SynCoPretrain(Options).Fit(Data);
        Images = InMemoryImageDataset.FromFloats(Rows.Select(r => r.Pixels), 1, TinyImages.Side, TinyImages.Side);
    }

    public MLContext Ml { get; }

    internal List<TinyImages.PixelRow> Rows { get; }

    public IDataView Data { get; }

    public SynCoOptions Options { get; }

    public SynCoTransformer Model { get; }

    /// <summary>The same 40 images as <see cref="Data"/>, as a dataset.</summary>
    public InMemoryImageDataset Images { get; }

    public void Dispose() => Model.Dispose();
}
