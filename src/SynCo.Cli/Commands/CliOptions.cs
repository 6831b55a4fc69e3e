using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace SynCo.Cli.Commands;

/// <summary>An image size in pixels.</summary>
public readonly record struct ImageSize(int Height, int Width)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Height}x{Width}";
}

/// <summary>Options several commands share, and the parsers behind them (one definition each).</summary>
public static class CliOptions
{
    /// <summary>--device for TorchSharp training or ONNX Runtime inference.</summary>
    public static Option<string> Device(string what) => new("--device")
    {
        Description = $"Where {what} runs: auto (CUDA when available, else CPU), cpu, cuda or cuda:N.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>--threads: intra-op threads.</summary>
    public static Option<int?> Threads() => Positive(new Option<int?>("--threads")
    {
        Description = "Intra-op threads (default: the library's default, about one per core).",
    });

    /// <summary>--batch with the given default.</summary>
    public static Option<int?> Batch(int defaultValue, string what) => Positive(new Option<int?>("--batch")
    {
        Description = $"{what} (default {defaultValue}).",
    });

    /// <summary>--skip-unreadable for image folders.</summary>
    public static Option<bool> SkipUnreadable() => new("--skip-unreadable")
    {
        Description = "Skip image files that cannot be decoded (and list them) instead of stopping at the first one.",
    };

    /// <summary>--out with the given meaning; required.</summary>
    public static Option<string> Out(string description) => new("--out") { Description = description, Required = true };

    /// <summary>The positional images argument: an image folder or an IDX file.</summary>
    public static Argument<string> Images(string what) => new("images")
    {
        Description = $"{what}: an image folder (searched recursively; jpg, png, bmp, gif, webp, tif) or an IDX images file (MNIST format, plain or .gz).",
    };

    /// <summary>A string option that accepts only <paramref name="choices"/> (case-insensitive); the first is the default.</summary>
    public static Option<string> Choice(string name, string description, params string[] choices)
    {
        var option = new Option<string>(name)
        {
            Description = $"{description} One of: {string.Join(", ", choices)}.",
            DefaultValueFactory = _ => choices[0],
            HelpName = string.Join("|", choices),
        };
        option.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, choices);
        return option;
    }

    /// <summary>--size HxW or N.</summary>
    public static Option<ImageSize?> Size(string description) => new("--size")
    {
        Description = description,
        HelpName = "HxW|N",
        CustomParser = ParseSize,
    };

    /// <summary>Adds a "must be positive" check to a numeric option.</summary>
    public static Option<T> Positive<T>(Option<T> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T>() is { } v && Convert.ToDouble(v, CultureInfo.InvariantCulture) <= 0)
                result.AddError($"{option.Name} must be greater than 0, got {Convert.ToString(v, CultureInfo.InvariantCulture)}.");
        });
        return option;
    }

    /// <summary>Adds a "must be at least 0" check to a numeric option.</summary>
    public static Option<T> NonNegative<T>(Option<T> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T>() is { } v && Convert.ToDouble(v, CultureInfo.InvariantCulture) < 0)
                result.AddError($"{option.Name} must be 0 or more, got {Convert.ToString(v, CultureInfo.InvariantCulture)}.");
        });
        return option;
    }

    /// <summary>Whether the user gave <paramref name="option"/> on the command line (rather than its default).</summary>
    public static bool IsGiven(this ParseResult parsed, Option option) => parsed.GetResult(option) is { Implicit: false };

    private static ImageSize? ParseSize(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
        string[] parts = text.ToLowerInvariant().Split('x');
        if (parts.Length is 1 or 2 && parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0))
        {
            int h = int.Parse(parts[0], CultureInfo.InvariantCulture);
            return new ImageSize(h, parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : h);
        }
        result.AddError($"--size must be HxW or N in pixels (e.g. 32x48 or 32), got '{text}'.");
        return null;
    }
}
