using System.Runtime.InteropServices;

namespace Kolmo.Cli.Infrastructure;

/// <summary>
/// What the <c>kolmo</c> process does when it is told to stop (SIGINT from Ctrl-C, SIGTERM, SIGHUP): every output
/// still being written is abandoned — its temporary file deleted, an output folder this run created and left empty
/// removed — a one-line note goes to stderr (waited for at most <see cref="NoteWait"/>, so a stderr that nobody reads
/// cannot hold the process), and the process exits with the code a shell expects (128 + the signal
/// number: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP). A finished output is never touched: renaming a temporary
/// file onto its target and the clean-up take the same lock, so an output is either whole or absent.
/// <para>
/// Writers take part by using <see cref="AtomicOutput"/> (files) and <see cref="OutputFolder"/> (folders); both
/// register here. A command that can stop by itself (checks a <see cref="CancellationToken"/>) may ask for
/// <see cref="CancelInsteadOfExit"/>: the first signal then cancels its token and lets it unwind; a second signal
/// exits at once.
/// </para>
/// </summary>
public static class Termination
{
    private static readonly Lock Gate = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static CancellationTokenSource? _graceful;
    private static int _exitCode;
    private static bool _exiting;

    /// <summary>How long a signal's note to stderr may hold up the exit (or the cancellation) when stderr does not take it.</summary>
    public static readonly TimeSpan NoteWait = TimeSpan.FromSeconds(1);

    /// <summary>Exit code of a run stopped by SIGHUP.</summary>
    public const int HangUpExitCode = 128 + 1;

    /// <summary>Exit code of a run stopped by SIGINT (Ctrl-C).</summary>
    public const int InterruptExitCode = 128 + 2;

    /// <summary>Exit code of a run stopped by SIGTERM.</summary>
    public const int TerminateExitCode = 128 + 15;

    /// <summary>The exit code owed to a signal received so far (0: none).</summary>
    public static int SignalExitCode
    {
        get
        {
            lock (Gate)
            {
                return _exitCode;
            }
        }
    }

    /// <summary>Installs the handlers for SIGINT, SIGTERM and SIGHUP (once per process; the CLI's Main calls it).</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (Registrations.Count > 0)
            {
                return;
            }
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => OnSignal(ctx, InterruptExitCode, "SIGINT")));
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => OnSignal(ctx, TerminateExitCode, "SIGTERM")));
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx => OnSignal(ctx, HangUpExitCode, "SIGHUP")));
        }
    }

    /// <summary>
    /// While the returned scope is open, the first signal cancels <paramref name="source"/> instead of exiting (the
    /// command unwinds, its outputs are disposed uncommitted and so removed); a second signal exits at once.
    /// The command should return <see cref="SignalExitCode"/> when it stops because of the signal.
    /// </summary>
    public static IDisposable CancelInsteadOfExit(CancellationTokenSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (Gate)
        {
            _graceful = source;
        }
        return new Scope(() =>
        {
            lock (Gate)
            {
                if (ReferenceEquals(_graceful, source))
                {
                    _graceful = null;
                }
            }
        });
    }

    /// <summary>The unfinished outputs of this process: what a signal removes.</summary>
    internal static LiveOutputs Outputs { get; } = new();

    private static void OnSignal(PosixSignalContext context, int exitCode, string name)
    {
        context.Cancel = true;   // we decide how the process ends
        CancellationTokenSource? graceful = null;
        lock (Gate)
        {
            if (_exitCode == 0 && _graceful is not null)
            {
                graceful = _graceful;   // first signal of a command that stops by itself
                _graceful = null;
                _exitCode = exitCode;
                Outputs.Close();        // no new output from now on; the command's own are removed as it unwinds
            }
            else if (_exiting)
            {
                return;   // already going down
            }
            else
            {
                _exiting = true;
                _exitCode = _exitCode == 0 ? exitCode : _exitCode;
                exitCode = _exitCode;
                Outputs.Abandon();   // under Gate: Main reads the exit code only once the outputs are gone
            }
        }
        if (graceful is not null)
        {
            Note($"kolmo: {name} received, stopping (again to stop at once)");
            try
            {
                graceful.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // the command finished meanwhile
            }
            return;
        }
        Note($"kolmo: stopped by {name}; unfinished output removed");
        Environment.Exit(exitCode);
    }

    /// <summary>
    /// Writes a one-line note to stderr from a background thread and waits for it at most <see cref="NoteWait"/>: a
    /// stderr nobody reads (a full pipe) would block the write — and, once the pipe is full, every later write of the
    /// process — forever, and a signalled run must end all the same. The unfinished outputs are removed before the
    /// note; a note that could not be written in time is lost with the process.
    /// </summary>
    private static void Note(string line)
    {
        var writer = new Thread(() =>
        {
            try
            {
                Console.Error.WriteLine(line);
            }
            catch (IOException)
            {
                // stderr is gone (closed pipe)
            }
            catch (ObjectDisposedException)
            {
                // idem
            }
        })
        {
            IsBackground = true,
            Name = "kolmo signal note",
        };
        writer.Start();
        writer.Join(NoteWait);
    }

    private sealed class Scope(Action close) : IDisposable
    {
        private Action? _close = close;

        public void Dispose()
        {
            Interlocked.Exchange(ref _close, null)?.Invoke();
        }
    }
}
