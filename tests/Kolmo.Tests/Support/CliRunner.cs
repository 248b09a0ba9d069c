using System.Diagnostics;

namespace Kolmo.Tests.Support;

/// <summary>Runs the <c>kolmo</c> command in-process (capturing its console) or in a child process.</summary>
public static class CliRunner
{
    // Console.SetOut is process-wide: captures from parallel test classes must not interleave.
    private static readonly Lock ConsoleGate = new();

    /// <summary>Runs the CLI in-process; returns the exit code and what it wrote to stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args) => Capture(app => app.Run(args));

    /// <summary>Checks a command line in-process without running it (<c>KolmoApp.Check</c>); returns the exit code and output.</summary>
    public static (int Code, string Out, string Err) Check(params string[] args) => Capture(app => app.Check(args));

    private static (int Code, string Out, string Err) Capture(Func<global::Kolmo.Cli.KolmoApp, int> run)
    {
        lock (ConsoleGate)
        {
            var oldOut = Console.Out;
            var oldErr = Console.Error;
            var o = new StringWriter();
            var e = new StringWriter();
            Console.SetOut(o);
            Console.SetError(e);
            try
            {
                int code = run(global::Kolmo.Cli.Program.CreateApp());
                return (code, o.ToString(), e.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
        }
    }

    /// <summary>
    /// Runs <c>dotnet Kolmo.Cli.dll ARGS</c> in a child process, with the environment variable
    /// <paramref name="zeroEnv"/> (e.g. <c>DOTNET_EnableHWIntrinsic</c>) set to 0 when given; asserts exit code 0.
    /// </summary>
    public static void RunChild(string? zeroEnv, params string[] args)
    {
        var (code, _, err) = RunChildOutput(zeroEnv, args);
        Assert.True(code == 0, $"exit {code}: {err}");
    }

    /// <summary>
    /// Runs <c>dotnet Kolmo.Cli.dll ARGS</c> in a child process (with <paramref name="zeroEnv"/> set to 0 when given)
    /// and returns its exit code, its standard output as bytes and its standard error.
    /// </summary>
    public static (int Code, byte[] Out, string Err) RunChildOutput(string? zeroEnv, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Kolmo.Cli.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        if (zeroEnv != null)
        {
            psi.Environment[zeroEnv] = "0";
        }
        using var p = Process.Start(psi)!;
        var stdout = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
        string err = p.StandardError.ReadToEnd();
        copy.Wait();
        p.WaitForExit();
        return (p.ExitCode, stdout.ToArray(), err);
    }
}
