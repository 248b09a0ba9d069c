namespace Kolmo.Modeling.Legacy;

/// <summary>
/// Byte-level context state of <see cref="LegacyCmModel"/>: recent bytes, case-folded word hashes, the detected
/// record length, and the indirect tables; <see cref="Compute"/> turns them into one 32-bit hash per context.
/// <para>Contexts (index: what is hashed). Fast set: 0 order 1, 1 order 2, 2 order 3, 3 order 4, 4 order 5,
/// 5 order 6, 6 current word (letters folded to lower case) + previous byte, 7 order 0. Full set adds
/// 8 order 8, 9 current + previous word, 10–12 sparse (bytes 2–3, bytes 1 and 3, bytes 3–4),
/// 13–14 record/column (byte one record above with the previous byte; the three bytes around it above),
/// 15–16 indirect (the last two bytes that followed the previous byte / the previous two bytes, with them).</para>
/// <para>Record length: for each byte value the distance to its previous occurrence is kept; a distance seen
/// twice in a row for the same value is a vote, and after 8 consecutive votes for the same distance (2..65535)
/// it becomes the record length (paq8's record-model idea, our rule).</para>
/// <para>Cost: O(contexts) integer ops per byte; 128 KiB of indirect table and 2 KiB of record tables.</para>
/// </summary>
internal sealed class ContextState
{
    /// <summary>Contexts of the fast set.</summary>
    public const int FastCount = 8;

    /// <summary>Contexts of the full set.</summary>
    public const int FullCount = 17;

    /// <summary>Fixed bytes of the tables here.</summary>
    public const long MemoryBytes = 65536 * 2 + 256 * 2 + 256 * 8;

    private readonly bool _full;
    private readonly ushort[] _ind1 = new ushort[256];
    private readonly ushort[] _ind2 = new ushort[65536];
    private readonly int[] _lastPos = new int[256];
    private readonly int[] _lastDist = new int[256];
    private uint _c4;
    private uint _c8;
    private uint _word0;
    private uint _word1;
    private int _rCand;
    private int _rHits;
    private int _rlen;

    public ContextState(bool full) => _full = full;

    private ContextState(ContextState o)
    {
        _full = o._full;
        CopyFrom(o);
    }

    /// <summary>The previous byte.</summary>
    public int C1 => (int)(_c4 & 255);

    /// <summary>The last four bytes, most recent lowest.</summary>
    public uint C4 => _c4;

    /// <summary>The detected record length (0 = none).</summary>
    public int RecordLength => _rlen;

    /// <summary>Learns byte <paramref name="c"/> (already appended to the match model's history).</summary>
    public void ByteUpdate(int c, MatchModel match)
    {
        uint c2 = _c4 & 0xFF;
        uint c3 = (_c4 >> 8) & 0xFF;
        _ind1[c2] = (ushort)((_ind1[c2] << 8) | c);
        _ind2[(c3 << 8) | c2] = (ushort)((_ind2[(c3 << 8) | c2] << 8) | c);
        _c8 = (_c8 << 8) | (_c4 >> 24);
        _c4 = (_c4 << 8) | (uint)c;

        int lc = c >= 'A' && c <= 'Z' ? c + 32 : c;
        if (lc >= 'a' && lc <= 'z')
        {
            _word0 = (_word0 + (uint)lc + 1) * 0x3D4D51CBu;
        }
        else if (_word0 != 0)
        {
            _word1 = _word0;
            _word0 = 0;
        }

        int pos = match.Position;
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

    /// <summary>Writes the context hashes for the next byte into <paramref name="h"/>.</summary>
    public void Compute(uint[] h, MatchModel match)
    {
        uint c4 = _c4;
        h[0] = Hash(0, c4 & 0xFF, 0);
        h[1] = Hash(1, c4 & 0xFFFF, 0);
        h[2] = Hash(2, c4 & 0xFFFFFF, 0);
        h[3] = Hash(3, c4, 0);
        h[4] = Hash(4, c4, _c8 & 0xFF);
        h[5] = Hash(5, c4, _c8 & 0xFFFF);
        h[6] = Hash(6, _word0, c4 & 0xFF);
        h[7] = Hash(7, 0, 0);
        if (!_full)
        {
            return;
        }
        h[8] = Hash(8, c4, _c8);
        h[9] = Hash(9, _word0, _word1);
        h[10] = Hash(10, (c4 >> 8) & 0xFFFF, 0);
        h[11] = Hash(11, c4 & 0xFF00FF, 0);
        h[12] = Hash(12, c4 & 0xFFFF0000, 0);
        var buf = match.Buffer;
        int mask = match.BufferMask;
        int pos = match.Position;
        int r = _rlen;
        uint above = r > 0 ? buf[(pos - r) & mask] : 0u;
        uint aboveL = r > 0 ? buf[(pos - r - 1) & mask] : 0u;
        uint aboveR = r > 0 ? buf[(pos - r + 1) & mask] : 0u;
        h[13] = Hash(13, above | ((uint)r << 8), c4 & 0xFF);
        h[14] = Hash(14, above | (aboveL << 8) | (aboveR << 16), (uint)r);
        uint c1 = c4 & 0xFF;
        h[15] = Hash(15, c1 | ((uint)_ind1[c1] << 8), 0);
        uint c21 = c4 & 0xFFFF;
        h[16] = Hash(16, c21 | ((uint)_ind2[c21] << 16), 0);
    }

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

    /// <summary>Overwrites the state with <paramref name="o"/>'s (same context set).</summary>
    public void CopyFrom(ContextState o)
    {
        if (o._full != _full)
        {
            throw new ArgumentException("the context sets differ", nameof(o));
        }
        o._ind1.CopyTo(_ind1, 0);
        o._ind2.CopyTo(_ind2, 0);
        o._lastPos.CopyTo(_lastPos, 0);
        o._lastDist.CopyTo(_lastDist, 0);
        _c4 = o._c4;
        _c8 = o._c8;
        _word0 = o._word0;
        _word1 = o._word1;
        _rCand = o._rCand;
        _rHits = o._rHits;
        _rlen = o._rlen;
    }
}
