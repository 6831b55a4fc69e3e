// What a user of the SynCo.ML package does, from outside the repository:
//   images <dir> <count>   write a folder of small generated PNGs (two classes of stripes, in class subfolders)
//   load                   only load TorchSharp's native library (proves the Debian 12 fix in this output folder)
//   pipeline <dir> <out>   LoadImages → ResizeImages → ExtractPixels → SynCoPretrain over the PNGs; save and reload
//                          the ML.NET model and compare embeddings; export ONNX and run it in ONNX Runtime.
// Exits non-zero with a message on the first mismatch.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SynCo.ML;
using SynCo.ML.Negatives;

switch (args.FirstOrDefault())
{
    case "images": WriteImages(args[1], int.Parse(args[2])); return 0;
    case "load": Console.WriteLine($"TorchSharp loaded: {TorchSharp.torch.ones(2).sum().item<float>()} == 2"); return 0;
    case "pipeline": return Pipeline(args[1], args[2]);
    default: Console.Error.WriteLine("usage: images <dir> <count> | load | pipeline <images> <out>"); return 2;
}

static void WriteImages(string folder, int count)
{
    var rng = new Random(7);
    for (int n = 0; n < count; n++)
    {
        string label = n % 2 == 0 ? "horizontal" : "vertical";
        Directory.CreateDirectory(Path.Combine(folder, label));
        int period = rng.Next(3, 7), phase = rng.Next(period);
        using var image = new Image<Rgb24>(20, 20);
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 20; x++)
            {
                int t = label == "horizontal" ? y : x;
                byte v = (byte)Math.Clamp(((t + phase) % period < period / 2.0 ? 200 : 40) + rng.Next(-20, 21), 0, 255);
                image[x, y] = new Rgb24(v, (byte)(v / 2 + 60), (byte)(255 - v));
            }
        image.SaveAsPng(Path.Combine(folder, label, $"{n:D3}.png"));
    }
}

static int Pipeline(string folder, string output)
{
    Directory.CreateDirectory(output);
    var ml = new MLContext(seed: 1);
    var files = ml.Data.LoadFromEnumerable(Directory.GetFiles(folder, "*.png", SearchOption.AllDirectories).Order()
        .Select(f => new ImageFile { Path = Path.GetRelativePath(folder, f) }));

    var options = new SynCoOptions
    {
        OutputColumnName = "Features", InputColumnName = "Pixels", Epochs = 2, BatchSize = 16,
        MoCo = { QueueSize = 64 },
        Run = { Device = "cpu", Seed = 1, OnEpoch = e => Console.WriteLine($"epoch {e.Epoch + 1}: loss {e.Loss:F3}") },
    };
    options.Backbone.WidthMultiplier = 0.25;
    options.Backbone.BatchNormSplits = 2;
    options.Negatives = NegativeOptions.SynCo(options.MoCo.QueueSize);
    options.Negatives.WarmupEpochs = 1;

    var pipeline = ml.Transforms.LoadImages("Image", folder, nameof(ImageFile.Path))
        .Append(ml.Transforms.ResizeImages("Image", 16, 16))
        .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
        .Append(ml.Transforms.SynCoPretrain(options));
    var model = pipeline.Fit(files);
    float[][] before = model.Transform(files).GetColumn<float[]>("Features").ToArray();
    float[][] pixels = model.Transform(files).GetColumn<float[]>("Pixels").ToArray();

    string zip = Path.Combine(output, "model.zip");
    ml.Model.Save(model, files.Schema, zip);
    float[][] after = new MLContext().Model.Load(zip, out _).Transform(files).GetColumn<float[]>("Features").ToArray();
    if (before.Length != after.Length || before.Zip(after).Any(p => !p.First.SequenceEqual(p.Second)))
        return Fail("the reloaded model.zip gives different embeddings");

    string onnx = Path.Combine(output, "backbone.onnx");
    model.LastTransformer.ExportOnnx(onnx);
    using var session = new InferenceSession(onnx);
    string input = session.InputMetadata.Keys.Single();
    var batch = new DenseTensor<float>(pixels.SelectMany(p => p).ToArray(), new[] { pixels.Length, 3, 16, 16 });
    using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(input, batch) });
    float[] onnxOut = results.First().AsEnumerable<float>().ToArray();
    float worst = before.SelectMany(r => r).Zip(onnxOut).Max(p => Math.Abs(p.First - p.Second));
    if (onnxOut.Length != before.Length * before[0].Length || worst > 1e-4f)
        return Fail($"backbone.onnx in ONNX Runtime differs from the ML.NET transform (max |diff| {worst})");

    Console.WriteLine($"consumer ok: {before.Length} images → {before[0].Length}-d embeddings; model.zip reloads to identical embeddings; " +
        $"backbone.onnx matches (max |diff| {worst:E1}); {new FileInfo(zip).Length / 1024} KB model.zip");
    return 0;
}

static int Fail(string message)
{
    Console.Error.WriteLine($"consumer FAILED: {message}");
    return 1;
}

sealed class ImageFile
{
    public string Path { get; set; } = "";
}
