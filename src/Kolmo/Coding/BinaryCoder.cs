namespace Kolmo.Coding;

/// <summary>
/// One step of binary arithmetic coding, shared by encoder and decoder so that a model is driven through
/// exactly the same code path in both directions:
/// <code>bit = coder.Code(bit, model.P()); model.Update(bit);</code>
/// The encoder codes <c>bit</c> and returns it; the decoder ignores the argument and returns the decoded bit.
/// </summary>
public interface IBitCoder
{
    /// <summary>Codes one bit with P(bit = 1) = <paramref name="p1"/> / 65536, <paramref name="p1"/> in [1, 65535].</summary>
    /// <param name="bit">The bit to encode (0 or 1); ignored when decoding.</param>
    /// <param name="p1">P(1) on the 16-bit scale of <see cref="Probability"/>.</param>
    /// <returns>The bit that was coded.</returns>
    int Code(int bit, int p1);
}

/// <summary>
/// 32-bit carry-less binary arithmetic encoder (the lpaq/paq family's coder, with 16-bit probabilities).
/// State: an interval [x1, x2] of 32-bit values. Coding bit 1 keeps the lower part of size ≈ (x2 − x1)·p,
/// bit 0 the rest. Whenever x1 and x2 agree in their top byte, that byte is final and is written.
/// <see cref="Flush"/> writes one last byte; the decoder pads past the end of its input with 0xFF,
/// so the decoder must be given exactly the bytes of this coder's output (the container records the length).
/// Cost: O(1) per bit, no allocation after construction.
/// </summary>
public sealed class ArithmeticEncoder : IBitCoder
{
    private readonly Stream _output;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _count;
    private uint _x1;
    private uint _x2 = uint.MaxValue;
    private long _bytesWritten;
    private bool _flushed;

    /// <summary>Creates an encoder writing to <paramref name="output"/> (left open).</summary>
    public ArithmeticEncoder(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Bytes produced so far, including those still buffered.</summary>
    public long BytesWritten => _bytesWritten + _count;

    /// <inheritdoc />
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public int Code(int bit, int p1)
    {
        System.Diagnostics.Debug.Assert(p1 >= Probability.Min && p1 <= Probability.Max);
        uint xmid = _x1 + (uint)(((ulong)(_x2 - _x1) * (uint)p1) >> Probability.Bits);
        if (bit != 0)
        {
            _x2 = xmid;
        }
        else
        {
            _x1 = xmid + 1;
        }
        while (((_x1 ^ _x2) & 0xFF000000u) == 0)
        {
            Put((byte)(_x2 >> 24));
            _x1 <<= 8;
            _x2 = (_x2 << 8) | 0xFF;
        }
        return bit;
    }

    /// <summary>Encodes <paramref name="value"/> as <paramref name="bits"/> bits (MSB first) at probability ½ each.</summary>
    public void EncodeUniform(uint value, int bits)
    {
        for (int i = bits - 1; i >= 0; i--)
        {
            Code((int)(value >> i) & 1, Probability.Half);
        }
    }

    /// <summary>Writes the final byte and flushes buffered output to the stream. Call once, at the end.</summary>
    public void Flush()
    {
        if (_flushed)
        {
            return;
        }
        _flushed = true;
        Put((byte)(_x1 >> 24));
        FlushBuffer();
        _output.Flush();
    }

    private void Put(byte b)
    {
        if (_count == _buffer.Length)
        {
            FlushBuffer();
        }
        _buffer[_count++] = b;
    }

    private void FlushBuffer()
    {
        _output.Write(_buffer, 0, _count);
        _bytesWritten += _count;
        _count = 0;
    }
}

/// <summary>
/// Decoder matching <see cref="ArithmeticEncoder"/>. Reads at most <c>length</c> bytes from its input and
/// behaves as if 0xFF bytes followed them — but at most <see cref="MaxPadding"/> of them: the decoder shifts in a
/// byte exactly when the encoder shifted one out, and it starts with 4, so decoding what an encoder of <c>n</c>
/// bytes wrote (n − 1 shifted + 1 flushed) reads exactly n + 3 bytes. Needing a fourth byte past the end proves the
/// input corrupt, so the decoder throws instead of inventing data: the work it does is bounded by the bytes it is
/// given (each byte read narrows the interval by 2^8, each bit by at least −log2(p_max / 65536)).
/// </summary>
public sealed class ArithmeticDecoder : IBitCoder
{
    /// <summary>Bytes past the end of the input a valid stream can make the decoder read (3).</summary>
    public const int MaxPadding = 3;

    /// <summary>Size of the read buffer a decoder needs (<see cref="ArithmeticDecoder(Stream, long, byte[])"/>): 4 KiB.</summary>
    public const int BufferBytes = 1 << 12;

    private readonly Stream _input;
    private readonly byte[] _buffer;
    private readonly long _length;
    private int _pos;
    private int _end;
    private long _remaining;
    private int _padding;
    private uint _x1;
    private uint _x2 = uint.MaxValue;
    private uint _x;

    /// <summary>Creates a decoder over the next <paramref name="length"/> bytes of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="InvalidDataException">The input ends before <paramref name="length"/> bytes.</exception>
    public ArithmeticDecoder(Stream input, long length)
        : this(input, length, new byte[BufferBytes])
    {
    }

    /// <summary>
    /// Creates a decoder over the next <paramref name="length"/> bytes of <paramref name="input"/> that reads through
    /// <paramref name="buffer"/> (at least <see cref="BufferBytes"/>; its contents do not matter), so that a caller
    /// decoding block after block allocates no buffer per block. The buffer must not be shared with a decoder in use.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative, or the buffer is smaller than <see cref="BufferBytes"/>.</exception>
    /// <exception cref="InvalidDataException">The input ends before <paramref name="length"/> bytes.</exception>
    public ArithmeticDecoder(Stream input, long length, byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(buffer.Length, BufferBytes);
        _buffer = buffer;
        _input = input;
        _length = length;
        _remaining = length;
        for (int i = 0; i < 4; i++)
        {
            _x = (_x << 8) | Next();
        }
    }

    /// <summary>Creates a decoder over a whole buffer.</summary>
    public ArithmeticDecoder(byte[] data)
        : this(new MemoryStream(data ?? throw new ArgumentNullException(nameof(data)), writable: false), data.Length)
    {
    }

    /// <summary>Bytes of the input consumed so far (at most <c>length</c>), not counting padding.</summary>
    public long BytesRead => _length - _remaining - (_end - _pos);

    /// <summary>
    /// Checks that decoding ended exactly where the encoder's output ends: every input byte consumed, exactly
    /// <see cref="MaxPadding"/> padding bytes read, and the last byte the one the encoder's <c>Flush</c> writes (the
    /// top byte of the interval's low end, which the decoder tracks exactly). Any value of that byte inside the final
    /// interval would decode the same bits, so without the last check some changes to it would go unnoticed; with it,
    /// two inputs that decode to the same bits are the same bytes (every other byte leaves the window as the top byte
    /// the interval's ends agree on). Call after the last bit.
    /// </summary>
    /// <exception cref="InvalidDataException">The input holds bytes the encoder did not write (a wrong length or corrupt data).</exception>
    public void CheckEnd()
    {
        if (_padding != MaxPadding || BytesRead != _length)
        {
            // bytes consumed, counting the padding, are length + MaxPadding exactly when the input ends where the encoder's did
            throw new InvalidDataException($"coded data ends after {BytesRead + _padding - MaxPadding} of its {_length} bytes (corrupt data or length)");
        }
        if ((_x >> 24) != (_x1 >> 24))
        {
            // _x holds the last byte followed by the three padding bytes
            throw new InvalidDataException($"coded data's last byte is 0x{_x >> 24:X2}, not the 0x{_x1 >> 24:X2} its encoder ends with (corrupt data)");
        }
    }

    /// <inheritdoc />
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public int Code(int bit, int p1)
    {
        uint xmid = _x1 + (uint)(((ulong)(_x2 - _x1) * (uint)p1) >> Probability.Bits);
        int y;
        if (_x <= xmid)
        {
            y = 1;
            _x2 = xmid;
        }
        else
        {
            y = 0;
            _x1 = xmid + 1;
        }
        while (((_x1 ^ _x2) & 0xFF000000u) == 0)
        {
            _x1 <<= 8;
            _x2 = (_x2 << 8) | 0xFF;
            _x = (_x << 8) | Next();
        }
        return y;
    }

    /// <summary>Decodes a value written by <see cref="ArithmeticEncoder.EncodeUniform"/>.</summary>
    public uint DecodeUniform(int bits)
    {
        uint v = 0;
        for (int i = 0; i < bits; i++)
        {
            v = (v << 1) | (uint)Code(0, Probability.Half);
        }
        return v;
    }

    private uint Next() => _pos != _end ? _buffer[_pos++] : Refill();

    /// <summary>The slow path of <see cref="Next"/>: the buffer is empty.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private uint Refill()
    {
        if (_remaining <= 0)
        {
            if (++_padding > MaxPadding)
            {
                throw new InvalidDataException($"coded data needs more than its {_length} bytes (corrupt data)");
            }
            return 0xFF;
        }
        int want = (int)Math.Min(_buffer.Length, _remaining);
        _end = _input.Read(_buffer, 0, want);
        _pos = 0;
        if (_end <= 0)
        {
            _end = 0;
            throw new InvalidDataException("Compressed data is truncated.");
        }
        _remaining -= _end;
        return _buffer[_pos++];
    }
}
