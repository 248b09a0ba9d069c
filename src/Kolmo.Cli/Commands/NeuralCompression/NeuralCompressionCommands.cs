using System.ComponentModel;
using System.Globalization;
using System.Text;
using Kolmo.Cli.Infrastructure;
using Kolmo.Compression.Neural;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kolmo.Cli;

public static partial class Program
{
    static partial void ConfigureNeuralCompression(IConfigurator config)
    {
        config.AddCommand<Commands.NeuralCompression.MdlCommand>("mdl")
            .WithDescription("Uniform, two-part and prequential code lengths of a file for several model sizes (table, TSV, PNG).")
            .WithExample("mdl", "--data", "book1", "--model", "order", "--sizes", "0,1,2", "--out", "mdl")
            .WithExample("mdl", "--data", "book1", "--model", "lstm", "--sizes", "8,16,32,64", "--bytes", "20000", "--out", "mdl");
        config.AddCommand<Commands.NeuralCompression.TransferCommand>("transfer")
            .WithDescription("Bits saved on a target by priming/pretraining on each source, for CM and NN models (table, TSV, PNG).")
            .WithExample("transfer", "--target", "y.txt", "--sources", "x1.txt", "x2.bin", "random:100000", "--models", "cm,nn", "--out", "transfer");
    }
}
