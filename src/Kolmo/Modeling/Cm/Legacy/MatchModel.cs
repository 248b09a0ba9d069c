using Kolmo.Coding;

namespace Kolmo.Modeling.Legacy;

/// <summary>
/// Match model: finds the last occurrence of the most recent <see cref="MinLen"/> bytes and predicts the bit
/// that followed it, for as long as the prediction keeps coming true.
/// <para>Maps: (match length bucket, expected bit) → P(1) through an adaptive <see cref="StateMap"/>; gives the
/// mixer two inputs (that prediction stretched, and a length-scaled vote for the expected bit) and a
/// selector context (<see cref="LengthBucket"/>).</para>
/// <para>Update rule: per byte, a hash of the last MinLen bytes indexes a table of positions in the history
/// buffer; a running match is extended by one byte, a broken one is looked up again and its length counted
/// backwards. A mispredicted bit ends the match for the rest of the byte.</para>
/// <para>Cost: history buffer (bytes) + 4 bytes per index entry; O(1) per bit, O(length) per new match.</para>
/// </summary>
internal sealed class MatchModel
{
    /// <summary>Bytes hashed to find a match candidate.</summary>
    public const int MinLen = 6;

    private const int MaxLen = 65535;
    private readonly byte[] _buf;
    private readonly int _bufMask;
    private readonly int[] _ht;
    private readonly int _htMask;
    private readonly StateMap _sm;
    private int _pos;
    private int _ptr;
    private int _len;
    private int _expectedByte;
    private int _expectedBit;
    private bool _active;

    /// <summary>Creates a model with a history of <paramref name="bufferBytes"/> and <paramref name="indexEntries"/> hash entries (powers of two).</summary>
    public MatchModel(int bufferBytes, int indexEntries)
    {
        _buf = new byte[bufferBytes];
        _bufMask = bufferBytes - 1;
        _ht = new int[indexEntries];
        _htMask = indexEntries - 1;
        _sm = new StateMap(16 * 2 * 256, 1023);
    }

    private MatchModel(MatchModel o)
    {
        _buf = (byte[])o._buf.Clone();
        _bufMask = o._bufMask;
        _ht = (int[])o._ht.Clone();
        _htMask = o._htMask;
        _sm = o._sm.Clone();
        _pos = o._pos;
        _ptr = o._ptr;
        _len = o._len;
        _expectedByte = o._expectedByte;
        _expectedBit = o._expectedBit;
        _active = o._active;
    }

    /// <summary>Bytes used.</summary>
    public long MemoryBytes => _buf.Length + _ht.Length * 4L + _sm.MemoryBytes;

    /// <summary>Current match length in bytes (0 when none, or when the current byte already mismatched).</summary>
    public int Length => _active ? _len : 0;

    /// <summary>The byte the match predicts (valid when <see cref="Length"/> &gt; 0).</summary>
    public int ExpectedByte => _expectedByte;

    /// <summary>Match length quantised to 0..15 (0 = no match).</summary>
    public int LengthBucket
    {
        get
        {
            int l = Length;
            return l == 0 ? 0 : l < 16 ? (l + 1) / 2 : l < 32 ? 8 + (l - 16) / 8 : l < 64 ? 10 + (l - 32) / 16 : l < 512 ? 12 + (l >= 128 ? 1 : 0) + (l >= 256 ? 1 : 0) : 15;
        }
    }

    /// <summary>The history buffer (read-only use by other models).</summary>
    public byte[] Buffer => _buf;

    /// <summary>Mask of the history buffer.</summary>
    public int BufferMask => _bufMask;

    /// <summary>Number of bytes seen.</summary>
    public int Position => _pos;

    /// <summary>Learns a whole byte: appends it to the history and updates the match.</summary>
    public void ByteUpdate(int c)
    {
        _buf[_pos & _bufMask] = (byte)c;
        _pos++;
        if (_len > 0 && _active && _expectedByte == c)
        {
            if (_len < MaxLen)
            {
                _len++;
            }
            _ptr++;
        }
        else
        {
            _len = 0;
        }
        if (_pos >= MinLen)
        {
            uint h = 0;
            for (int k = 1; k <= MinLen; k++)
            {
                h = (h + _buf[(_pos - k) & _bufMask] + 1) * 0x6F4F2A35u;
            }
            int slot = (int)(h >> 8) & _htMask;
            if (_len == 0)
            {
                int cand = _ht[slot];
                if (cand > 0 && _pos - cand < _bufMask)
                {
                    int l = 0;
                    while (l < 400 && l < cand && _buf[(cand - 1 - l) & _bufMask] == _buf[(_pos - 1 - l) & _bufMask])
                    {
                        l++;
                    }
                    if (l >= MinLen)
                    {
                        _len = l;
                        _ptr = cand;
                    }
                }
            }
            _ht[slot] = _pos;
        }
        _active = _len > 0;
        _expectedByte = _active ? _buf[_ptr & _bufMask] : 0;
    }

    /// <summary>Adds the model's inputs for the next bit (c0 = partial byte with a leading 1, bitPos = bits known).</summary>
    public void Predict(Mixer m, int c0, int bitPos)
    {
        if (_active && ((_expectedByte | 256) >> (8 - bitPos)) != c0)
        {
            _active = false;
        }
        if (_active)
        {
            _expectedBit = (_expectedByte >> (7 - bitPos)) & 1;
            int cx = (LengthBucket * 2 + _expectedBit) * 256 + _expectedByte;
            int st = Logistic.Stretch(_sm.P(cx));
            m.Add(st);
            int vote = Math.Min(_len, 32) * 32;
            m.Add(_expectedBit != 0 ? vote : -vote);
        }
        else
        {
            _sm.P(0);
            m.Add(0);
            m.Add(0);
        }
    }

    /// <summary>Learns the bit (updates the state map when a match was active).</summary>
    public void Update(int bit)
    {
        if (_active)
        {
            _sm.Update(bit);
        }
    }

    /// <summary>A deep copy.</summary>
    public MatchModel Clone() => new(this);

    /// <summary>Overwrites the state with <paramref name="o"/>'s (same sizes).</summary>
    public void CopyFrom(MatchModel o)
    {
        if (o._buf.Length != _buf.Length)
        {
            throw new ArgumentException("the tables differ in size", nameof(o));
        }
        if (o._ht.Length != _ht.Length)
        {
            throw new ArgumentException("the tables differ in size", nameof(o));
        }
        o._buf.CopyTo(_buf, 0);
        o._ht.CopyTo(_ht, 0);
        _sm.CopyFrom(o._sm);
        _pos = o._pos;
        _ptr = o._ptr;
        _len = o._len;
        _expectedByte = o._expectedByte;
        _expectedBit = o._expectedBit;
        _active = o._active;
    }
}
