using Kolmo.Coding;
using Kolmo.Compression;
using Kolmo.Modeling;

namespace Kolmo.Decipher;

/// <summary>Scores a candidate plaintext by its code length in bits under some model (lower is better).</summary>
public interface IPlaintextScorer
{
    /// <summary>Short name for tables.</summary>
    string Name { get; }

    /// <summary>The plaintext alphabet.</summary>
    Alphabet Alphabet { get; }

    /// <summary>Code length of <paramref name="plaintext"/> (alphabet indices) in bits.</summary>
    double Bits(ReadOnlySpan<byte> plaintext);
}

/// <summary>Exact (unquantised) code length under a Kneser-Ney n-gram model.</summary>
public sealed class NGramScorer(KneserNeyModel model) : IPlaintextScorer
{
    /// <inheritdoc />
    public string Name => $"kn-order{model.Order}";

    /// <inheritdoc />
    public Alphabet Alphabet => model.Alphabet;

    /// <inheritdoc />
    public double Bits(ReadOnlySpan<byte> plaintext) => model.Bits(plaintext);
}

/// <summary>
/// Code length under one of Kolmo's adaptive byte models: the model is primed once on training text, and each
/// query codes the rendered plaintext (ASCII/UTF-8 bytes, 8 bits each, MSB first) with a clone of the primed
/// state through a <see cref="CountingBitCoder"/>: C(plaintext | training text).
/// </summary>
public sealed class ByteModelScorer : IPlaintextScorer
{
    private readonly IByteModel _primed;

    /// <summary>Wraps a primed model.</summary>
    public ByteModelScorer(IByteModel primed, Alphabet alphabet)
    {
        ArgumentNullException.ThrowIfNull(primed);
        ArgumentNullException.ThrowIfNull(alphabet);
        _primed = primed;
        Alphabet = alphabet;
    }

    /// <inheritdoc />
    public string Name => _primed.Name;

    /// <inheritdoc />
    public Alphabet Alphabet { get; }

    /// <inheritdoc />
    public double Bits(ReadOnlySpan<byte> plaintext)
    {
        var model = _primed.Clone();
        var coder = new CountingBitCoder();
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(Alphabet.Render(plaintext)))
        {
            for (int i = 7; i >= 0; i--)
            {
                int bit = (b >> i) & 1;
                coder.Code(bit, model.P());
                model.Update(bit);
            }
        }
        return coder.Bits;
    }
}

/// <summary>
/// Code length under any <see cref="ICompressor"/>: C(prefix + plaintext) − C(prefix), the conditional code length
/// given a sample of training text as prefix (empty prefix = the plain compressed size). Byte-granular, so
/// only useful for comparisons on longer texts.
/// </summary>
public sealed class CompressorScorer : IPlaintextScorer
{
    private readonly ICompressor _compressor;
    private readonly byte[] _prefix;
    private readonly double _prefixBits;

    /// <summary>Wraps a compressor, conditioning on <paramref name="prefix"/> (rendered text, may be empty).</summary>
    public CompressorScorer(ICompressor compressor, Alphabet alphabet, ReadOnlySpan<byte> prefix)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        ArgumentNullException.ThrowIfNull(alphabet);
        _compressor = compressor;
        Alphabet = alphabet;
        _prefix = System.Text.Encoding.UTF8.GetBytes(alphabet.Render(prefix));
        _prefixBits = _prefix.Length == 0 ? 0 : compressor.CompressedBits(_prefix);
    }

    /// <inheritdoc />
    public string Name => _compressor.Name;

    /// <inheritdoc />
    public Alphabet Alphabet { get; }

    /// <inheritdoc />
    public double Bits(ReadOnlySpan<byte> plaintext)
    {
        byte[] text = System.Text.Encoding.UTF8.GetBytes(Alphabet.Render(plaintext));
        byte[] all = new byte[_prefix.Length + text.Length];
        _prefix.CopyTo(all, 0);
        text.CopyTo(all, _prefix.Length);
        return _compressor.CompressedBits(all) - _prefixBits;
    }
}

/// <summary>
/// Generic one-to-one solver for any <see cref="IPlaintextScorer"/>: simulated annealing over key swaps (initial
/// temperature 4 bits, linear cooling) with random restarts, re-scoring the whole plaintext at every step (no
/// incremental update, so it is slow, but it lets any compressor act as the language model). Deterministic per seed.
/// </summary>
public static class ScorerHillClimber
{
    /// <summary>Returns the best key found (symbol → letter) and its plaintext.</summary>
    /// <exception cref="ArgumentException">More distinct symbols than letters.</exception>
    public static (int[] Key, byte[] Plaintext, double Bits) Solve(Cipher cipher, IPlaintextScorer scorer, int restarts, int steps, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentOutOfRangeException.ThrowIfLessThan(restarts, 1);
        int space = scorer.Alphabet.SpaceIndex;
        int[] letters = [.. Enumerable.Range(0, scorer.Alphabet.Size).Where(l => l != space)];
        if (cipher.FreeSymbolCount > letters.Length)
        {
            throw new ArgumentException($"{cipher.FreeSymbolCount} symbols but only {letters.Length} letters", nameof(cipher));
        }
        int s = cipher.SymbolCount;
        byte[] plain = new byte[cipher.Length];
        (int[] Key, byte[] Plain, double Bits) best = ([], [], double.PositiveInfinity);
        for (int r = 0; r < restarts; r++)
        {
            var rng = new Xoshiro256(seed, (ulong)r);
            // key over letter slots: slot[i] = letter; symbols 0..S−1 (except space) use the first slots
            int[] slot = (int[])letters.Clone();
            for (int i = slot.Length - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (slot[i], slot[j]) = (slot[j], slot[i]);
            }
            int[] symToSlot = new int[s];
            int next = 0;
            for (int sym = 0; sym < s; sym++)
            {
                symToSlot[sym] = sym == cipher.SpaceSymbolId ? -1 : next++;
            }
            double Score()
            {
                for (int i = 0; i < plain.Length; i++)
                {
                    int sym = cipher.Text[i];
                    plain[i] = (byte)(symToSlot[sym] < 0 ? space : slot[symToSlot[sym]]);
                }
                return scorer.Bits(plain);
            }
            double cur = Score();
            double bestCur = cur;
            int[] bestSlot = (int[])slot.Clone();
            for (int it = 0; it < steps; it++)
            {
                double t = 4.0 * (1.0 - it / (double)steps);
                int a = rng.Next(cipher.FreeSymbolCount);
                int b = rng.Next(slot.Length);
                if (a == b)
                {
                    continue;
                }
                (slot[a], slot[b]) = (slot[b], slot[a]);
                double v = Score();
                if (v <= cur || rng.NextDouble() < Math.Exp((cur - v) / t))
                {
                    cur = v;
                    if (cur < bestCur)
                    {
                        bestCur = cur;
                        Array.Copy(slot, bestSlot, slot.Length);
                    }
                }
                else
                {
                    (slot[a], slot[b]) = (slot[b], slot[a]);
                }
            }
            Array.Copy(bestSlot, slot, slot.Length);
            cur = bestCur;
            if (cur < best.Bits)
            {
                Score();
                int[] key = new int[s];
                for (int sym = 0; sym < s; sym++)
                {
                    key[sym] = symToSlot[sym] < 0 ? space : slot[symToSlot[sym]];
                }
                best = (key, (byte[])plain.Clone(), cur);
            }
        }
        return best;
    }
}
