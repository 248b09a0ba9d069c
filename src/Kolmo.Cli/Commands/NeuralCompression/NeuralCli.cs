using Kolmo.Cli.Infrastructure;
using Kolmo.Compression;
using Kolmo.Compression.Neural;

namespace Kolmo.Cli.Commands.NeuralCompression;

/// <summary>The prior options of <c>compress</c>/<c>decompress</c> (<c>--prime-data</c>, <c>--prime-model</c>) and <c>--threads</c>.</summary>
internal static class NeuralCli
{
    /// <summary>Reads the prior named by the options, or null.</summary>
    public static Prior? LoadPrior(string? primeData, string? primeModel)
    {
        Prior? prior = null;
        if (primeData is not null)
        {
            prior = new DataPrior(ReadFile(primeData, "--prime-data"));
        }
        else if (primeModel is not null)
        {
            byte[] checkpoint = ReadFile(primeModel, "--prime-model");
            try
            {
                SequenceModels.LoadCheckpoint(checkpoint);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"--prime-model {primeModel}: {e.Message}", e);
            }
            prior = new ModelPrior(checkpoint);
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

    /// <summary>The compressor for <c>kolmo compress</c>: the catalog model, with the prior when one is given.</summary>
    public static ModelCompressor Compressor(string model, int? level, long? memory, int block, Prior? prior)
    {
        try
        {
            return NeuralCompressors.Compressor(model, level, prior, memory, block);
        }
        catch (ArgumentException e) when (e.ParamName == "prior")
        {
            throw new UsageException(e.Message.Split(" (Parameter")[0]);
        }
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
