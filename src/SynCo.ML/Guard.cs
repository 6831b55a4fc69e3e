namespace SynCo.ML;

/// <summary>Argument checks whose messages say what is legal.</summary>
internal static class Guard
{
    public static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive integer; got {value}.");

    public static int Pixels(int value, string name) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive number of pixels; got {value}.");

    public static int NonNegative(int value, string name) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be zero or positive; got {value}.");

    public static double Positive(double value, string name) =>
        double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number greater than 0; got {value}.");

    public static double NonNegative(double value, string name) =>
        double.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number >= 0; got {value}.");

    public static double InRange(double value, double min, double max, string name) =>
        double.IsFinite(value) && value >= min && value <= max ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must lie in [{min}, {max}]; got {value}.");

    public static double Probability(double value, string name) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a probability in [0, 1]; got {value}.");

    public static double Fraction(double value, string name) =>
        value is > 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a fraction in (0, 1] (greater than zero); got {value}.");

    public static void NotAbove(double low, string lowName, double high, string highName)
    {
        if (low > high) throw new ArgumentException($"{lowName} ({low}) must not exceed {highName} ({high}).", lowName);
    }

    /// <summary>A non-empty vector of finite values (of positive values when <paramref name="positive"/>).</summary>
    public static float[] Vector(float[]? value, string name, bool positive)
    {
        if (value is null || value.Length == 0)
            throw new ArgumentException($"{name} needs one entry per image channel; it must not be null or empty.", name);
        foreach (float v in value)
            if (!float.IsFinite(v) || (positive && v <= 0))
                throw new ArgumentOutOfRangeException(name, v, $"Every {name} entry must be a {(positive ? "positive " : "")}finite number; got {v}.");
        return value;
    }
}
