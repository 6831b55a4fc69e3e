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
}
