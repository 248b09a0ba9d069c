namespace Kolmo.Modeling;

/// <summary>The byte contexts a cm level can hash (see <see cref="ContextState.Compute"/> for what each one hashes).</summary>
internal enum CmContext : byte
{
    Order2,
    Order3,
    Order4,
    Order5,
    Order6,
    Order7,
    Order8,
    Order12,
    Order16,
    Order24,
    Word,
    WordPair,
    WordTriple,
    WordSkip,
    TextColumn,
    Sparse23,
    Sparse13,
    Sparse34,
    Sparse24,
    RecordAbove,
    RecordAround,
    RecordTwoAbove,
    RecordColumn,
    Indirect1,
    Indirect2,
    Distances,
    Nesting,
    Indirect3,
    WordPairByte,
    Sparse14,
    WordOrder2,
    IndirectWord,
}

/// <summary>
/// Byte-level context state of <see cref="CmModel"/>: recent bytes, case-folded word hashes, line and record
/// positions and the column, the detected record length, the bracket depth, the distances to the last space and
/// punctuation mark, and the indirect tables (what followed the last one and two bytes, a hash of the last three, and a
/// hash of the current word); <see cref="Compute"/> turns them into one 32-bit hash per context of the level.
/// <para>Record length: for every byte value the distance to its previous occurrence is kept; the same distance
/// seen twice in a row for one value is a vote, and 8 consecutive votes for one distance (2..65535) make it the
/// record length (paq8's record-model idea, our rule).</para>
/// <para>Cost: O(contexts) integer operations per byte; 128 KiB of indirect tables (384 KiB at levels 8–9) and 2 KiB of record tables.</para>
/// </summary>
internal sealed class ContextState
{
    /// <summary>Fixed bytes of the tables here, with or without the order-3 and word indirect tables.</summary>
    public static long MemoryBytes(bool moreIndirect) => 65536 * 2 * (moreIndirect ? 3 : 1) + 256 * 2 + 256 * 8;

    private readonly ushort[] _ind1 = new ushort[256];
    private readonly ushort[] _ind2 = new ushort[65536];
    private readonly ushort[]? _ind3;
    private readonly ushort[]? _indWord;
    private readonly int[] _lastPos = new int[256];
    private readonly int[] _lastDist = new int[256];
    private uint _c4;
    private uint _c8;
    private ulong _c16;
    private uint _word0;
    private uint _word1;
    private uint _word2;
    private int _lineStart;
    private int _prevLineStart;
    private int _rCand;
    private int _rHits;
    private int _rlen;
    private int _depth;
    private ulong _openers;
    private int _lastSpace;
    private int _lastPunctuation;
    private int _column;

    /// <summary>Creates the state; <paramref name="moreIndirect"/> keeps the tables of the
    /// <see cref="CmContext.Indirect3"/> and <see cref="CmContext.IndirectWord"/> contexts (levels 8–9).</summary>
    public ContextState(bool moreIndirect = false)
    {
        if (moreIndirect)
        {
            _ind3 = new ushort[65536];
            _indWord = new ushort[65536];
        }
    }

    private ContextState(ContextState o)
        : this(o._ind3 != null)
    {
        CopyFrom(o);
    }

    /// <summary>Whether <paramref name="contexts"/> need the order-3 or word indirect table.</summary>
    public static bool NeedsMoreIndirect(ReadOnlySpan<CmContext> contexts) =>
        contexts.Contains(CmContext.Indirect3) || contexts.Contains(CmContext.IndirectWord);

    /// <summary>The previous byte.</summary>
    public int C1 => (int)(_c4 & 255);

    /// <summary>The last four bytes, most recent lowest.</summary>
    public uint C4 => _c4;

    /// <summary>The detected record length (0 = none).</summary>
    public int RecordLength => _rlen;

    /// <summary>Bytes since the last line start: the column of the next byte.</summary>
    public int Column => _column;

    /// <summary>Hash of the current word so far (0 between words).</summary>
    public uint Word0 => _word0;

    /// <summary>Learns byte <paramref name="c"/> (already appended to the match model's history).</summary>
    public void ByteUpdate(int c, MatchModel match)
    {
        uint c2 = _c4 & 0xFF;
        uint c3 = (_c4 >> 8) & 0xFF;
        _ind1[c2] = (ushort)((_ind1[c2] << 8) | c);
        _ind2[(c3 << 8) | c2] = (ushort)((_ind2[(c3 << 8) | c2] << 8) | c);
        if (_ind3 != null && _indWord != null)
        {
            int k3 = Key3(_c4);
            _ind3[k3] = (ushort)((_ind3[k3] << 8) | c);
            int kw = KeyWord(_word0);
            _indWord[kw] = (ushort)((_indWord[kw] << 8) | c);
        }
        _c16 = (_c16 << 8) | (_c8 >> 24);
        _c8 = (_c8 << 8) | (_c4 >> 24);
        _c4 = (_c4 << 8) | (uint)c;

        int lc = c >= 'A' && c <= 'Z' ? c + 32 : c;
        if ((lc >= 'a' && lc <= 'z') || c >= 128)
        {
            _word0 = (_word0 + (uint)lc + 1) * 0x3D4D51CBu;
        }
        else if (_word0 != 0)
        {
            _word2 = _word1;
            _word1 = _word0;
            _word0 = 0;
        }

        int pos = match.Position;
        if (c is '(' or '[' or '{')
        {
            _depth++;
            _openers = (_openers << 8) | (uint)c;
        }
        else if (c is ')' or ']' or '}' && _depth > 0)
        {
            _depth--;
            _openers >>= 8;
        }
        if (c is ' ' or '\n' or '\t')
        {
            _lastSpace = pos;
        }
        else if (c is '.' or ',' or ';' or ':' or '!' or '?')
        {
            _lastPunctuation = pos;
        }
        if (c == '\n')
        {
            _prevLineStart = _lineStart;
            _lineStart = pos;
        }
        _column = pos - _lineStart;
        int d = pos - _lastPos[c];
        if (d == _lastDist[c] && d >= 2 && d <= 65535)
        {
            if (d == _rCand)
            {
                if (++_rHits >= 8)
                {
                    _rlen = d;
                }
            }
            else
            {
                _rCand = d;
                _rHits = 1;
            }
        }
        _lastDist[c] = d;
        _lastPos[c] = pos;
    }

    /// <summary>Writes the hashes of <paramref name="contexts"/> for the next byte into <paramref name="h"/>.</summary>
    public void Compute(ReadOnlySpan<CmContext> contexts, Span<uint> h, MatchModel match)
    {
        uint c4 = _c4;
        var buf = match.Buffer;
        int mask = match.BufferMask;
        int pos = match.Position;
        int r = _rlen;
        for (int i = 0; i < contexts.Length; i++)
        {
            int k = (int)contexts[i];
            h[i] = contexts[i] switch
            {
                CmContext.Order2 => Hash(k, c4 & 0xFFFF, 0),
                CmContext.Order3 => Hash(k, c4 & 0xFFFFFF, 0),
                CmContext.Order4 => Hash(k, c4, 0),
                CmContext.Order5 => Hash(k, c4, _c8 & 0xFF),
                CmContext.Order6 => Hash(k, c4, _c8 & 0xFFFF),
                CmContext.Order7 => Hash(k, c4, _c8 & 0xFFFFFF),
                CmContext.Order8 => Hash(k, c4, _c8),
                CmContext.Order12 => Hash(k, c4, _c8 ^ (uint)(_c16 & 0xFFFFFFFF) * 0x2E5BF271u),
                CmContext.Order16 => Hash(k, c4, _c8 ^ (uint)((_c16 & 0xFFFFFFFF) * 0x2E5BF271u ^ (_c16 >> 32) * 0x6A09E667u)),
                CmContext.Order24 => Hash(k, c4 ^ Tail24(buf, pos, mask), _c8 ^ (uint)(_c16 * 0x9E3779B97F4A7C15ul >> 32)),
                CmContext.Word => Hash(k, _word0, c4 & 0xFF),
                CmContext.WordPair => Hash(k, _word0, _word1),
                CmContext.WordTriple => Hash(k, _word0 ^ _word2 * 0x7FEB352Du, _word1),
                CmContext.WordSkip => Hash(k, _word0, _word2),
                CmContext.TextColumn => Hash(k, (uint)Math.Min(pos - _lineStart, 255) | (Above(buf, mask, pos, pos - _lineStart, _prevLineStart, _lineStart) << 8), c4 & 0xFF),
                CmContext.Sparse23 => Hash(k, (c4 >> 8) & 0xFFFF, 0),
                CmContext.Sparse13 => Hash(k, c4 & 0xFF00FF, 0),
                CmContext.Sparse34 => Hash(k, c4 & 0xFFFF0000, 0),
                CmContext.Sparse24 => Hash(k, c4 & 0xFF00FF00, 0),
                CmContext.RecordAbove => Hash(k, (r > 0 ? buf[(pos - r) & mask] : 0u) | ((uint)r << 8), c4 & 0xFF),
                CmContext.RecordAround => Hash(k, r > 0 ? buf[(pos - r) & mask] | ((uint)buf[(pos - r - 1) & mask] << 8) | ((uint)buf[(pos - r + 1) & mask] << 16) : 0u, (uint)r),
                CmContext.RecordTwoAbove => Hash(k, r > 0 ? buf[(pos - r) & mask] | ((uint)buf[(pos - 2 * r) & mask] << 8) : 0u, (uint)r),
                CmContext.RecordColumn => Hash(k, r > 0 ? (uint)(pos % r) | ((uint)buf[(pos - r) & mask] << 16) : 0u, (uint)r),
                CmContext.Indirect1 => Hash(k, (c4 & 0xFF) | ((uint)_ind1[c4 & 0xFF] << 8), 0),
                CmContext.Indirect2 => Hash(k, (c4 & 0xFFFF) | ((uint)_ind2[c4 & 0xFFFF] << 16), 0),
                CmContext.Distances => Hash(k, (uint)Math.Min(pos - _lastSpace, 31) | ((uint)Math.Min(pos - _lastPunctuation, 63) << 8) | ((c4 & 0xFF) << 16), 0),
                CmContext.Nesting => Hash(k, (uint)Math.Min(_depth, 15) | (uint)((_openers & 0xFF) << 8) | ((c4 & 0xFF) << 16), 0),
                CmContext.Indirect3 => Hash(k, c4 & 0xFFFFFF, _ind3![Key3(c4)]),
                CmContext.WordPairByte => Hash(k, _word0 ^ (c4 & 0xFF) * 0x6A09E667u, _word1),
                CmContext.Sparse14 => Hash(k, c4 & 0xFF0000FF, 0),
                CmContext.WordOrder2 => Hash(k, _word1, c4 & 0xFFFF),
                CmContext.IndirectWord => Hash(k, _word0, _indWord![KeyWord(_word0)]),
                _ => throw new InvalidOperationException($"unknown context {contexts[i]}"),
            };
        }
    }

    /// <summary>The 16-bit key of the last three bytes in the order-3 indirect table.</summary>
    private static int Key3(uint c4) => (int)(((c4 & 0xFFFFFF) * 0x9E3779B1u) >> 16);

    /// <summary>The 16-bit key of a word hash in the word indirect table.</summary>
    private static int KeyWord(uint word) => (int)((word * 0x2545F491u) >> 16);

    private static uint Tail24(byte[] buf, int pos, int mask)
    {
        uint t = 0;
        for (int k = 17; k <= 24; k++)
        {
            t = (t << 4) ^ buf[(pos - k) & mask];
        }
        return t * 0x2545F491u;
    }

    /// <summary>The byte in the previous line at the same column (0 when that line is shorter).</summary>
    private static uint Above(byte[] buf, int mask, int pos, int column, int prevStart, int lineStart)
    {
        int at = prevStart + column;
        return at < lineStart && pos - at <= mask ? buf[at & mask] : 0u;
    }

    /// <summary>Mixes a context number and two words into a 32-bit hash (low 8 bits: check byte; higher: bucket).</summary>
    private static uint Hash(int i, uint a, uint b)
    {
        uint h = (a + 0x9E3779B9u * (uint)(i + 1)) * 0x85EBCA6Bu;
        h ^= h >> 13;
        h = (h + b * 0x27D4EB2Fu + (uint)i) * 0xC2B2AE35u;
        h ^= h >> 16;
        return h;
    }

    /// <summary>A deep copy.</summary>
    public ContextState Clone() => new(this);

    /// <summary>Overwrites the state with <paramref name="o"/>'s.</summary>
    public void CopyFrom(ContextState o)
    {
        o._ind1.CopyTo(_ind1, 0);
        o._ind2.CopyTo(_ind2, 0);
        if (o._ind3 is not null != _ind3 is not null)
        {
            throw new ArgumentException("the states differ in their tables", nameof(o));
        }
        o._ind3?.CopyTo(_ind3!, 0);
        o._indWord?.CopyTo(_indWord!, 0);
        o._lastPos.CopyTo(_lastPos, 0);
        o._lastDist.CopyTo(_lastDist, 0);
        _c4 = o._c4;
        _c8 = o._c8;
        _c16 = o._c16;
        _word0 = o._word0;
        _word1 = o._word1;
        _word2 = o._word2;
        _lineStart = o._lineStart;
        _prevLineStart = o._prevLineStart;
        _rCand = o._rCand;
        _rHits = o._rHits;
        _rlen = o._rlen;
        _depth = o._depth;
        _openers = o._openers;
        _lastSpace = o._lastSpace;
        _lastPunctuation = o._lastPunctuation;
        _column = o._column;
    }
}
