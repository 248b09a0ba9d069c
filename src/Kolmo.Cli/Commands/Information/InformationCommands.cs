using Spectre.Console.Cli;

namespace Kolmo.Cli;

/// <summary>Registers the information commands.</summary>
public static partial class Program
{
    static partial void ConfigureInformation(IConfigurator config)
    {
        // `info X Y` is the `info` command (Compression/InfoCommand.cs), which calls InfoPair.Run for two plain files.
        config.AddCommand<Commands.Information.NcdCommand>("ncd")
            .WithDescription("NCD distance matrix of files (TSV/JSON) and heat map (PNG/SVG)")
            .WithExample("ncd", "texts/", "--out", "d.tsv", "--plot", "d.png");
        config.AddCommand<Commands.Information.ClusterCommand>("cluster")
            .WithDescription("UPGMA / neighbour-joining tree from an NCD matrix or files: Newick + dendrogram")
            .WithExample("cluster", "d.tsv", "--method", "nj", "--plot", "tree.svg");
        config.AddCommand<Commands.Information.ClassifyCommand>("classify")
            .WithDescription("Text classification by compression: NCD-kNN or class-conditional models")
            .WithExample("classify", "--train", "train.tsv", "--test", "test.tsv", "--method", "conditional");
        config.AddCommand<Commands.Information.BoundCommand>("bound")
            .WithDescription("Occam/PAC bound: test error <= train error + sqrt((b ln2 + ln(1/delta)) / 2m)")
            .WithExample("bound", "--train-error", "0.02", "--bits", "100000", "--samples", "60000");
    }
}
