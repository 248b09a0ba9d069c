using Spectre.Console.Cli;

namespace Kolmo.Cli;

/// <summary>
/// Entry point of the <c>kolmo</c> command. Each feature registers its commands in its own partial method,
/// implemented in that feature's folder under <c>Commands/</c>, so features stay independent.
/// </summary>
public static partial class Program
{
    /// <summary>Runs the command line and returns the exit code.</summary>
    public static int Main(string[] args) => CreateApp().Run(Commands.Foundation.CodecRunner.RewriteStdin(args));

    /// <summary>Builds the command app (also used by in-process CLI tests).</summary>
    public static CommandApp CreateApp()
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("kolmo");
            config.SetExceptionHandler((e, _) => Infrastructure.CliErrors.Handle(e));
            ConfigureFoundation(config);   // compress, decompress, bench, info FILE.kolmo, generate  (issue 2)
            ConfigureCm(config);           // context-mixing model options                           (issue 3)
            ConfigureInformation(config);  // info X Y, ncd, cluster, classify, bound               (issue 4)
            ConfigureNeural(config);       // train, eval                                            (issue 5)
            ConfigureDecipher(config);     // decipher                                               (issue 6)
            ConfigureNeuralCompression(config); // mdl, transfer                                     (issue 7)
            ConfigureVision(config);       // igpt                                                   (issue 8)
            ConfigureScaleOut(config);     // worker, merge (and --cluster/--shard on ncd, classify, compress)
        });
        return app;
    }

    static partial void ConfigureFoundation(IConfigurator config);

    static partial void ConfigureCm(IConfigurator config);

    static partial void ConfigureInformation(IConfigurator config);

    static partial void ConfigureNeural(IConfigurator config);

    static partial void ConfigureDecipher(IConfigurator config);

    static partial void ConfigureNeuralCompression(IConfigurator config);

    static partial void ConfigureVision(IConfigurator config);

    static partial void ConfigureScaleOut(IConfigurator config);
}
