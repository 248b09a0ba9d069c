namespace Kolmo.Compression.Panel;

/// <summary>
/// Walks the block structure of a raw deflate stream (RFC 1951) without producing output, to find where it ends.
/// Raw deflate has no length or checksum, and zlib's stream reader accepts input that simply stops, so this is how
/// <see cref="DeflateCodec"/> tells a complete stream from a truncated one. Huffman codes are decoded one bit at a
/// time with canonical-code counting (RFC 1951 §3.2.2): simple, and fast enough for a check.
/// </summary>
public static class DeflateScanner
{
    private static readonly int[] LengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
    private static readonly int[] DistExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
    private static readonly int[] CodeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

    /// <summary>Returns the length in bytes of the deflate stream at the start of <paramref name="data"/>.</summary>
    /// <exception cref="InvalidDataException">The stream is truncated or malformed.</exception>
    public static int FindEnd(ReadOnlySpan<byte> data)
    {
        var r = new BitReader(data);
        var lengths = new int[320];
        bool final;
        do
        {
            final = r.Bits(1) == 1;
            int type = r.Bits(2);
            if (type == 0)
            {
                r.AlignToByte();
                int len = r.Bits(16);
                int nlen = r.Bits(16);
                if (len != (~nlen & 0xFFFF))
                {
                    throw new InvalidDataException("deflate: stored block length check failed");
                }
                r.SkipBytes(len);
                continue;
            }
            Huffman lit, dist;
            if (type == 1)
            {
                for (int i = 0; i < 288; i++)
                {
                    lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
                }
                lit = new Huffman(lengths.AsSpan(0, 288));
                Array.Fill(lengths, 5, 0, 30);
                dist = new Huffman(lengths.AsSpan(0, 30));
            }
            else if (type == 2)
            {
                int hlit = r.Bits(5) + 257;
                int hdist = r.Bits(5) + 1;
                int hclen = r.Bits(4) + 4;
                Array.Clear(lengths);
                for (int i = 0; i < hclen; i++)
                {
                    lengths[CodeLengthOrder[i]] = r.Bits(3);
                }
                var lencode = new Huffman(lengths.AsSpan(0, 19));
                Array.Clear(lengths);
                int n = 0;
                while (n < hlit + hdist)
                {
                    int sym = lencode.Decode(ref r);
                    if (sym < 16)
                    {
                        lengths[n++] = sym;
                        continue;
                    }
                    int value = 0, repeat;
                    if (sym == 16)
                    {
                        if (n == 0)
                        {
                            throw new InvalidDataException("deflate: repeat with no previous length");
                        }
                        value = lengths[n - 1];
                        repeat = 3 + r.Bits(2);
                    }
                    else
                    {
                        repeat = sym == 17 ? 3 + r.Bits(3) : 11 + r.Bits(7);
                    }
                    if (n + repeat > hlit + hdist)
                    {
                        throw new InvalidDataException("deflate: too many code lengths");
                    }
                    while (repeat-- > 0)
                    {
                        lengths[n++] = value;
                    }
                }
                lit = new Huffman(lengths.AsSpan(0, hlit));
                dist = new Huffman(lengths.AsSpan(hlit, hdist));
            }
            else
            {
                throw new InvalidDataException("deflate: invalid block type 3");
            }
            while (true)
            {
                int sym = lit.Decode(ref r);
                if (sym < 256)
                {
                    continue;
                }
                if (sym == 256)
                {
                    break;
                }
                sym -= 257;
                if (sym >= 29)
                {
                    throw new InvalidDataException("deflate: invalid length code");
                }
                r.Bits(LengthExtra[sym]);
                int d = dist.Decode(ref r);
                if (d >= 30)
                {
                    throw new InvalidDataException("deflate: invalid distance code");
                }
                r.Bits(DistExtra[d]);
            }
        }
        while (!final);
        return r.BytesUsed;
    }

    private ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private long _bit;

        public readonly int BytesUsed => (int)((_bit + 7) >> 3);

        public int Bits(int n)
        {
            if (_bit + n > 8L * _data.Length)
            {
                throw new InvalidDataException("deflate: compressed data is truncated");
            }
            int v = 0;
            for (int i = 0; i < n; i++, _bit++)
            {
                v |= ((_data[(int)(_bit >> 3)] >> (int)(_bit & 7)) & 1) << i;
            }
            return v;
        }

        public void AlignToByte() => _bit = (_bit + 7) & ~7L;

        public void SkipBytes(int n)
        {
            if (_bit + 8L * n > 8L * _data.Length)
            {
                throw new InvalidDataException("deflate: compressed data is truncated");
            }
            _bit += 8L * n;
        }
    }

    /// <summary>A canonical Huffman code: how many codes of each length, and the symbols in code order.</summary>
    private sealed class Huffman
    {
        private readonly int[] _count = new int[16];
        private readonly int[] _symbol;

        public Huffman(ReadOnlySpan<int> lengths)
        {
            _symbol = new int[lengths.Length];
            foreach (int l in lengths)
            {
                _count[l]++;
            }
            _count[0] = 0;
            Span<int> offset = stackalloc int[16];
            for (int len = 1; len < 15; len++)
            {
                offset[len + 1] = offset[len] + _count[len];
            }
            for (int s = 0; s < lengths.Length; s++)
            {
                if (lengths[s] != 0)
                {
                    _symbol[offset[lengths[s]]++] = s;
                }
            }
        }

        public int Decode(ref BitReader r)
        {
            int code = 0, first = 0, index = 0;
            for (int len = 1; len <= 15; len++)
            {
                code |= r.Bits(1);
                int count = _count[len];
                if (code - first < count)
                {
                    return _symbol[index + code - first];
                }
                index += count;
                first = (first + count) << 1;
                code <<= 1;
            }
            throw new InvalidDataException("deflate: invalid Huffman code");
        }
    }
}
