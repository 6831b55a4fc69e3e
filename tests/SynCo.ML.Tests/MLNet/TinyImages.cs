using Microsoft.ML;
using Microsoft.ML.Data;
using SynCo.ML.Negatives;

namespace SynCo.ML.Tests.MLNet;

/// <summary>Small synthetic image sets and options sized for tests (seconds on 2 CPU cores).</summary>
internal static class TinyImages
{
    public const int Side = 16;

    public sealed class PixelRow
    {
        [VectorType(1, Side, Side)]
        public float[] Pixels { get; set; } = Array.Empty<float>();

        public uint Label { get; set; }
    }

    /// <summary>Two classes: horizontal vs vertical stripes at random phase, width and contrast, with noise; 0–255.</summary>
    public static List<PixelRow> Stripes(int count, int seed)
    {
        var rng = new Random(seed);
        var rows = new List<PixelRow>();
        for (int n = 0; n < count; n++)
        {
            uint label = (uint)(n % 2);
            int period = rng.Next(3, 7), phase = rng.Next(period);
            float low = rng.Next(0, 80), high = rng.Next(150, 256);
            var px = new float[Side * Side];
            for (int y = 0; y < Side; y++)
                for (int x = 0; x < Side; x++)
                {
                    int t = label == 0 ? y : x;
                    float v = ((t + phase) % period) < period / 2.0 ? high : low;
                    px[y * Side + x] = Math.Clamp(v + (float)(rng.NextDouble() * 40 - 20), 0, 255);
                }
            rows.Add(new PixelRow { Pixels = px, Label = label });
        }
        return rows;
    }

    /// <summary>Options for a seconds-long run: tiny ResNet-18, small queue and batch, SynCo negatives from epoch 1.</summary>
    public static SynCoOptions Options(int epochs = 2)
    {
        var o = new SynCoOptions { Epochs = epochs, BatchSize = 16, MoCo = { QueueSize = 64 }, Run = { Device = "cpu", Seed = 1 } };
        o.Backbone.WidthMultiplier = 0.25;
        o.Backbone.BatchNormSplits = 2;
        o.Negatives = NegativeOptions.SynCo(64);
        o.Negatives.WarmupEpochs = 1;
        return o;
    }
}
