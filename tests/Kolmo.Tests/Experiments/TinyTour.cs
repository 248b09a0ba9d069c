using Kolmo.Experiments;

namespace Kolmo.Tests.Experiments;

/// <summary>One small run of every tour chapter, shared by the tests that read its record, its report and its page.</summary>
public static class TinyTour
{
    /// <summary>Every chapter on a few kilobytes, fast compressors and tiny models (a few CPU-seconds in all).</summary>
    public static TourOptions Options => new()
    {
        Preset = "tiny",
        Threads = 2,
        Prediction = new() { Bytes = 6_000, Models = ["order3"], Level = 2, CurvePoints = 6, SampleBytes = 60 },
        SharedInformation = new() { Compressors = ["gzip", "order3"], BookPartBytes = 3_000 },
        Kolmogorov = new() { Compressors = ["gzip", "order3"], Sizes = [1_000, 3_000] },
        LanguageTree = new() { Languages = ["eng", "sco", "dan", "nob", "fin", "est"], Compressor = "deflate" },
        Classification = new() { ConditionalModels = ["ordermix"], KnnCompressors = ["deflate"], ModelKnn = "ordermix", ModelKnnDocs = 3, TestDocs = 20 },
        DescriptionLength = new() { MdlBytes = 1_500, MdlModels = [("order", 0), ("order", 1), ("lstm", 4)], Epochs = 1, TargetBytes = 2_000, SourceBytes = 2_000, TransferModels = ["order2"] },
        Decipher = new() { Lengths = [40, 120], KeysPerLength = 1, Restarts = 4, ShowcaseLength = 150 },
        NextPixel = new() { Size = "1x8", Steps = 4, Checkpoints = 2, TestImages = 40, ProbeTrainImages = 100, ProbeGrid = 2, CompressImages = 3, CompletionImages = 2 },
        Occam = new() { StepExponents = [-6, -3, 0], MaxIterations = 100 },
    };

    private static readonly Lazy<TourResults> Run = new(() => Tour.Run(Options));

    /// <summary>The results (run once per test process).</summary>
    public static TourResults Results => Run.Value;
}
