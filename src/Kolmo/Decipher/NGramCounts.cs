using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Kolmo.Decipher;

/// <summary>
/// The sufficient statistics of a character n-gram model: how often every n-gram of the highest order N occurs
/// in the training text. Everything else (lower-order counts, Kneser-Ney continuation counts, discounts) is
/// derived from these, so this is also what the model file stores (format: docs/DECIPHER.md, "model file").
/// An n-gram g = g₀…g_{N−1} is packed as the base-A number Σ gⱼ·A^(N−1−j) (first symbol most significant),
/// so the suffix of length k is <c>key % A^k</c> and the context (all but the last symbol) is <c>key / A</c>.
/// </summary>
public sealed class NGramCounts
{
    /// <summary>Highest supported order.</summary>
    public const int MaxOrder = 8;

    private static ReadOnlySpan<byte> Magic => "KNGM"u8;

    /// <summary>Current model file version.</summary>
    public const byte FormatVersion = 1;

    private readonly long[] _keys;
    private readonly int[] _counts;

    private NGramCounts(Alphabet alphabet, int order, long[] keys, int[] counts)
    {
        Alphabet = alphabet;
        Order = order;
        _keys = keys;
        _counts = counts;
    }

    /// <summary>The alphabet of the model.</summary>
    public Alphabet Alphabet { get; }

    /// <summary>The highest order N (n-grams of N symbols).</summary>
    public int Order { get; }

    /// <summary>Number of distinct N-grams.</summary>
    public int Distinct => _keys.Length;

    /// <summary>Distinct N-gram keys, ascending.</summary>
    public ReadOnlySpan<long> Keys => _keys;

    /// <summary>Occurrence counts, parallel to <see cref="Keys"/> (all ≥ 1).</summary>
    public ReadOnlySpan<int> Counts => _counts;

    /// <summary>Total number of N-grams counted.</summary>
    public long Total => _counts.Sum(c => (long)c);

    /// <summary>A^k as a long.</summary>
    internal static long Pow(int a, int k)
    {
        long r = 1;
        for (int i = 0; i < k; i++)
        {
            r *= a;
        }
        return r;
    }

    /// <summary>Counts every N-gram of <paramref name="text"/> (symbol indices of <paramref name="alphabet"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Order outside 1..<see cref="MaxOrder"/>.</exception>
    /// <exception cref="ArgumentException">A symbol index outside the alphabet, or text shorter than the order.</exception>
    public static NGramCounts Count(ReadOnlySpan<byte> text, Alphabet alphabet, int order)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, MaxOrder);
        if (text.Length < order)
        {
            throw new ArgumentException($"training text has {text.Length} symbols; order {order} needs at least {order}", nameof(text));
        }
        int a = alphabet.Size;
        long mod = Pow(a, order);
        var dict = new Dictionary<long, int>(1 << 16);
        long key = 0;
        for (int i = 0; i < text.Length; i++)
        {
            int s = text[i];
            if (s >= a)
            {
                throw new ArgumentException($"symbol {s} at {i} is outside the alphabet of {a}", nameof(text));
            }
            key = (key * a + s) % mod;
            if (i >= order - 1)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(dict, key, out _)++;
            }
        }
        long[] keys = [.. dict.Keys];
        Array.Sort(keys);
        int[] counts = new int[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            counts[i] = dict[keys[i]];
        }
        return new NGramCounts(alphabet, order, keys, counts);
    }

    /// <summary>Counts of the same text truncated to a lower order (suffix marginals of the N-grams).</summary>
    public NGramCounts Truncate(int order)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, Order);
        if (order == Order)
        {
            return this;
        }
        long mod = Pow(Alphabet.Size, order);
        var dict = new Dictionary<long, int>();
        for (int i = 0; i < _keys.Length; i++)
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(dict, _keys[i] % mod, out _) += _counts[i];
        }
        long[] keys = [.. dict.Keys];
        Array.Sort(keys);
        int[] counts = [.. keys.Select(k => dict[k])];
        return new NGramCounts(Alphabet, order, keys, counts);
    }

    // ---------------------------------------------------------------- model file (docs/DECIPHER.md)

    /// <summary>Writes the model file (versioned header, alphabet, delta-coded n-grams, CRC-32 trailer).</summary>
    public void Save(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var body = new MemoryStream();
        body.Write(Magic);
        body.WriteByte(FormatVersion);
        body.WriteByte((byte)Order);
        body.WriteByte(Alphabet.IsTokens ? (byte)1 : (byte)0);
        body.WriteByte(0); // reserved
        WriteVarint(body, (ulong)Alphabet.Size);
        foreach (string s in Alphabet.Symbols)
        {
            byte[] b = Encoding.UTF8.GetBytes(s);
            WriteVarint(body, (ulong)b.Length);
            body.Write(b);
        }
        WriteVarint(body, (ulong)_keys.Length);
        long prev = -1;
        for (int i = 0; i < _keys.Length; i++)
        {
            WriteVarint(body, (ulong)(_keys[i] - prev - 1));
            WriteVarint(body, (ulong)(_counts[i] - 1));
            prev = _keys[i];
        }
        byte[] bytes = body.ToArray();
        uint crc = Crc32.HashToUInt32(bytes);
        output.Write(bytes);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(tail, crc);
        output.Write(tail);
    }

    /// <summary>Reads a model file written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">Wrong magic or version, bad field, truncated, or checksum mismatch.</exception>
    public static NGramCounts Load(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var ms = new MemoryStream();
        input.CopyTo(ms);
        byte[] all = ms.ToArray();
        if (all.Length < 14 || !all.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a Kolmo n-gram model file (bad magic at offset 0)");
        }
        if (all[4] != FormatVersion)
        {
            throw new InvalidDataException($"unsupported n-gram model file version {all[4]} at offset 4 (expected {FormatVersion})");
        }
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(all.Length - 4));
        if (Crc32.HashToUInt32(all.AsSpan(0, all.Length - 4)) != stored)
        {
            throw new InvalidDataException($"n-gram model file checksum mismatch (CRC-32 at offset {all.Length - 4})");
        }
        int order = all[5];
        if (order is < 1 or > MaxOrder)
        {
            throw new InvalidDataException($"bad order {order} at offset 5");
        }
        if (all[6] > 1 || all[7] != 0)
        {
            throw new InvalidDataException("reserved bits set at offset 6");
        }
        bool tokens = all[6] == 1;
        int pos = 8;
        int end = all.Length - 4;
        ulong size = ReadVarint(all, ref pos, end);
        if (size is < 2 or > Alphabet.MaxSize)
        {
            throw new InvalidDataException($"bad alphabet size {size} at offset 8");
        }
        var symbols = new string[size];
        for (int i = 0; i < symbols.Length; i++)
        {
            ulong len = ReadVarint(all, ref pos, end);
            if (len == 0 || len > 256 || pos + (int)len > end)
            {
                throw new InvalidDataException($"bad alphabet symbol length at offset {pos}");
            }
            symbols[i] = Encoding.UTF8.GetString(all, pos, (int)len);
            pos += (int)len;
        }
        Alphabet alphabet;
        try
        {
            alphabet = symbols.SequenceEqual(Alphabet.Letters.Symbols) && !tokens ? Alphabet.Letters
                : symbols.SequenceEqual(Alphabet.LettersAndSpace.Symbols) && !tokens ? Alphabet.LettersAndSpace
                : new Alphabet(symbols, tokens);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"bad alphabet: {e.Message}");
        }
        long limit = Pow(alphabet.Size, order);
        ulong n = ReadVarint(all, ref pos, end);
        if (n > (ulong)(end - pos) / 2)
        {
            throw new InvalidDataException($"bad n-gram count {n} at offset {pos}");
        }
        var keys = new long[n];
        var counts = new int[n];
        long prev = -1;
        for (long i = 0; i < (long)n; i++)
        {
            ulong delta = ReadVarint(all, ref pos, end);
            ulong c = ReadVarint(all, ref pos, end);
            if (delta >= (ulong)limit || prev + 1 + (long)delta >= limit || c >= int.MaxValue)
            {
                throw new InvalidDataException($"n-gram {i} out of range at offset {pos}");
            }
            prev = prev + 1 + (long)delta;
            keys[i] = prev;
            counts[i] = (int)c + 1;
        }
        if (pos != end)
        {
            throw new InvalidDataException($"{end - pos} unexpected bytes at offset {pos}");
        }
        return new NGramCounts(alphabet, order, keys, counts);
    }

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }

    private static ulong ReadVarint(byte[] b, ref int pos, int end)
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= end)
            {
                throw new InvalidDataException($"truncated n-gram model file at offset {pos}");
            }
            byte x = b[pos++];
            v |= (ulong)(x & 0x7F) << shift;
            if (x < 0x80)
            {
                return v;
            }
        }
        throw new InvalidDataException($"bad varint at offset {pos}");
    }
}
