namespace Kolmo.Compression.Neural;

/// <summary>
/// The neural compressors and models by command-line name, so every command (compress, info, transfer, mdl) and the
/// bench build them the same way.
/// </summary>
public static class NeuralCompressors
{
    /// <summary>Names accepted by <see cref="Conditional"/>.</summary>
    public static IReadOnlyList<string> ConditionalNames => ["nn", "cm+nn", "order0", "order1", "order2", .. ModelCatalog.All.Where(e => e.Id is not (ModelId.Nn or ModelId.CmNn)).Select(e => e.Name)];

    /// <summary>Model families accepted by <see cref="MdlSpec"/>.</summary>
    public static IReadOnlyList<string> MdlFamilies => ["lstm", "gpt", "order"];

    /// <summary>Default level of the <c>nn</c> model.</summary>
    public const int DefaultNnLevel = 2;

    /// <summary>The <c>nn</c> level used inside <c>cm+nn</c> at CM level <paramref name="level"/>: 1 at level 1 (fast, for tests), else 2.</summary>
    public static int CmNnNetLevel(int level) => level <= 1 ? 1 : 2;

    /// <summary>A compressor by name (<c>nn</c>) at <paramref name="level"/>, optionally primed.</summary>
    /// <exception cref="ArgumentException">Unknown name or level.</exception>
    public static ICompressor Compressor(string name, int? level = null, NeuralPrior? prior = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return name switch
        {
            "nn" => new ModelCompressor(NeuralModels.NnEntry(Registered(prior)), level ?? DefaultNnLevel),
            "cm+nn" => new ModelCompressor(NeuralModels.CmNnEntry(Registered(prior)), level ?? DefaultNnLevel),
            _ when prior is null => new ModelCompressor(name, level),
            _ => throw new ArgumentException($"a prior works with nn and cm+nn, not '{name}'", nameof(name)),
        };
    }

    private static NeuralPrior? Registered(NeuralPrior? prior)
    {
        if (prior is not null)
        {
            PriorRegistry.Register(prior);
        }
        return prior;
    }

    /// <summary>LSTM hidden size of each <c>nn</c> level 1–9.</summary>
    private static readonly int[] LevelHidden = [16, 32, 48, 64, 96, 128, 192, 256, 384];

    /// <summary>
    /// Configuration of the <c>nn</c> model at <paramref name="level"/> 1–9: a one-layer byte LSTM with hidden size
    /// 16, 32, 48, 64, 96, 128, 192, 256, 384, trained on windows of T = 32 bytes (level 1: 16) with AdamW at η = 0.004 (level 1: 0.02).
    /// </summary>
    public static string NnSpec(int level = DefaultNnLevel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, LevelHidden.Length);
        // level 1 (tests, tiny inputs) learns faster: a larger rate pays on a few KB
        string lr = level == 1 ? "0.02" : "0.004";
        return $"lstm:h={LevelHidden[level - 1]},l=1,t={NnWindow(level)},lr={lr},seed=1";
    }

    /// <summary>Training window (and block: bytes between optimizer steps) of the <c>nn</c> level.</summary>
    public static int NnWindow(int level) => level == 1 ? 16 : 32;

    /// <summary>The <c>nn</c> compressor (prequential coding), optionally with a prior.</summary>
    public static NeuralCompressor Nn(int level = DefaultNnLevel, NeuralPrior? prior = null)
        => new(NnSpec(level), NnWindow(level), prior, "nn");

    /// <summary>A model for conditional code lengths C(y | x) by name (see <see cref="ConditionalNames"/>).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static ConditionalModel Conditional(string name, int? level = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return name switch
        {
            "nn" => ConditionalModel.FromSequenceModel("nn", NnSpec(level ?? DefaultNnLevel), NnWindow(level ?? DefaultNnLevel)),
            "cm+nn" => ConditionalModel.FromByteModel(name, () => ModelCatalog.Create("cm+nn", level ?? DefaultNnLevel)),
            "order0" or "order1" or "order2" => ConditionalModel.FromSequenceModel(name, $"order:k={name[^1]}"),
            _ when ModelCatalog.All.Any(e => e.Name == name) => ConditionalModel.FromByteModel(name, () => ModelCatalog.Create(name, level)),
            _ => throw new ArgumentException($"unknown model '{name}' (known: {string.Join(", ", ConditionalNames)})", nameof(name)),
        };
    }

    /// <summary>Model configuration of family <paramref name="family"/> at size <paramref name="size"/> for <c>kolmo mdl</c>.</summary>
    /// <exception cref="ArgumentException">Unknown family or size out of range.</exception>
    public static string MdlSpec(string family, int size)
    {
        ArgumentException.ThrowIfNullOrEmpty(family);
        return family switch
        {
            "order" when size >= 0 && size <= CountSequenceModel.MaxOrder => $"order:k={size}",
            "order" => throw new ArgumentException($"order model sizes are 0..{CountSequenceModel.MaxOrder}", nameof(size)),
            "lstm" when size >= 1 && size <= 1024 => $"lstm:h={size},l=1,t=32,lr=0.004,seed=1",
            "gpt" when size >= 4 && size <= 1024 && size % 4 == 0 => $"gpt:d={size},l=2,heads=4,t=64,lr=0.002,seed=1",
            "lstm" or "gpt" => throw new ArgumentException("lstm sizes (hidden) are 1..1024, gpt sizes (width) multiples of 4 up to 1024", nameof(size)),
            _ => throw new ArgumentException($"unknown model family '{family}' (known: {string.Join(", ", MdlFamilies)})", nameof(family)),
        };
    }
}
