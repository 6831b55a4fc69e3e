using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace SynCo.ML;

/// <summary>
/// Best-effort bridge to the ML.NET environment behind a catalog, so that messages reach <c>mlContext.Log</c> and the
/// default seed comes from the <c>MLContext</c>. ML.NET keeps that environment internal (<c>IInternalCatalog</c>);
/// when reflection cannot reach it, logging falls back to the options' callback only and nothing fails.
/// </summary>
internal sealed class HostLog : IDisposable
{
    private readonly IHost? _host;
    private readonly IChannel? _channel;

    private HostLog(IHost? host)
    {
        _host = host;
        _channel = host?.Start("SynCoPretrain");
    }

    /// <summary>Registers a "SynCo" host on the catalog's environment, if reachable.</summary>
    public static HostLog For(TransformsCatalog catalog)
    {
        try
        {
            var iface = typeof(TransformsCatalog).GetInterfaces().FirstOrDefault(i => i.Name == "IInternalCatalog");
            var env = iface?.GetProperty("Environment", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(catalog) as IHostEnvironment;
            return new HostLog(env?.Register("SynCo"));
        }
        catch (Exception e) when (e is TargetInvocationException or MemberAccessException or InvalidCastException)
        {
            return new HostLog(null);
        }
    }

    /// <summary>Seed drawn from the MLContext's seeded random source, or null.</summary>
    public int? Seed() => _host?.Rand.Next();

    /// <summary>Writes an informational message to <c>mlContext.Log</c> (when reachable).</summary>
    public void Info(string message) => _channel?.Info(MessageSensitivity.None, "{0}", message);

    /// <inheritdoc/>
    public void Dispose() => _channel?.Dispose();
}
