using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SynCo.ML.Tests.Cli;

/// <summary>Tiny PNGs in class subfolders: four stripe/checker patterns with random colours and phases.</summary>
internal static class ClassImages
{
    public static readonly string[] Classes = { "checker", "diagonal", "horizontal", "vertical" };

    /// <summary>Writes <paramref name="perClass"/> images of <paramref name="size"/> px per class under <paramref name="root"/>.</summary>
    public static void Write(string root, int perClass, int size = 16, int seed = 0)
    {
        var random = new Random(seed);
        for (int c = 0; c < Classes.Length; c++)
        {
            string folder = Path.Combine(root, Classes[c]);
            Directory.CreateDirectory(folder);
            for (int i = 0; i < perClass; i++)
            {
                var on = new Rgb24((byte)random.Next(128, 256), (byte)random.Next(128, 256), (byte)random.Next(128, 256));
                var off = new Rgb24((byte)random.Next(0, 96), (byte)random.Next(0, 96), (byte)random.Next(0, 96));
                int phase = random.Next(4), period = 2 + random.Next(3);
                using var image = new Image<Rgb24>(size, size);
                for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    bool lit = c switch
                    {
                        0 => ((x + phase) / period + (y + phase) / period) % 2 == 0,
                        1 => (x + y + phase) / period % 2 == 0,
                        2 => (y + phase) / period % 2 == 0,
                        _ => (x + phase) / period % 2 == 0,
                    };
                    image[x, y] = lit ? on : off;
                }
                image.SaveAsPng(Path.Combine(folder, $"{i:D3}.png"));
            }
        }
    }
}
