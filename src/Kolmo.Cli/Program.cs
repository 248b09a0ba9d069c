using Spectre.Console.Cli;

namespace Kolmo.Cli;

/// <summary>
/// Entry point of the <c>kolmo</c> command. Each feature registers its commands in its own partial method,
/// implemented in that feature's folder under <c>Commands/</c>, so features stay independent.
/// </summary>
public static partial class Program
{
    /// <summary>Runs the command line and returns the exit code.</summary>
    public static int Main(string[] args) => CreateApp().Run(Commands.Compression.CodecRunner.RewriteStdin(args));

    /// <summary>Builds the command app (also used by in-process CLI tests).</summary>
    public static CommandApp CreateApp()
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("kolmo");
            config.SetExceptionHandler((e, _) => Infrastructure.CliErrors.Handle(e));
            ConfigureCompression(config);       // compress, decompress, bench, info FILE.kolmo, generate
            ConfigureInformation(config);       // info X Y, ncd, cluster, classify, bound
            ConfigureNeural(config);            // train, eval
            ConfigureDecipher(config);          // decipher
            ConfigureNeuralCompression(config); // mdl, transfer
            ConfigureVision(config);            // igpt
            ConfigureTour(config);              // tour
        });
        return app;
    }

    static partial void ConfigureCompression(IConfigurator config);

    static partial void ConfigureInformation(IConfigurator config);

    static partial void ConfigureNeural(IConfigurator config);

    static partial void ConfigureDecipher(IConfigurator config);

    static partial void ConfigureNeuralCompression(IConfigurator config);

    static partial void ConfigureVision(IConfigurator config);

    static partial void ConfigureTour(IConfigurator config);
}
