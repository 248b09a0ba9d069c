using System.Net;

namespace Kolmo.Cluster.Hosting;

/// <summary>How silos find each other and clients find silos.</summary>
public enum MembershipKind
{
    /// <summary>
    /// One machine, no external service: the first worker is the primary silo (port <see cref="ClusterConnection.PrimarySiloPort"/>,
    /// gateway <see cref="ClusterConnection.FirstGatewayPort"/>) and holds the membership table; later workers take the
    /// next free ports. Losing the primary ends the cluster.
    /// </summary>
    Localhost,

    /// <summary>Membership in Redis: any number of machines, any worker may be lost.</summary>
    Redis,
}

/// <summary>
/// A cluster address as written after <c>--cluster</c>: <c>localhost</c>, or <c>redis://HOST:PORT[/CLUSTER]</c>
/// (CLUSTER, default <c>kolmo</c>, separates clusters that share one Redis).
/// </summary>
/// <param name="Kind">Membership provider.</param>
/// <param name="RedisEndpoint">HOST:PORT of Redis (Redis only).</param>
/// <param name="ClusterId">Orleans cluster id.</param>
public sealed record ClusterConnection(MembershipKind Kind, string? RedisEndpoint, string ClusterId)
{
    /// <summary>Orleans service id of every Kolmo cluster.</summary>
    public const string ServiceId = "kolmo";

    /// <summary>Cluster id when none is given.</summary>
    public const string DefaultClusterId = "kolmo";

    /// <summary>Silo port of the primary (first) localhost worker.</summary>
    public const int PrimarySiloPort = 11111;

    /// <summary>Gateway port of the primary localhost worker, the one clients connect to.</summary>
    public const int FirstGatewayPort = 30000;

    /// <summary>Most localhost workers on one machine (ports PrimarySiloPort + k, FirstGatewayPort + k).</summary>
    public const int MaxLocalWorkers = 64;

    /// <summary>The localhost cluster.</summary>
    public static ClusterConnection Localhost { get; } = new(MembershipKind.Localhost, null, DefaultClusterId);

    /// <summary>Parses a cluster address.</summary>
    /// <exception cref="ArgumentException">Neither <c>localhost</c> nor a valid <c>redis://HOST:PORT[/CLUSTER]</c>.</exception>
    public static ClusterConnection Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return Localhost;
        }
        const string scheme = "redis://";
        if (t.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            string rest = t[scheme.Length..];
            string cluster = DefaultClusterId;
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                cluster = rest[(slash + 1)..];
                rest = rest[..slash];
            }
            int colon = rest.LastIndexOf(':');
            if (colon > 0 && int.TryParse(rest[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port)
                && port is > 0 and < 65536 && cluster.Length > 0 && cluster.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return new ClusterConnection(MembershipKind.Redis, rest, cluster);
            }
        }
        throw new ArgumentException($"--cluster {text}: expected 'localhost' or 'redis://HOST:PORT[/CLUSTER]' (e.g. redis://127.0.0.1:6379)", nameof(text));
    }

    /// <summary>The primary localhost silo's endpoint.</summary>
    public static IPEndPoint PrimarySilo => new(IPAddress.Loopback, PrimarySiloPort);

    /// <inheritdoc />
    public override string ToString() => Kind == MembershipKind.Localhost
        ? "localhost"
        : $"redis://{RedisEndpoint}{(ClusterId == DefaultClusterId ? "" : "/" + ClusterId)}";
}
