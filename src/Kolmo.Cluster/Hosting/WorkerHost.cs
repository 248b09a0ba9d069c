using System.Net;
using System.Net.Sockets;
using Kolmo.Cluster.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Kolmo.Cluster.Hosting;

/// <summary>Settings of a worker (a silo).</summary>
public sealed class WorkerOptions
{
    /// <summary>The cluster to join.</summary>
    public ClusterConnection Connection { get; init; } = ClusterConnection.Localhost;

    /// <summary>
    /// Address the silo listens on and advertises to the others (Redis membership). Loopback by default, so a
    /// worker is reachable only from its own machine until told otherwise. Localhost membership always uses loopback.
    /// </summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>Silo-to-silo port; 0 picks one (localhost: the next free from 11111).</summary>
    public int SiloPort { get; init; }

    /// <summary>Client gateway port; 0 picks one (localhost: the next free from 30000).</summary>
    public int GatewayPort { get; init; }

    /// <summary>Tasks run at once; 0 means one per core.</summary>
    public int Lanes { get; init; }

    /// <summary>Log Orleans' information messages too.</summary>
    public bool Verbose { get; init; }
}

/// <summary>The Kolmo parts of a silo, for <see cref="WorkerHost"/> and for test clusters.</summary>
public static class WorkerSiloBuilderExtensions
{
    /// <summary>
    /// Registers what Kolmo's grains need (the silo-pinned placement, the lane count, a grain directory that survives
    /// the loss of a silo) and tunes failure detection
    /// so that a killed worker is declared dead in seconds rather than the default tens of seconds: probes time
    /// out after 2 s and three missed probes make a silo suspect.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="lanes">Tasks the silo runs at once (≤ 0: one per core).</param>
    public static ISiloBuilder AddKolmoWorker(this ISiloBuilder builder, int lanes = 0)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(new WorkerSettings(lanes > 0 ? lanes : Environment.ProcessorCount));
        builder.Services.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
        // the default directory loses the entries a dead silo held, and a grain registered there can then be
        // activated a second time (two coordinators of one job); the distributed directory recovers them
#pragma warning disable ORLEANSEXP003 // marked experimental in Orleans 10; chosen for its recovery of a dead silo's entries
        builder.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        builder.Configure<ClusterMembershipOptions>(m =>
        {
            m.ProbeTimeout = TimeSpan.FromSeconds(2);
            m.NumMissedProbesLimit = 3;
            m.MaxJoinAttemptTime = TimeSpan.FromSeconds(60);
        });
        return builder;
    }
}

/// <summary>A running worker: an Orleans silo hosting Kolmo's grains.</summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly FileStream? _slot;

    private WorkerHost(IHost host, string description, FileStream? slot = null)
    {
        _host = host;
        _slot = slot;
        Description = description;
    }

    /// <summary>One line: silo and gateway endpoints, cluster, lanes.</summary>
    public string Description { get; }

    /// <summary>Starts a worker and joins its cluster.</summary>
    /// <exception cref="InvalidOperationException">No free ports (localhost), or the silo could not start or join (the message says why).</exception>
    public static async Task<WorkerHost> StartAsync(WorkerOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        int lanes = options.Lanes > 0 ? options.Lanes : Environment.ProcessorCount;
        if (options.Connection.Kind == MembershipKind.Redis)
        {
            await CheckRedisAsync(options.Connection, cancel);
            int siloPort = options.SiloPort > 0 ? options.SiloPort : FreePort(options.Address);
            int gatewayPort = options.GatewayPort > 0 ? options.GatewayPort : FreePort(options.Address);
            var host = Build(options, lanes, silo =>
            {
                silo.UseRedisClustering(r => r.ConfigurationOptions = RedisOptions(options.Connection));
                silo.Configure<EndpointOptions>(e =>
                {
                    e.AdvertisedIPAddress = options.Address;
                    e.SiloPort = siloPort;
                    e.GatewayPort = gatewayPort;
                    e.SiloListeningEndpoint = new IPEndPoint(options.Address, siloPort);
                    e.GatewayListeningEndpoint = new IPEndPoint(options.Address, gatewayPort);
                });
            });
            await StartOrThrow(host, cancel);
            return new WorkerHost(host, $"silo {options.Address}:{siloPort}, gateway {options.Address}:{gatewayPort}, cluster {options.Connection}, {lanes} lane{(lanes == 1 ? "" : "s")}");
        }
        for (int slot = 0; slot < ClusterConnection.MaxLocalWorkers; slot++)
        {
            int siloPort = options.SiloPort > 0 ? options.SiloPort : ClusterConnection.PrimarySiloPort + slot;
            int gatewayPort = options.GatewayPort > 0 ? options.GatewayPort : ClusterConnection.FirstGatewayPort + slot;
            // Orleans listens with SO_REUSEPORT, so a second silo could bind the same ports: a worker first claims its
            // ports with an exclusive lock that lives as long as the process, then checks that nothing else holds them
            var claim = Claim(siloPort);
            if (claim is null || !PortFree(siloPort) || !PortFree(gatewayPort))
            {
                claim?.Dispose();
                if (options.SiloPort > 0 || options.GatewayPort > 0)
                {
                    throw new InvalidOperationException($"port {siloPort} or {gatewayPort} on 127.0.0.1 is in use");
                }
                continue;
            }
            var host = Build(options, lanes, silo => silo.UseLocalhostClustering(siloPort, gatewayPort, ClusterConnection.PrimarySilo, ClusterConnection.ServiceId, options.Connection.ClusterId));
            try
            {
                await StartOrThrow(host, cancel);
            }
            catch (Exception)
            {
                claim.Dispose();
                throw;
            }
            bool primary = siloPort == ClusterConnection.PrimarySiloPort;
            return new WorkerHost(host, $"silo 127.0.0.1:{siloPort}{(primary ? " (primary)" : "")}, gateway 127.0.0.1:{gatewayPort}, cluster localhost, {lanes} lane{(lanes == 1 ? "" : "s")}", claim);
        }
        throw new InvalidOperationException($"no free ports for a localhost worker (all {ClusterConnection.MaxLocalWorkers} are taken)");
    }

    /// <summary>An exclusive lock on a file named after <paramref name="port"/> in the temp folder, or null when another process holds it.</summary>
    private static FileStream? Claim(int port)
    {
        try
        {
            return new FileStream(Path.Combine(Path.GetTempPath(), $"kolmo-worker-{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Completes when the worker is asked to stop (SIGTERM, Ctrl-C) or <paramref name="cancel"/> fires.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancel = default) => _host.WaitForShutdownAsync(cancel);

    /// <summary>Leaves the cluster gracefully.</summary>
    public Task StopAsync(CancellationToken cancel = default) => _host.StopAsync(cancel);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            _host.Dispose();
            _slot?.Dispose();
        }
    }

    /// <summary>Connects to the cluster's Redis once, so that an unreachable Redis is reported at once.</summary>
    /// <exception cref="InvalidOperationException">Redis does not answer.</exception>
    internal static async Task CheckRedisAsync(ClusterConnection connection, CancellationToken cancel)
    {
        var o = RedisOptions(connection);
        o.AbortOnConnectFail = true;
        o.ConnectRetry = 1;
        o.ConnectTimeout = 3000;
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(o).WaitAsync(cancel);
            await redis.GetDatabase().PingAsync().WaitAsync(cancel);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new InvalidOperationException($"cannot reach Redis at {connection.RedisEndpoint} ({e.Message.ReplaceLineEndings(" ").Split(". ")[0]})", e);
        }
    }

    /// <summary>StackExchange.Redis options for a cluster's Redis.</summary>
    internal static ConfigurationOptions RedisOptions(ClusterConnection connection)
    {
        var o = ConfigurationOptions.Parse(connection.RedisEndpoint!);
        o.AbortOnConnectFail = false;
        o.ConnectTimeout = 5000;
        return o;
    }

    /// <summary>Logging for workers and clients: one line per message on stderr; Orleans' own chatter only at <paramref name="orleansLevel"/> and above.</summary>
    internal static void ConfigureLogging(ILoggingBuilder logging, LogLevel level, LogLevel orleansLevel)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "HH:mm:ss ";
            c.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        logging.Services.Configure<ConsoleLoggerOptions>(c => c.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(level);
        logging.AddFilter("Orleans", orleansLevel);
        logging.AddFilter("Microsoft", orleansLevel);
        logging.AddFilter("Polly", orleansLevel);
    }

    private static IHost Build(WorkerOptions options, int lanes, Action<ISiloBuilder> clustering)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        ConfigureLogging(builder.Logging, options.Verbose ? LogLevel.Information : LogLevel.Warning, options.Verbose ? LogLevel.Information : LogLevel.Error);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton<IHostLifetime, ConsoleLifetime>();
        builder.UseOrleans(silo =>
        {
            clustering(silo);
            silo.Configure<ClusterOptions>(c =>
            {
                c.ServiceId = ClusterConnection.ServiceId;
                c.ClusterId = options.Connection.ClusterId;
            });
            silo.AddKolmoWorker(lanes);
        });
        return builder.Build();
    }

    private static async Task StartOrThrow(IHost host, CancellationToken cancel)
    {
        try
        {
            await host.StartAsync(cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            host.Dispose();
            var inner = e;
            while (inner.InnerException is not null && inner is not SocketException and not RedisConnectionException)
            {
                inner = inner.InnerException;
            }
            throw new InvalidOperationException($"the worker could not start: {inner.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>Whether nothing listens on TCP <paramref name="port"/> of the loopback address (binding it succeeds).</summary>
    public static bool PortFree(int port)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort(IPAddress address)
    {
        using var l = new TcpListener(address, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
