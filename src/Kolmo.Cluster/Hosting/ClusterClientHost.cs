using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Kolmo.Cluster.Hosting;

/// <summary>A connection from a client (a <c>kolmo ncd --cluster …</c> run) to a cluster.</summary>
public sealed class ClusterClientHost : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterClientHost(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>The Orleans client.</summary>
    public IClusterClient Client { get; }

    /// <summary>Connects to the cluster at <paramref name="connection"/>.</summary>
    /// <exception cref="InvalidOperationException">No worker could be reached (the message says where it looked).</exception>
    public static async Task<ClusterClientHost> ConnectAsync(ClusterConnection connection, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // Orleans' client retries an absent gateway or Redis for minutes; a quick look first gives a prompt, plain error
        if (connection.Kind == MembershipKind.Redis)
        {
            await WorkerHost.CheckRedisAsync(connection, cancel);
        }
        else if (!await Reachable(new IPEndPoint(IPAddress.Loopback, ClusterConnection.FirstGatewayPort), cancel))
        {
            throw new InvalidOperationException($"cannot reach the cluster localhost: no worker answers on 127.0.0.1:{ClusterConnection.FirstGatewayPort} (start one with `kolmo worker`)");
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        WorkerHost.ConfigureLogging(builder.Logging, LogLevel.Error, LogLevel.Critical);
        builder.UseOrleansClient(client =>
        {
            if (connection.Kind == MembershipKind.Redis)
            {
                client.UseRedisClustering(r => r.ConfigurationOptions = WorkerHost.RedisOptions(connection));
            }
            else
            {
                client.UseLocalhostClustering(ClusterConnection.FirstGatewayPort, ClusterConnection.ServiceId, connection.ClusterId);
            }
            client.Configure<ClusterOptions>(c =>
            {
                c.ServiceId = ClusterConnection.ServiceId;
                c.ClusterId = connection.ClusterId;
            });
        });
        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            host.Dispose();
            string where = connection.Kind == MembershipKind.Redis
                ? $"no worker registered in {connection} answered"
                : $"no worker answered on 127.0.0.1:{ClusterConnection.FirstGatewayPort}";
            throw new InvalidOperationException($"cannot reach the cluster {connection}: {where} (start workers with `kolmo worker --cluster {connection}`)", e);
        }
        return new ClusterClientHost(host);
    }

    /// <summary>How long connecting to the cluster may take.</summary>
    public static TimeSpan ConnectTimeout { get; } = TimeSpan.FromSeconds(30);

    private static async Task<bool> Reachable(IPEndPoint endpoint, CancellationToken cancel)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancel.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // the cluster may be gone already; nothing to close then
        }
        _host.Dispose();
    }
}
