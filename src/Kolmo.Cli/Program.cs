using Kolmo.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kolmo.Cli;

/// <summary>
/// Entry point of the <c>kolmo</c> command. Each feature registers its commands in its own partial method,
/// implemented in that feature's folder under <c>Commands/</c>, so features stay independent.
/// </summary>
public static partial class Program
{
    /// <summary>Runs the command line and returns the exit code.</summary>
    public static int Main(string[] args)
    {
        Infrastructure.Termination.Install();
        int code = CreateApp().Run(args);
        int signalled = Infrastructure.Termination.SignalExitCode;
        return signalled != 0 ? signalled : code;
    }

    /// <summary>Builds the command app (also used by in-process CLI tests).</summary>
    /// <param name="console">Where Spectre writes help and its own errors (default: the terminal).</param>
    public static KolmoApp CreateApp(IAnsiConsole? console = null)
    {
        var catalog = new CommandCatalog();
        ConfigureAll(new CatalogConfigurator(catalog));
        var app = new CommandApp();
        var checkOnly = new CheckOnlyInterceptor();
        app.Configure(config =>
        {
            config.SetApplicationName("kolmo");
            config.UseStrictParsing();
            config.SetInterceptor(checkOnly);
            config.SetExceptionHandler((e, _) => e is CheckOnlyInterceptor.Checked ? CliErrors.Ok : CliErrors.Handle(e));
            if (console is not null)
            {
                config.ConfigureConsole(console);
            }
            ConfigureAll(config);
        });
        return new KolmoApp(app, catalog, checkOnly);
    }

    /// <summary>Every feature's commands (run once to fill the catalog, once more for Spectre).</summary>
    private static void ConfigureAll(IConfigurator config)
    {
        ConfigureCompression(config);       // compress, decompress, bench, info FILE.kolmo, generate
        ConfigureInformation(config);       // info X Y, ncd, cluster, classify, bound
        ConfigureNeural(config);            // train, eval
        ConfigureDecipher(config);          // decipher
        ConfigureNeuralCompression(config); // mdl, transfer
        ConfigureVision(config);            // igpt
        ConfigureScaleOut(config);          // worker, merge (and --cluster/--shard of ncd, classify, compress)
        ConfigureTour(config);              // tour
    }

    static partial void ConfigureCompression(IConfigurator config);

    static partial void ConfigureInformation(IConfigurator config);

    static partial void ConfigureNeural(IConfigurator config);

    static partial void ConfigureDecipher(IConfigurator config);

    static partial void ConfigureNeuralCompression(IConfigurator config);

    static partial void ConfigureVision(IConfigurator config);

    static partial void ConfigureScaleOut(IConfigurator config);
    static partial void ConfigureTour(IConfigurator config);
}

/// <summary>
/// The configured <c>kolmo</c> app: <see cref="Run"/> answers <c>-V/--version</c>, applies the strict command-line
/// rules of <see cref="ArgumentCheck"/>, then lets Spectre.Console.Cli bind the settings and run the command.
/// </summary>
public sealed class KolmoApp
{
    private readonly CommandApp _app;
    private readonly CheckOnlyInterceptor _checkOnly;

    internal KolmoApp(CommandApp app, CommandCatalog catalog, CheckOnlyInterceptor checkOnly)
    {
        _app = app;
        _checkOnly = checkOnly;
        Catalog = catalog;
    }

    /// <summary>Every command with its options (filled when the app is built).</summary>
    public CommandCatalog Catalog { get; }

    /// <summary>Runs one command line; returns the exit code.</summary>
    public int Run(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["-V" or "--version"])
        {
            Console.WriteLine($"kolmo {ToolVersion.Text}");
            return CliErrors.Ok;
        }
        string[] prepared;
        try
        {
            prepared = ArgumentCheck.Prepare(args, Catalog);
        }
        catch (UsageException e)
        {
            return CliErrors.Handle(e);
        }
        return _app.Run(prepared);
    }

    /// <summary>
    /// Checks one command line without running it: the strict rules, Spectre's binding of the settings and their
    /// <c>Validate()</c>; returns 0 when the command would start, else the exit code and the one-line error it would give.
    /// </summary>
    public int Check(IReadOnlyList<string> args)
    {
        _checkOnly.Enabled = true;
        try
        {
            return Run(args);
        }
        finally
        {
            _checkOnly.Enabled = false;
        }
    }
}

/// <summary>With <see cref="Enabled"/>, stops a command after its settings are bound and validated (for <see cref="KolmoApp.Check"/>).</summary>
internal sealed class CheckOnlyInterceptor : ICommandInterceptor
{
    public bool Enabled { get; set; }

    public void Intercept(CommandContext context, CommandSettings settings)
    {
        if (!Enabled)
        {
            return;
        }
        var result = settings.Validate();
        if (!result.Successful)
        {
            throw new UsageException(result.Message ?? "invalid settings");
        }
        throw new Checked();
    }

    /// <summary>Thrown to end a checked command line before it runs.</summary>
    internal sealed class Checked : Exception;
}
