namespace Kolmo.Modeling;

/// <summary>
/// Settings of the context-mixing model <see cref="CmModel"/>: a level 1–9 and an optional memory cap.
/// <para>Memory of level L in bytes, before the cap, with T = 2^(18+L) the hash-table size:
/// T (nibble hash table) + T/4 (history buffer) + T/4 (match index, 2^(14+L) four-byte entries)
/// + T/4 for levels 8–9 (run map) + F, where F ≤ 9.5 MiB of fixed tables (two 64K-context APMs 8.3 MiB, mixer
/// weights, state maps, indirect tables). So 1.5·T + F for levels 1–7 and 1.75·T + F for 8–9:
/// level 1 ≈ 10 MiB, 6 ≈ 33.5 MiB, 9 ≈ 233.5 MiB. A cap shrinks T (halving) until the total fits, down to
/// T = 64 KiB. Levels 1–5 use the fast context set (orders 0–6, word); 6–9 the full set (adds order 8,
/// word pair, sparse, record, indirect); 8–9 add the run map.</para>
/// </summary>
public sealed record CmOptions
{
    /// <summary>Smallest level.</summary>
    public const int MinLevel = 1;

    /// <summary>Largest level (best ratio, most memory).</summary>
    public const int MaxLevel = 9;

    /// <summary>The default level.</summary>
    public const int DefaultLevel = 6;

    /// <summary>Level 1–9.</summary>
    public int Level { get; init; } = DefaultLevel;

    /// <summary>Memory cap in bytes, or null for the level's own size.</summary>
    public long? MemoryCap { get; init; }

    /// <summary>
    /// Explicit log2 of the hash-table bytes (16–27), overriding the level's size and the cap; what the
    /// <c>.kolmo</c> container stores, so a decoder never depends on how levels map to sizes.
    /// </summary>
    public int? TableBits { get; init; }

    /// <summary>Smallest <see cref="TableBits"/>.</summary>
    public const int MinTableBits = 16;

    /// <summary>Largest <see cref="TableBits"/>.</summary>
    public const int MaxTableBits = 27;

    /// <summary>Validates and returns the sized tables: (hash table bytes, history buffer bytes, match index entries).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The level is outside 1–9 or the cap is below the minimum.</exception>
    public (long HashBytes, int BufferBytes, int IndexEntries) Sizes()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Level, MinLevel, nameof(Level));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Level, MaxLevel, nameof(Level));
        int shift = 18 + Level;
        if (TableBits is int bits)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(bits, MinTableBits, nameof(TableBits));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, MaxTableBits, nameof(TableBits));
            shift = bits;
        }
        else if (MemoryCap is long cap)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(cap, MinimumMemory, nameof(MemoryCap));
            while (shift > 16 && Total(shift, RunModel) > cap)
            {
                shift--;
            }
        }
        return (1L << shift, 1 << (shift - 2), 1 << (shift - 4));
    }

    /// <summary>Upper bound of the fixed (level-independent) table bytes, F = 9.5 MiB.</summary>
    public const long FixedBytes = 19L << 19;

    /// <summary>Smallest accepted memory cap (the smallest sized tables plus the fixed ones).</summary>
    public const long MinimumMemory = (7L << 14) + FixedBytes;

    /// <summary>Memory of a level by the documented formula: 1.5·2^(18+L) + F (1.75·2^(18+L) + F for levels 8–9).</summary>
    public static long LevelMemory(int level) => Total(18 + level, level >= 8);

    private static long Total(int shift, bool run) => (1L << shift) + (2L << (shift - 2)) + (run ? 1L << (shift - 2) : 0) + FixedBytes;

    /// <summary>
    /// Extra mixer inputs supplied per bit from outside through <see cref="CmModel.SetExternal"/> (cm+nn feeds a
    /// network's predictions here); 0 for plain cm. Not stored in the container: the outer model's layout implies it.
    /// </summary>
    public int ExternalInputs { get; init; }

    /// <summary>Selector contexts of one extra mixer weight set chosen from outside (0: no extra set).</summary>
    public int ExternalContexts { get; init; }

    /// <summary>Whether the level adds the run map (levels 8–9; 2^(14+L) entries of 4 bytes).</summary>
    public bool RunModel => Level >= 8;

    /// <summary>Whether the level uses the full context set (sparse, record, indirect, second word context).</summary>
    public bool FullContextSet => Level >= 6;
}
