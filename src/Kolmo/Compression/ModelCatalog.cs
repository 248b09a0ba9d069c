using Kolmo.Modeling;

namespace Kolmo.Compression;

/// <summary>
/// One model a <c>.kolmo</c> container can name: its id, its command-line name, and two functions.
/// <see cref="Configure"/> turns the user's choice (level 1–9, optional memory limit in bytes) into the
/// model parameters stored in the container; <see cref="Create"/> builds the model from a level and those
/// stored parameters (the decoder uses only the stored values, so a file never depends on how levels are
/// mapped today). <see cref="Create"/> must throw <see cref="InvalidDataException"/> for parameters it does
/// not accept.
/// </summary>
/// <param name="Id">Container model id (docs/FORMAT.md).</param>
/// <param name="Name">Name used by <c>--model</c>, e.g. <c>order3</c>.</param>
/// <param name="Description">One line for help texts and tables.</param>
/// <param name="DefaultLevel">Level used when none is given (1–9).</param>
/// <param name="Configure">(level, memory limit in bytes or null) → stored parameters (at most 255 bytes).</param>
/// <param name="Create">(level, stored parameters) → a fresh model.</param>
/// <param name="CreateFromCheckpoint">(level, stored parameters, checkpoint bytes) → the model started from a trained
/// network (<c>--prime-model</c>); null for models that cannot.</param>
public sealed record ModelEntry(
    ModelId Id,
    string Name,
    string Description,
    int DefaultLevel,
    Func<int, long?, byte[]> Configure,
    Func<int, byte[], IByteModel> Create,
    Func<int, byte[], ReadOnlyMemory<byte>, IByteModel>? CreateFromCheckpoint = null);

/// <summary>
/// The models Kolmo can compress with, by container id and by name. To add a model, add one line to
/// <see cref="All"/> (and give it a <see cref="ModelId"/> value, which is part of the file format).
/// </summary>
public static class ModelCatalog
{
    /// <summary>Smallest level accepted by every model.</summary>
    public const int MinLevel = 1;

    /// <summary>Largest level accepted by every model.</summary>
    public const int MaxLevel = 9;

    /// <summary>Every registered model.</summary>
    public static IReadOnlyList<ModelEntry> All { get; } =
    [
        new(ModelId.Order3, "order3", "orders 0-3, hashed counters, logistic mixer, APM", Order3Model.DefaultLevel, ConfigureOrder3, CreateOrder3),
        new(ModelId.Cm, "cm", "context mixing: orders 0-8 (to 24 at levels 8-9), words, sparse, record, indirect, match; 16-bit SIMD mixer, 2-3 APMs", CmModel.DefaultLevel, CmModel.Configure, CmModel.Create),
        Neural.NeuralModels.NnEntry(),
        Neural.NeuralModels.CmNnEntry(),
    ];

    /// <summary>Names of all registered models, comma-separated (for messages).</summary>
    public static string Names => string.Join(", ", All.Select(e => e.Name));

    /// <summary>Looks a model up by container id.</summary>
    public static bool TryGet(ModelId id, out ModelEntry entry)
    {
        foreach (var e in All)
        {
            if (e.Id == id)
            {
                entry = e;
                return true;
            }
        }
        entry = null!;
        return false;
    }

    /// <summary>Looks a model up by name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No model has that name.</exception>
    public static ModelEntry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var e in All)
        {
            if (string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return e;
            }
        }
        throw new ArgumentException($"unknown model '{name}' (known: {Names})", nameof(name));
    }

    /// <summary>Looks a model up by container id.</summary>
    /// <exception cref="ArgumentException">No model has that id.</exception>
    public static ModelEntry Get(ModelId id) =>
        TryGet(id, out var e) ? e : throw new ArgumentException($"no model with id {(int)id} is registered (known: {Names})", nameof(id));

    /// <summary>Creates a fresh model by name at <paramref name="level"/> (null: the model's default) within an optional memory limit.</summary>
    /// <exception cref="ArgumentException">Unknown name, level outside 1–9, or a memory limit the model cannot meet.</exception>
    public static IByteModel Create(string name, int? level = null, long? memoryLimitBytes = null)
    {
        var e = Find(name);
        int l = level ?? e.DefaultLevel;
        CheckLevel(l);
        return e.Create(l, e.Configure(l, memoryLimitBytes));
    }

    /// <summary>Throws unless <paramref name="level"/> is in [<see cref="MinLevel"/>, <see cref="MaxLevel"/>].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The level is out of range.</exception>
    public static void CheckLevel(int level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
    }

    private static byte[] ConfigureOrder3(int level, long? memoryLimitBytes) => [(byte)Order3Model.HashBitsFor(level, memoryLimitBytes)];

    private static Order3Model CreateOrder3(int level, byte[] parameters)
    {
        if (parameters.Length != 1 || parameters[0] < Order3Model.MinHashBits || parameters[0] > Order3Model.MaxHashBits)
        {
            throw new InvalidDataException($"order3: invalid model parameters ({Convert.ToHexString(parameters)}); expected one byte in [{Order3Model.MinHashBits}, {Order3Model.MaxHashBits}]");
        }
        return new Order3Model(parameters[0]);
    }
}
