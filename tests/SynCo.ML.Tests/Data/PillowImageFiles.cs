namespace SynCo.ML.Tests.Data;

/// <summary>
/// Image files written by an independent encoder, Pillow (Debian's python3-pil, run with /usr/bin/python3), each in
/// its own folder, with Pillow's own decode of each file beside it as raw interleaved RGB (<c>case.frameN.rgb</c>).
/// </summary>
/// <remarks>
/// Every image is <see cref="Width"/>×<see cref="Height"/>, the size the tests build the dataset with, so no resize
/// takes place and decoded pixels can be compared one for one. Without Pillow the fixture fails, naming python3-pil.
/// </remarks>
public sealed class PillowImageFiles : IDisposable
{
    public const int Width = 24, Height = 16;

    private readonly TempFolder _dir = new();
    private readonly Dictionary<string, (string Mode, int Frames, string Format)> _cases = new();

    public PillowImageFiles()
    {
        SystemPython.Require("PIL");
        var r = SystemPython.RunScript(Script, _dir.Path, _dir.Path, Width.ToString(), Height.ToString());
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"Pillow failed to write the test images: {r.StdErr}");
        foreach (string line in r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] p = line.Trim().Split(' '); // CASE name mode M frames N format F
            if (p[0] == "CASE") _cases[p[1]] = (p[3], int.Parse(p[5]), p[7]);
        }
        PillowVersion = SystemPython.Run("-c \"import PIL; print(PIL.__version__)\"").StdOut.Trim();
    }

    public string PillowVersion { get; }

    /// <summary>The folder holding only the file of <paramref name="name"/>.</summary>
    public string Folder(string name) => Path.Combine(_dir.Path, name);

    /// <summary>Pillow's mode, frame count and format when it reopens the file of <paramref name="name"/>.</summary>
    public (string Mode, int Frames, string Format) Describe(string name) => _cases[name];

    /// <summary>Pillow's decode of frame <paramref name="frame"/> as interleaved RGB (H·W·3 bytes).</summary>
    public byte[] Reference(string name, int frame = 0) => File.ReadAllBytes(Path.Combine(_dir.Path, $"{name}.frame{frame}.rgb"));

    public void Dispose() => _dir.Dispose();

    private const string Script = """
import sys, os
from PIL import Image

root = sys.argv[1]
W, H = int(sys.argv[2]), int(sys.argv[3])

def pattern(seed=0, smooth=False):
    # Every pixel differs in every channel, so a swapped channel, a transposed image or a shifted row shows.
    im = Image.new('RGB', (W, H))
    if smooth:  # gradients, as photographs are: what JPEG is made for
        px = [(x * 255 // (W - 1), y * 255 // (H - 1), (x + y) * 255 // (W + H - 2)) for y in range(H) for x in range(W)]
    else:
        px = [((x * 11 + y * 7 + seed) % 256, (x * 3 + y * 13 + 50 + seed) % 256, (x * x + y * 5 + seed) % 256) for y in range(H) for x in range(W)]
    im.putdata(px)
    return im

def solid(colour):
    return Image.new('RGB', (W, H), colour)

def save(case, name, image, **kw):
    folder = os.path.join(root, case)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    image.save(path, **kw)
    return path

def reference(case, path, frame=0, raw16=False):
    im = Image.open(path)
    im.seek(frame)
    if raw16:
        # Pillow's convert('RGB') clips 16-bit samples at 255 instead of scaling them, so scale the 16-bit samples
        # Pillow decoded to 8 bits, rounding: v * 255 / 65535.
        data = bytes(b for v in im.getdata() for b in [(v * 255 + 32767) // 65535] * 3)
    else:
        data = im.convert('RGB').tobytes()
    assert len(data) == W * H * 3, (case, len(data))
    with open(os.path.join(root, f'{case}.frame{frame}.rgb'), 'wb') as f:
        f.write(data)
    again = Image.open(path)
    print('CASE', case, 'mode', again.mode, 'frames', getattr(again, 'n_frames', 1), 'format', again.format)

# 16-bit greyscale, samples spread over 0..65535 so both bytes matter.
g16 = Image.new('I;16', (W, H))
g16.putdata([(x * 2731 + y * 2931 + 123) % 65536 for y in range(H) for x in range(W)])
reference('tiff16', save('tiff16', 'grey16.tif', g16), raw16=True)
reference('png16', save('png16', 'grey16.png', g16), raw16=True)

# Multi-page TIFF and animated GIF: frame 0 the pattern, the later ones solid colours.
tiff = save('tiffpages', 'pages.tiff', pattern(), save_all=True, append_images=[solid((0, 0, 255)), solid((0, 255, 0))])
reference('tiffpages', tiff); reference('tiffpages', tiff, frame=1)
gif = save('gif', 'anim.gif', pattern(), save_all=True, append_images=[solid((255, 0, 0)), solid((0, 0, 255))], duration=100, loop=0)
reference('gif', gif); reference('gif', gif, frame=1)

reference('palette', save('palette', 'palette.png', pattern().quantize(colors=16)))
reference('palettetrns', save('palettetrns', 'palette-trns.png', pattern().quantize(colors=16), transparency=3))
reference('grey', save('grey', 'grey.png', pattern().convert('L')))

# RGBA, alpha from 0 to 255, with fully transparent pixels that still carry a colour.
rgba = pattern().convert('RGBA')
rgba.putalpha(Image.frombytes('L', (W, H), bytes((x * 37 + y * 59) % 256 if (x + y) % 5 else 0 for y in range(H) for x in range(W))))
reference('rgba', save('rgba', 'rgba.png', rgba))

reference('bmp', save('bmp', 'plain.bmp', pattern()))
reference('webplossless', save('webplossless', 'lossless.webp', pattern(), lossless=True))
reference('cmykjpeg', save('cmykjpeg', 'cmyk.jpg', pattern(smooth=True).convert('CMYK'), quality=95))
reference('jpeg444', save('jpeg444', 'rgb444.jpg', pattern(smooth=True), quality=95, subsampling=0))
reference('jpeg420', save('jpeg420', 'rgb420.jpg', pattern(smooth=True), quality=95, subsampling=2))
""";
}
