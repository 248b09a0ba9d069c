namespace Kolmo.Modeling;

/// <summary>
/// Settings of the context-mixing model <see cref="CmModel"/>: a level 1–9 and an optional memory cap.
/// <para>Memory of level L (bytes), before the cap: hash table 2^(18+L) + history buffer 2^(16+L) + match
/// index 4·2^(14+L) = 1.5·2^(18+L), plus about 1.5 MiB of fixed tables (state maps, mixer weights, APMs, indirect
/// tables). Level 1 ≈ 2 MiB, 6 ≈ 25.5 MiB, 9 ≈ 193.5 MiB. A cap halves the three sized tables until the total fits
/// (down to a 64 KiB hash table). Levels 1–5 use the fast context set; 6–9 add sparse, record and indirect
/// contexts, a second word context and more mixer sets.</para>
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
            while (shift > 16 && (3L << (shift - 1)) + FixedBytes > cap)
            {
                shift--;
            }
        }
        return (1L << shift, 1 << (shift - 2), 1 << (shift - 4));
    }

    /// <summary>Approximate fixed (level-independent) table bytes.</summary>
    public const long FixedBytes = 3L << 19;

    /// <summary>Smallest accepted memory cap (the smallest sized tables plus the fixed ones).</summary>
    public const long MinimumMemory = (3L << 15) + FixedBytes;

    /// <summary>Memory of a level by the documented formula, 1.5·2^(18+L) + fixed.</summary>
    public static long LevelMemory(int level) => (3L << (17 + level)) + FixedBytes;

    /// <summary>Whether the level uses the full context set (sparse, record, indirect, second word context).</summary>
    public bool FullContextSet => Level >= 6;
}
