namespace Kolmo.Coding;

/// <summary>
/// One step of multi-symbol range coding, shared by encoder and decoder (as <see cref="IBitCoder"/> is for bits).
/// A distribution is given as integer frequencies; every frequency of a symbol that can occur must be ≥ 1 and
/// their total must be at most <see cref="RangeEncoder.MaxTotal"/>. Models with real-valued outputs
/// (e.g. a softmax) must quantise them deterministically first; <see cref="FrequencyTable.FromProbabilities"/> does that.
/// </summary>
public interface ISymbolCoder
{
    /// <summary>Codes <paramref name="symbol"/> (ignored when decoding) under <paramref name="frequencies"/>.</summary>
    /// <returns>The symbol that was coded.</returns>
    int Code(int symbol, ReadOnlySpan<uint> frequencies, uint total);
}

/// <summary>
/// Range encoder with 64-bit low and carry propagation (Schindler/LZMA style): 32-bit range, bytes are
/// emitted once final, a pending 0xFF run is held in a cache until the carry is known.
/// Cost of a symbol of frequency f out of total T is log2(T/f) bits plus a rounding loss below 2^−16 relative.
/// </summary>
public sealed class RangeEncoder : ISymbolCoder
{
    /// <summary>Largest allowed total frequency (2^16), so the range keeps ≥ 8 bits of precision per symbol.</summary>
    public const uint MaxTotal = 1u << 16;

    private const uint Top = 1u << 24;
    private readonly Stream _output;
    private ulong _low;
    private uint _range = uint.MaxValue;
    private byte _cache;
    private long _cacheSize = 1;
    private bool _flushed;

    /// <summary>Creates an encoder writing to <paramref name="output"/> (left open).</summary>
    public RangeEncoder(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Encodes the interval [<paramref name="cumulative"/>, <paramref name="cumulative"/> + <paramref name="frequency"/>) of <paramref name="total"/>.</summary>
    public void Encode(uint cumulative, uint frequency, uint total)
    {
        System.Diagnostics.Debug.Assert(frequency > 0 && cumulative + frequency <= total && total <= MaxTotal);
        uint r = _range / total;
        _low += (ulong)r * cumulative;
        _range = r * frequency;
        while (_range < Top)
        {
            _range <<= 8;
            ShiftLow();
        }
    }

    /// <inheritdoc />
    public int Code(int symbol, ReadOnlySpan<uint> frequencies, uint total)
    {
        uint cum = 0;
        for (int i = 0; i < symbol; i++)
        {
            cum += frequencies[i];
        }
        Encode(cum, frequencies[symbol], total);
        return symbol;
    }

    /// <summary>Writes the pending bytes. Call once, at the end.</summary>
    public void Flush()
    {
        if (_flushed)
        {
            return;
        }
        _flushed = true;
        for (int i = 0; i < 5; i++)
        {
            ShiftLow();
        }
        _output.Flush();
    }

    private void ShiftLow()
    {
        if ((uint)_low < 0xFF000000u || (_low >> 32) != 0)
        {
            byte carry = (byte)(_low >> 32);
            byte temp = _cache;
            do
            {
                _output.WriteByte((byte)(temp + carry));
                temp = 0xFF;
            }
            while (--_cacheSize != 0);
            _cache = (byte)(_low >> 24);
        }
        _cacheSize++;
        _low = (_low & 0x00FFFFFFu) << 8;
    }
}

/// <summary>Decoder matching <see cref="RangeEncoder"/>; reads past the end of its input as zeros.</summary>
public sealed class RangeDecoder : ISymbolCoder
{
    private const uint Top = 1u << 24;
    private readonly Stream _input;
    private uint _range = uint.MaxValue;
    private uint _code;
    private long _remaining;

    /// <summary>Creates a decoder over the next <paramref name="length"/> bytes of <paramref name="input"/>.</summary>
    public RangeDecoder(Stream input, long length)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _input = input;
        _remaining = length;
        for (int i = 0; i < 5; i++)
        {
            _code = (_code << 8) | Next();
        }
    }

    /// <summary>Returns the cumulative frequency the next symbol falls at; follow with <see cref="Decode"/>.</summary>
    public uint GetFrequency(uint total)
    {
        _range /= total;
        uint v = _code / _range;
        return v < total ? v : total - 1;
    }

    /// <summary>Consumes the symbol whose interval is [<paramref name="cumulative"/>, +<paramref name="frequency"/>).</summary>
    public void Decode(uint cumulative, uint frequency)
    {
        _code -= cumulative * _range;
        _range *= frequency;
        while (_range < Top)
        {
            _code = (_code << 8) | Next();
            _range <<= 8;
        }
    }

    /// <inheritdoc />
    public int Code(int symbol, ReadOnlySpan<uint> frequencies, uint total)
    {
        uint target = GetFrequency(total);
        uint cum = 0;
        int s = 0;
        while (cum + frequencies[s] <= target)
        {
            cum += frequencies[s];
            s++;
        }
        Decode(cum, frequencies[s]);
        return s;
    }

    private uint Next()
    {
        if (_remaining <= 0)
        {
            return 0;
        }
        _remaining--;
        int b = _input.ReadByte();
        if (b < 0)
        {
            throw new InvalidDataException("Compressed data is truncated.");
        }
        return (uint)b;
    }
}

/// <summary>Deterministic quantisation of a probability vector into range-coder frequencies.</summary>
public static class FrequencyTable
{
    /// <summary>
    /// Quantises <paramref name="probabilities"/> (non-negative, any sum &gt; 0) to integer frequencies that
    /// sum to exactly <paramref name="total"/>, each ≥ 1. Uses only float→int conversions in a fixed order,
    /// so the result is identical wherever the input floats are identical.
    /// </summary>
    public static void FromProbabilities(ReadOnlySpan<float> probabilities, Span<uint> frequencies, uint total = RangeEncoder.MaxTotal)
    {
        int n = probabilities.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(frequencies.Length, n, nameof(frequencies));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(total, RangeEncoder.MaxTotal);
        ArgumentOutOfRangeException.ThrowIfLessThan(total, (uint)(2 * n));
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += probabilities[i];
        }
        uint spare = total - (uint)n;   // every symbol gets 1, the rest is shared in proportion
        uint used = 0;
        int argmax = 0;
        for (int i = 0; i < n; i++)
        {
            uint f = 1 + (uint)(spare * (probabilities[i] / sum));
            frequencies[i] = f;
            used += f;
            if (probabilities[i] > probabilities[argmax])
            {
                argmax = i;
            }
        }
        // Rounding leaves used ≤ total; give the remainder to the most likely symbol.
        if (used <= total)
        {
            frequencies[argmax] += total - used;
        }
        else
        {
            frequencies[argmax] -= used - total;
        }
    }
}
