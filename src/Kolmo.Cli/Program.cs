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
        app.Configure(config =>
        {
            config.SetApplicationName("kolmo");
            config.UseStrictParsing();
            config.SetExceptionHandler((e, _) => CliErrors.Handle(e));
            if (console is not null)
            {
                config.ConfigureConsole(console);
            }
            ConfigureAll(config);
        });
        return new KolmoApp(app, catalog);
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

    internal KolmoApp(CommandApp app, CommandCatalog catalog)
    {
        _app = app;
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
}
