using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Kolmo.Tests.Reliability;

/// <summary>
/// A <c>kolmo</c> child process that a test can stop with a real signal. The child is started through
/// <c>env --default-signal=INT,HUP</c>: a shell starts background jobs with SIGINT ignored, and an ignored signal stays
/// ignored across exec, so without it a SIGINT test would depend on how the test run itself was started.
/// </summary>
internal sealed partial class ChildKolmo : IDisposable
{
    public const int SigHup = 1;
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly Task<string> _stderr;
    private readonly Task<string> _stdout;

    public ChildKolmo(string workingDirectory, params string[] args)
        : this(workingDirectory, null, args)
    {
    }

    private ChildKolmo(string workingDirectory, string? stderrPath, string[] args)
    {
        var psi = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        psi.ArgumentList.Add("--default-signal=INT,HUP");   // a shell starting the suite in the background (or nohup) ignores these; the child must not inherit that
        if (stderrPath is not null)
        {
            psi.ArgumentList.Add("sh");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec \"$@\" 2>\"$0\"");
            psi.ArgumentList.Add(stderrPath);
        }
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Kolmo.Cli.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        _process = Process.Start(psi)!;
        _process.StandardInput.Close();
        // Read on dedicated threads, not the thread pool: when the full suite keeps the pool busy, a pooled reader can
        // fall behind, the child's stderr pipe fills, and the child blocks writing its last message before it exits.
        _stdout = Task.Factory.StartNew(_process.StandardOutput.ReadToEnd, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _stderr = Task.Factory.StartNew(_process.StandardError.ReadToEnd, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// A child whose stderr goes to the file or FIFO at <paramref name="stderrPath"/> instead of a pipe this object
    /// reads: <c>sh</c> opens it and execs dotnet, so the pid is still kolmo's.
    /// </summary>
    public static ChildKolmo WithStderr(string workingDirectory, string stderrPath, params string[] args) =>
        new(workingDirectory, stderrPath, args);

    /// <summary>Sends <paramref name="signal"/> to the child (env has exec'd dotnet, so the pid is kolmo's).</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds or the child exits; false on timeout or exit.</summary>
    public bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }
            if (_process.HasExited)
            {
                return condition();
            }
            Thread.Sleep(5);
        }
        return false;
    }

    /// <summary>Waits for the exit (bounded); returns the exit code and stderr.</summary>
    public (int Code, string Err) WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kolmo did not exit within {timeout.TotalSeconds} s");
        }
        _process.WaitForExit();
        _stdout.Wait(timeout);
        return (_process.ExitCode, _stderr.Result);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
