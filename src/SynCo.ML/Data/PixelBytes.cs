namespace SynCo.ML.Data;

/// <summary>
/// The one rule that turns float pixels into the bytes SynCo.ML trains on, used by every float entry point (ML.NET
/// pixel columns, <see cref="InMemoryImageDataset.FromFloats(ReadOnlySpan{float}, int, int, int)"/>): values must be
/// on the 0–255 scale of ML.NET's <c>ExtractPixels</c> defaults and are rounded to the nearest byte. Nothing is
/// clamped: a NaN, an infinity or a value outside [−0.5, 255.5] is an error, and so is a whole input that looks scaled
/// to 0–1 (every value ≤ 1, some fractional), which would otherwise train on an almost black dataset.
/// </summary>
internal sealed class PixelBytes
{
    /// <summary>What to do about 0–1 scaled pixels, for messages.</summary>
    public const string ScaleAdvice = "ExtractPixels' default 0–255 scale is expected: in ML.NET use ExtractPixels without " +
        "scaleImage/offsetImage (scale 1, the default), or multiply the values by 255";

    private float _max = float.NegativeInfinity;
    private bool _fractional;

    /// <summary>
    /// Converts one image's values into <paramref name="destination"/> (same length); returns null, or what is wrong
    /// with the first bad value ("pixel 7 is NaN, ...") for the caller to put in context (row, image, file).
    /// </summary>
    public string? Convert(ReadOnlySpan<float> source, Span<byte> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            float v = source[i];
            if (!float.IsFinite(v))
                return $"pixel {i} is {v}, not a finite number";
            if (v is < -0.5f or > 255.5f)
                return $"pixel {i} is {v}, outside 0–255; {ScaleAdvice}";
            float r = MathF.Round(v);
            if (r != v) _fractional = true;
            if (v > _max) _max = v;
            destination[i] = (byte)Math.Min(r, 255f);
        }
        return null;
    }

    /// <summary>Takes in what <paramref name="other"/> has converted (another thread's part of the same input).</summary>
    public void Add(PixelBytes other)
    {
        _max = Math.Max(_max, other._max);
        _fractional |= other._fractional;
    }

    /// <summary>Why everything converted so far looks scaled to 0–1, or null.</summary>
    public string? UnitScaleProblem() => _max > float.NegativeInfinity && _max <= 1f && _fractional
        ? $"every pixel is at most {_max} and some are fractional: the pixels look scaled to 0–1. {ScaleAdvice}."
        : null;
}
