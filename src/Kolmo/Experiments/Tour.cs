using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Kolmo.Experiments;

/// <summary>A chapter of the tour: its id (used in progress, JSON and <see cref="TourOptions.Chapters"/>) and title.</summary>
/// <param name="Id">Short id.</param>
/// <param name="Title">Title.</param>
public sealed record TourChapter(string Id, string Title);

/// <summary>Settings of a tour run: the preset, threads, seed, which chapters, and each chapter's settings.</summary>
public sealed record TourOptions
{
    /// <summary>Name of the preset ("full" or "quick").</summary>
    public string Preset { get; init; } = "full";

    /// <summary>Worker threads (results do not depend on it).</summary>
    public int Threads { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 2);

    /// <summary>Seed of every random choice (random bytes, samplers, solvers).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Chapter ids to run (null = all, in the tour's order).</summary>
    public IReadOnlyList<string>? Chapters { get; init; }

    /// <summary>Compression = prediction.</summary>
    public PredictionOptions Prediction { get; init; } = new();

    /// <summary>Joint vs separate and conditional compression.</summary>
    public SharedInformationOptions SharedInformation { get; init; } = new();

    /// <summary>Kolmogorov upper bounds.</summary>
    public KolmogorovOptions Kolmogorov { get; init; } = new();

    /// <summary>NCD language tree.</summary>
    public LanguageTreeOptions LanguageTree { get; init; } = new();

    /// <summary>Classification by compression.</summary>
    public ClassificationOptions Classification { get; init; } = new();

    /// <summary>MDL and transfer.</summary>
    public DescriptionLengthOptions DescriptionLength { get; init; } = new();

    /// <summary>Distribution matching.</summary>
    public DecipherOptions Decipher { get; init; } = new();

    /// <summary>Next-pixel prediction.</summary>
    public NextPixelOptions NextPixel { get; init; } = new();

    /// <summary>The Occam bound of a trained probe.</summary>
    public OccamOptions Occam { get; init; } = new();

    /// <summary>The full tour (≤ 10 minutes on two cores).</summary>
    public static TourOptions Full => new();

    /// <summary>The quick tour (≤ 2 minutes on two cores): every chapter, on less data and smaller models.</summary>
    public static TourOptions Quick => new()
    {
        Preset = "quick",
        Prediction = new() { Bytes = 60_000, Models = ["order3", "cm"], SampleBytes = 300 },
        SharedInformation = new() { BookPartBytes = 10_000 },
        Kolmogorov = new() { Sizes = [1_000, 4_000, 16_000, 64_000] },
        LanguageTree = new() { Languages = ["eng", "sco", "deu_1996", "nld", "dan", "nob", "fra", "spa", "por_PT", "ita", "pol", "ces", "fin", "est"] },
        Classification = new() { ConditionalModels = ["ordermix", "cm"], ModelKnnDocs = 10 },
        DescriptionLength = new() { MdlBytes = 6_000, MdlModels = [("order", 0), ("order", 1), ("order", 2), ("lstm", 8), ("lstm", 16), ("lstm", 32)], Epochs = 1, TargetBytes = 20_000, SourceBytes = 40_000, TransferModels = ["order2", "cm"] },
        Decipher = new() { Lengths = [30, 50, 75, 100], KeysPerLength = 3, ShowcaseLength = 200 },
        NextPixel = new() { Size = "1x64", Steps = 800, Checkpoints = 2, ProbeTrainImages = 1_000, ProbeGrid = 4, CompressImages = 10, CompletionImages = 4 },
    };
}

/// <summary>Where and how a tour ran.</summary>
/// <param name="Version">Kolmo's version.</param>
/// <param name="Runtime">.NET runtime.</param>
/// <param name="Os">Operating system.</param>
/// <param name="Cpu">Processor model, if known.</param>
/// <param name="LogicalCores">Logical cores the process may use.</param>
public sealed record TourMachine(string Version, string Runtime, string Os, string Cpu, int LogicalCores);

/// <summary>Everything a tour measured: one record per chapter run (null when not run), and what the run cost.</summary>
public sealed record TourResults
{
    /// <summary>Preset name.</summary>
    public required string Preset { get; init; }

    /// <summary>Seed.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Threads.</summary>
    public required int Threads { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTime StartedUtc { get; init; }

    /// <summary>The machine.</summary>
    public required TourMachine Machine { get; init; }

    /// <summary>Wall-clock seconds and CPU-seconds of the whole run.</summary>
    public required ChapterCost Cost { get; init; }

    /// <summary>Compression = prediction.</summary>
    public PredictionResult? Prediction { get; init; }

    /// <summary>Joint vs separate and conditional compression.</summary>
    public SharedInformationResult? SharedInformation { get; init; }

    /// <summary>Kolmogorov upper bounds.</summary>
    public KolmogorovResult? Kolmogorov { get; init; }

    /// <summary>NCD language tree.</summary>
    public LanguageTreeResult? LanguageTree { get; init; }

    /// <summary>Classification by compression.</summary>
    public ClassificationResult? Classification { get; init; }

    /// <summary>MDL and transfer.</summary>
    public DescriptionLengthResult? DescriptionLength { get; init; }

    /// <summary>Distribution matching.</summary>
    public DecipherResult? Decipher { get; init; }

    /// <summary>Next-pixel prediction.</summary>
    public NextPixelResult? NextPixel { get; init; }

    /// <summary>The Occam bound of a trained probe.</summary>
    public OccamResult? Occam { get; init; }
}

/// <summary>
/// The tour: Kolmo's claims, each measured on data built into the tool, as one record per chapter (drawn by
/// Kolmo.Reporting as an HTML report). Chapters run one after another; each reports its progress.
/// </summary>
public static class Tour
{
    /// <summary>The chapters, in order.</summary>
    public static IReadOnlyList<TourChapter> Chapters { get; } =
    [
        new("prediction", "Compression is prediction"),
        new("shared-information", "Joint, separate and conditional compression"),
        new("kolmogorov", "Kolmogorov upper bounds"),
        new("language-tree", "NCD: a language tree"),
        new("classification", "Classification by compression"),
        new("description-length", "MDL and transfer"),
        new("decipher", "Distribution matching: a cipher solved"),
        new("next-pixel", "Next-pixel prediction learns features"),
        new("occam", "The Occam bound of a trained probe"),
    ];

    /// <summary>Runs the chapters of <paramref name="options"/>; <paramref name="progress"/> hears from each.</summary>
    /// <exception cref="ArgumentException">An unknown chapter id.</exception>
    public static TourResults Run(TourOptions options, Action<TourStatus>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ids = Chapters.Select(c => c.Id).ToArray();
        var run = options.Chapters ?? ids;
        foreach (string id in run)
        {
            if (!ids.Contains(id, StringComparer.Ordinal))
            {
                throw new ArgumentException($"unknown chapter '{id}' (chapters: {string.Join(", ", ids)})", nameof(options));
            }
        }
        bool Want(string id) => run.Contains(id, StringComparer.Ordinal);
        ChapterProgress P(string id) => new(id, progress);
        var started = DateTime.UtcNow;
        int threads = Math.Max(1, options.Threads);
        var (results, cost) = ChapterCost.Measure(() => new TourResults
        {
            Preset = options.Preset,
            Seed = options.Seed,
            Threads = threads,
            StartedUtc = started,
            Machine = Machine(),
            Cost = new ChapterCost(0, 0),
            Prediction = Want("prediction") ? PredictionChapter.Run(options.Prediction, options.Seed, P("prediction")) : null,
            SharedInformation = Want("shared-information") ? SharedInformationChapter.Run(options.SharedInformation, options.Seed, threads, P("shared-information")) : null,
            Kolmogorov = Want("kolmogorov") ? KolmogorovChapter.Run(options.Kolmogorov, threads, P("kolmogorov")) : null,
            LanguageTree = Want("language-tree") ? LanguageTreeChapter.Run(options.LanguageTree, threads, P("language-tree")) : null,
            Classification = Want("classification") ? ClassificationChapter.Run(options.Classification, threads, P("classification")) : null,
            DescriptionLength = Want("description-length") ? DescriptionLengthChapter.Run(options.DescriptionLength, options.Seed, P("description-length")) : null,
            Decipher = Want("decipher") ? DecipherChapter.Run(options.Decipher, options.Seed, threads, P("decipher")) : null,
            NextPixel = Want("next-pixel") ? RunNextPixel(options.NextPixel, options.Seed, threads, P("next-pixel")) : null,
            Occam = Want("occam") ? RunOccam(options.Occam, P("occam")) : null,
        });
        return results with { Cost = cost };
    }

    private static NextPixelResult RunNextPixel(NextPixelOptions o, ulong seed, int threads, ChapterProgress p)
    {
        var (images, description) = TourData.Digits();
        return NextPixelChapter.Run(o, images, description, seed, threads, p);
    }

    private static OccamResult RunOccam(OccamOptions o, ChapterProgress p)
    {
        var (images, description) = TourData.Digits();
        return OccamChapter.Run(o, images, description, p);
    }

    /// <summary>Describes this machine and build.</summary>
    public static TourMachine Machine()
    {
        string version = typeof(Tour).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        string cpu = "?";
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return new TourMachine(version, RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription,
            cpu == "?" ? RuntimeInformation.ProcessArchitecture.ToString() : cpu, Environment.ProcessorCount);
    }
}
