using Kolmo.Cli.Infrastructure;
using Kolmo.Compression;
using Kolmo.Compression.Neural;

namespace Kolmo.Cli.Commands.NeuralCompression;

/// <summary>The neural-compression options of <c>compress</c>/<c>decompress</c>: <c>--prime-data</c>, <c>--prime-model</c>.</summary>
internal static class NeuralCli
{
    /// <summary>Reads the prior named by the options (or null) and makes it available to decoders in this process.</summary>
    public static NeuralPrior? LoadPrior(string? primeData, string? primeModel)
    {
        NeuralPrior? prior = null;
        if (primeData is not null)
        {
            prior = new DataPrior(ReadFile(primeData, "--prime-data"));
        }
        else if (primeModel is not null)
        {
            byte[] checkpoint = ReadFile(primeModel, "--prime-model");
            prior = new ModelPrior(checkpoint, SequenceModels.LoadCheckpoint);
        }
        if (prior is not null)
        {
            PriorRegistry.Register(prior);
        }
        return prior;
    }

    /// <summary>Sets the neural engine's worker threads when given.</summary>
    public static void SetThreads(int? threads)
    {
        if (threads is int t)
        {
            Kolmo.Neural.NeuralRuntime.Threads = t;
        }
    }

    /// <summary>The compressor for <c>kolmo compress</c>: the catalog model, with the prior for the neural models.</summary>
    public static ModelCompressor Compressor(string model, int? level, long? memory, int block, NeuralPrior? prior)
    {
        if (prior is null)
        {
            return new ModelCompressor(model, level, memory, block);
        }
        var entry = ModelCatalog.Find(model);
        return entry.Id switch
        {
            ModelId.Nn => new ModelCompressor(NeuralModels.NnEntry(prior), level, memory, block),
            ModelId.CmNn => new ModelCompressor(NeuralModels.CmNnEntry(prior), level, memory, block),
            _ => throw new UsageException($"--prime-data/--prime-model work with --model nn or cm+nn, not {entry.Name}"),
        };
    }

    private static byte[] ReadFile(string path, string option)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{option} {path}: no such file");
        }
        return File.ReadAllBytes(path);
    }
}
