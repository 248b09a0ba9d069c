using System.Globalization;

namespace Kolmo.Compression.Neural;

/// <summary>
/// The neural compressors and models by command-line name and level, so every command (compress, info, transfer,
/// mdl) and the bench build them the same way.
/// </summary>
public static class NeuralCompressors
{
    /// <summary>Names accepted by <see cref="Conditional"/>.</summary>
    public static IReadOnlyList<string> ConditionalNames => ["nn", "cm+nn", "order0", "order1", "order2", .. ModelCatalog.All.Where(e => e.Id is not (ModelId.Nn or ModelId.CmNn)).Select(e => e.Name)];

    /// <summary>Model families accepted by <see cref="MdlSpec"/>.</summary>
    public static IReadOnlyList<string> MdlFamilies => ["online-lstm", "lstm", "gpt", "order"];

    /// <summary>Default level of the <c>nn</c> model.</summary>
    public const int DefaultNnLevel = 6;

    /// <summary>Default level of the <c>cm+nn</c> model.</summary>
    public const int DefaultCmNnLevel = 6;

    /// <summary>
    /// The network of each <c>nn</c> level 1–9: (cells per layer, layers, BPTT horizon). Forward multiply-adds per
    /// byte grow from 11k (level 1) through 212k (level 4) and 507k (level 6) to 1.8M (level 9); the cost of a byte is
    /// about three times that (forward and the two backward products) plus one Adam step every horizon.
    /// </summary>
    private static readonly (int Cells, int Layers, int Horizon)[] Levels =
    [
        (32, 1, 10),
        (64, 2, 10),
        (96, 2, 20),
        (96, 3, 20),
        (128, 3, 20),
        (160, 3, 20),
        (192, 3, 20),
        (256, 3, 20),
        (320, 3, 20),
    ];

    /// <summary>
    /// The <c>nn</c> level inside <c>cm+nn</c> at level <paramref name="level"/>: the same number up to 4, then 4 up
    /// to level 6, 6 at levels 7–8 and 8 at level 9 (the network costs far more than CM, so the upper levels add CM
    /// contexts first; the best level takes the larger network).
    /// </summary>
    public static int CmNnNetLevel(int level) => level <= 4 ? level : level <= 6 ? 4 : level <= 8 ? 6 : 8;

    /// <summary>
    /// Configuration of the <c>nn</c> model at <paramref name="level"/> 1–9: an <see cref="OnlineLstm"/> whose cells,
    /// layers and horizon grow with the level (see <see cref="Levels"/>), other hyper-parameters at their defaults.
    /// </summary>
    public static string NnSpec(int level = DefaultNnLevel) => NnOptions(level).Spec;

    /// <summary>The <see cref="OnlineLstmOptions"/> of <c>nn</c> at <paramref name="level"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Level outside 1–9.</exception>
    public static OnlineLstmOptions NnOptions(int level = DefaultNnLevel)
    {
        ModelCatalog.CheckLevel(level);
        var (cells, layers, horizon) = Levels[level - 1];
        return new OnlineLstmOptions(cells, layers, horizon);
    }

    /// <summary>Training block (bytes between optimizer steps: the BPTT horizon) of the <c>nn</c> level.</summary>
    public static int NnHorizon(int level) => NnOptions(level).Horizon;

    /// <summary>A compressor by catalog name at <paramref name="level"/>, optionally primed.</summary>
    /// <exception cref="ArgumentException">Unknown name or level, or a model prior for a model without checkpoints.</exception>
    public static ModelCompressor Compressor(string name, int? level = null, Prior? prior = null, long? memoryLimitBytes = null, int blockSize = KolmoContainer.DefaultBlockSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var entry = ModelCatalog.Find(name);
        if (prior is ModelPrior checkpoint)
        {
            entry = entry.Id switch
            {
                ModelId.Nn => NeuralModels.NnEntry(checkpoint),
                ModelId.CmNn => NeuralModels.CmNnEntry(checkpoint),
                _ => throw new ArgumentException($"--prime-model works with nn and cm+nn, not {entry.Name}", nameof(prior)),
            };
        }
        return new ModelCompressor(entry, level, memoryLimitBytes, blockSize, prior);
    }

    /// <summary>
    /// A model for conditional code lengths C(y | x) by name (see <see cref="ConditionalNames"/>): the catalog models
    /// learn x exactly as <c>--prime-data</c> does (<see cref="Modeling.IByteModel.Prime"/>); <c>order0</c>–<c>order2</c>
    /// are count models coded prequentially.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static ConditionalModel Conditional(string name, int? level = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return name switch
        {
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
            OnlineLstmOptions.Kind when size >= 16 && size <= 1024 && size % 16 == 0 => (NnOptions() with { Cells = size, Layers = 1 }).Spec,
            "lstm" when size >= 1 && size <= 1024 => string.Create(CultureInfo.InvariantCulture, $"lstm:h={size},l=1,t=32,lr=0.004,seed=1"),
            "gpt" when size >= 4 && size <= 1024 && size % 4 == 0 => string.Create(CultureInfo.InvariantCulture, $"gpt:d={size},l=2,heads=4,t=64,lr=0.002,seed=1"),
            OnlineLstmOptions.Kind or "lstm" or "gpt" => throw new ArgumentException("online-lstm sizes (cells) are multiples of 16 up to 1024, lstm sizes (hidden) 1..1024, gpt sizes (width) multiples of 4 up to 1024", nameof(size)),
            _ => throw new ArgumentException($"unknown model family '{family}' (known: {string.Join(", ", MdlFamilies)})", nameof(family)),
        };
    }
}
