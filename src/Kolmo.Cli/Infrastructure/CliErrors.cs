namespace Kolmo.Cli.Infrastructure;

/// <summary>
/// Exit codes and the one-line error convention of the <c>kolmo</c> command.
/// Commands throw; <see cref="Handle"/> (installed as Spectre's exception handler) prints
/// <c>kolmo: MESSAGE</c> on stderr — never a stack trace — and maps the exception to an exit code.
/// </summary>
public static class CliErrors
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Usage error: bad option value, missing file, refusing to overwrite.</summary>
    public const int Usage = 1;

    /// <summary>Bad data: corrupt, truncated or wrong-format input.</summary>
    public const int BadData = 2;

    // Stopped by a signal: 128 + the signal number (130 SIGINT, 143 SIGTERM, 129 SIGHUP), see Termination.

    /// <summary>Prints the one-line message for <paramref name="e"/> and returns the exit code.</summary>
    public static int Handle(Exception e, TextWriter? stderr = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        stderr ??= Console.Error;
        while (e is AggregateException { InnerExceptions.Count: 1 } a)
        {
            e = a.InnerExceptions[0];
        }
        while (e is System.Reflection.TargetInvocationException { InnerException: { } inner })
        {
            e = inner;
        }
        if (e is OperationCanceledException && Termination.SignalExitCode != 0)
        {
            stderr.WriteLine("kolmo: stopped by a signal; unfinished output removed");
            return Termination.SignalExitCode;
        }
        string message = e.Message.ReplaceLineEndings(" ").Trim();
        stderr.WriteLine($"kolmo: {message}");
        return e is InvalidDataException or EndOfStreamException ? BadData : Usage;
    }
}

/// <summary>A user-facing error (bad option, refusing to overwrite …): its message is printed as is, exit code 1.</summary>
public sealed class UsageException(string message) : Exception(message);
