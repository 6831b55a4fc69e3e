using System.Globalization;
using SynCo.ML.Featurization;

namespace SynCo.Hosting;

/// <summary>
/// Shows featurization progress through a <see cref="Terminal.Progress{T}"/> reporter: fraction of the images done and
/// "done/total images, N images/s". Calls back on the featurizing thread, in order (unlike <see cref="Progress{T}"/>,
/// which posts to a context).
/// </summary>
/// <param name="report">The reporter <see cref="Terminal.Progress{T}"/> hands to its work.</param>
public sealed class FeaturizeReporter(Action<double, string> report) : IProgress<FeaturizeProgress>
{
    /// <inheritdoc/>
    public void Report(FeaturizeProgress value) =>
        report(value.TotalImages is > 0 and var total ? (double)value.ImagesDone / total : 0,
            string.Create(CultureInfo.InvariantCulture, $"{value.ImagesDone}/{value.TotalImages} images, {value.ImagesPerSecond:F0} images/s"));
}
