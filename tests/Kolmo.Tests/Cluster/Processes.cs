using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Kolmo.Tests.Cluster;

/// <summary>A [Fact] that is skipped, saying why, where Debian's redis-server is not installed (CI installs it).</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (ChildProcess.FindOnPath("redis-server") is null)
        {
            Skip = "redis-server is not installed (apt-get install redis-server)";
        }
    }
}

/// <summary>
/// A child process whose output lines are collected, that can wait for a line, and that is killed (with its children)
/// when disposed, so a failing test leaves nothing running.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Everything it printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join("\n", _lines);
            }
        }
    }

    /// <summary>Starts <paramref name="file"/> with <paramref name="args"/>.</summary>
    public static ChildProcess Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        return new ChildProcess(Process.Start(psi)!);
    }

    /// <summary>Starts the kolmo command (the CLI built beside the tests).</summary>
    public static ChildProcess Kolmo(params string[] args) =>
        Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Kolmo.Cli.dll"), .. args]);

    /// <summary>Waits until a line contains <paramref name="text"/>; throws with the output so far if the process exits or time runs out.</summary>
    public async Task WaitFor(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{text}' did not appear ({(_process.HasExited ? $"exited with {_process.ExitCode}" : "timed out")}): {Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Kills it at once (SIGKILL), with its children.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);

    /// <summary>A TCP port nothing listens on at the moment, on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_gate)
            {
                _lines.Add(line);
            }
        }
    }
}
