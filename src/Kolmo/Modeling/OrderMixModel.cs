using Kolmo.Coding;

namespace Kolmo.Modeling;

/// <summary>
/// A model whose state can be checkpointed and rolled back cheaply, so one primed model can score many
/// inputs without a deep copy per query: <c>Checkpoint(); code y; Rollback();</c> restores exactly the state
/// at the checkpoint (bit for bit). Only one checkpoint is active at a time.
/// </summary>
public interface ICheckpointModel : IByteModel
{
    /// <summary>Starts recording changes; a later <see cref="Rollback"/> returns to this state.</summary>
    void Checkpoint();

    /// <summary>Undoes every change since the last <see cref="Checkpoint"/> and stops recording.</summary>
    /// <exception cref="InvalidOperationException">No checkpoint is active.</exception>
    void Rollback();
}

/// <summary>
/// <b>OrderMixModel</b> — a small, fast, fully integer context-mixing byte model (orders 0–6, a word context and a
/// match model), used by the information layer as its adaptive compressor of reference.
/// <list type="bullet">
/// <item><b>Inputs.</b> One hashed context per configured order k (the last k bytes) and, optionally, one word
/// context (hash of the current run of letters, case-folded, and the previous word). Each context, combined with
/// the bits of the current byte seen so far (<c>c0</c>, 1..255), selects a slot of its own table of
/// 2^<c>tableBits</c> 32-bit slots. No hash confirmation: collisions just share statistics.</item>
/// <item><b>Slot</b> (context → P(1), 22 bits, plus a 10-bit count n): after each bit,
/// p += (bit·2^22 − p) / (n + 1.5), and n grows to <see cref="CountLimit"/>. So a new context learns fast and an
/// old one averages (stationary statistics: right for priming on a class corpus).</item>
/// <item><b>Match model</b> (optional, on by default): a hash of the last 5 bytes → the position after their last
/// occurrence; while the predicted byte agrees with the bits seen so far, its next bit is an input whose confidence
/// is learned per match length (min(len, 31), expected bit → P(1), same slot rule). This is what makes
/// C(xx) ≈ C(x), i.e. NCD(x, x) ≈ 0 at any size. Buffer: every byte seen; table 2^(tableBits − 2) ints.</item>
/// <item><b>Mixer</b>: a logistic mixer over the stretched slot probabilities, the match input and a bias, one weight set per
/// <c>c0</c> (256 sets); P = squash(Σ wᵢ·stretch(pᵢ) / 2^16); weights learn wᵢ += stretch(pᵢ)·err·7 / 2^15 with
/// err = bit·4096 − P (12-bit scale).</item>
/// <item><b>Call order.</b> <see cref="P"/> computes slot indices, reads slots, mixes; <see cref="Update"/> trains
/// the mixer, updates the slots, and at a byte boundary shifts the history and rehashes the contexts.</item>
/// </list>
/// Memory: (orders + word) · 2^tableBits · 4 bytes + 256 · inputs · 4 bytes (+ with the match model
/// 2^(tableBits − 2) · 4 bytes and one byte per byte seen). Integer arithmetic only, so the
/// output is identical on every machine. Implements <see cref="ICheckpointModel"/> with an undo log, so scoring a
/// document against a primed model costs O(document), not O(tables).
/// </summary>
public sealed class OrderMixModel : ICheckpointModel
{
    /// <summary>Default orders: 1, 2, 3, 4, 6 (order 0 is always present).</summary>
    public static readonly IReadOnlyList<int> DefaultOrders = [1, 2, 3, 4, 6];

    /// <summary>Smallest table size, in bits of slot count.</summary>
    public const int MinTableBits = 10;

    /// <summary>Largest table size, in bits of slot count (2^24 slots = 64 MiB per context).</summary>
    public const int MaxTableBits = 24;

    /// <summary>Default table size (2^22 slots = 16 MiB per context).</summary>
    public const int DefaultTableBits = 22;

    /// <summary>Count at which a slot's learning rate stops slowing down.</summary>
    public const int CountLimit = 255;

    private const int MixShift = 16;
    private const int MatchMinLen = 5;
    private const int LearningRate = 7;

    // Dt[n] = 2^12 / (n + 1.5): reciprocal of the slot's adaptation denominator.
    private static readonly int[] Dt = BuildDt();

    private readonly int[] _orders;
    private readonly bool _word;
    private readonly bool _match;
    private readonly int _tableBits;
    private readonly int _inputs;       // contexts (order 0 + orders + word) + bias
    private readonly int _contexts;
    private readonly uint[][] _tables;
    private readonly int[] _weights;    // [256 c0 sets][_inputs]
    private readonly int[] _slot;       // current slot per context
    private readonly int[] _bucket;     // current 16-slot bucket per context
    private readonly int[] _st;         // stretched inputs of the current bit
    private readonly uint[] _hash;      // per-context hash of the byte history

    private ulong _history;             // last 8 bytes, most recent in the low byte
    private uint _wordHash;
    private uint _prevWordHash;
    private int _c0 = 1;
    private int _nib = 1;               // bits of the current nibble with a leading 1 (1..15)
    private int _pr = 2048;             // last mixer output, 12 bits
    private int _wsel;                  // weight set of the current bit

    // Match model: the longest earlier occurrence of the last MatchMinLen bytes predicts the next byte.
    private byte[] _buf = new byte[4096];
    private int _pos;                   // bytes seen
    private readonly int[] _matchTable; // hash of the last MatchMinLen bytes → position after them (+0; 0 = none)
    private readonly uint[] _matchSm = new uint[64]; // (min(len, 31), expected bit) → P(1)
    private int _matchPtr;
    private int _matchLen;
    private int _matchSlot = -1;

    // Undo log (active between Checkpoint and Rollback).
    private bool _logging;
    private UndoEntry[] _log = new UndoEntry[1024];
    private int _logCount;
    private int[]? _savedWeights;
    private SavedScalars _saved;

    /// <summary>Creates a model.</summary>
    /// <param name="tableBits">Slots per context table, as a power of two (<see cref="MinTableBits"/>–<see cref="MaxTableBits"/>).</param>
    /// <param name="orders">Context orders besides order 0, each 1–8 (default <see cref="DefaultOrders"/>).</param>
    /// <param name="word">Whether to add the word context.</param>
    /// <param name="match">Whether to add the match model (predicts the byte that followed the last occurrence of the
    /// current 5-byte context; what makes C(xx) ≈ C(x)).</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public OrderMixModel(int tableBits = DefaultTableBits, IReadOnlyList<int>? orders = null, bool word = true, bool match = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tableBits, MinTableBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tableBits, MaxTableBits);
        orders ??= DefaultOrders;
        foreach (int k in orders)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(k, 1, nameof(orders));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(k, 8, nameof(orders));
        }
        _orders = [0, .. orders];
        _word = word;
        _match = match;
        _tableBits = tableBits;
        _contexts = _orders.Length + (word ? 1 : 0);
        _inputs = _contexts + 2;
        _tables = new uint[_contexts][];
        for (int i = 0; i < _contexts; i++)
        {
            _tables[i] = new uint[1 << tableBits];
            Array.Fill(_tables[i], 1u << 31);
        }
        _weights = new int[256 * _inputs];
        Array.Fill(_weights, (1 << 16) * 3 / 10);
        _matchTable = new int[1 << Math.Max(MinTableBits, tableBits - 2)];
        Array.Fill(_matchSm, 1u << 31);
        _slot = new int[_contexts];
        _bucket = new int[_contexts];
        _st = new int[_inputs];
        _hash = new uint[_contexts];
        Resync();
    }

    private OrderMixModel(OrderMixModel o)
    {
        _orders = o._orders;
        _word = o._word;
        _match = o._match;
        _tableBits = o._tableBits;
        _contexts = o._contexts;
        _inputs = o._inputs;
        _tables = new uint[_contexts][];
        for (int i = 0; i < _contexts; i++)
        {
            _tables[i] = (uint[])o._tables[i].Clone();
        }
        _weights = (int[])o._weights.Clone();
        _buf = o._buf.AsSpan(0, Math.Max(o._pos, 1)).ToArray();
        Array.Resize(ref _buf, Math.Max(4096, o._buf.Length));
        _pos = o._pos;
        _matchTable = (int[])o._matchTable.Clone();
        _matchSm = (uint[])o._matchSm.Clone();
        _matchPtr = o._matchPtr;
        _matchLen = o._matchLen;
        _matchSlot = o._matchSlot;
        _wsel = o._wsel;
        _slot = (int[])o._slot.Clone();
        _bucket = (int[])o._bucket.Clone();
        _st = (int[])o._st.Clone();
        _hash = (uint[])o._hash.Clone();
        _history = o._history;
        _wordHash = o._wordHash;
        _prevWordHash = o._prevWordHash;
        _c0 = o._c0;
        _nib = o._nib;
        _pr = o._pr;
    }

    /// <summary>
    /// A table size suited to priming on <paramref name="bytes"/> bytes: about two slots per coded bit per
    /// context, clamped to [14, <see cref="DefaultTableBits"/>].
    /// </summary>
    public static int TableBitsFor(long bytes)
    {
        int bits = 14;
        while (bits < DefaultTableBits && (1L << bits) < bytes * 16)
        {
            bits++;
        }
        return bits;
    }

    /// <inheritdoc />
    public string Name => "ordermix";

    /// <summary>Table size in bits of slot count.</summary>
    public int TableBits => _tableBits;

    /// <inheritdoc />
    public long MemoryBytes => (long)_contexts * (4L << _tableBits) + 4L * _weights.Length + 4L * _matchTable.Length + _buf.Length;

    /// <inheritdoc />
    public int P()
    {
        // Slots come in buckets of 16 (one cache line): the bucket is chosen by the context hash and the bits of the
        // byte before the current nibble (SetBuckets), the slot within it by the partial nibble _nib (1..15).
        long dot = 0;
        _wsel = _c0;
        int w0 = _wsel * _inputs;
        for (int i = 0; i < _contexts; i++)
        {
            int s = _bucket[i] + _nib;
            _slot[i] = s;
            int st = Logistic.Stretch((int)(_tables[i][s] >> 20));
            _st[i] = st;
            dot += (long)st * _weights[w0 + i];
        }
        // Match input: if the predicted byte agrees with the bits seen so far, its next bit, with a confidence
        // learned per match length.
        int mst = 0;
        _matchSlot = -1;
        if (_matchLen > 0)
        {
            int expected = _buf[_matchPtr] | 256;
            int bitsSeen = 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)_c0);
            if (expected >> (8 - bitsSeen) == _c0)
            {
                int ebit = (expected >> (7 - bitsSeen)) & 1;
                _matchSlot = Math.Min(_matchLen, 31) * 2 + ebit;
                mst = Logistic.Stretch((int)(_matchSm[_matchSlot] >> 20));
            }
        }
        _st[_contexts] = mst;
        dot += (long)mst * _weights[w0 + _contexts];
        _st[_contexts + 1] = 256;
        dot += 256L * _weights[w0 + _contexts + 1];
        _pr = Logistic.Squash((int)(dot >> MixShift));
        return Probability.Clamp(_pr << 4);
    }

    /// <inheritdoc />
    public void Update(int bit)
    {
        // 1. Train the mixer.
        int err = ((bit << 12) - _pr) * LearningRate;
        int w0 = _wsel * _inputs;
        if (_logging && _savedWeights is null)
        {
            _savedWeights = (int[])_weights.Clone();
        }
        for (int i = 0; i < _inputs; i++)
        {
            _weights[w0 + i] += (_st[i] * err + (1 << 14)) >> 15;
        }

        // 2. Update the slots.
        for (int i = 0; i < _contexts; i++)
        {
            ref uint slot = ref _tables[i][_slot[i]];
            if (_logging)
            {
                Log(i, _slot[i], slot);
            }
            uint v = slot;
            int n = (int)(v & 1023);
            int p = (int)(v >> 10);
            p += ((((bit << 22) - p) >> 3) * Dt[n]) >> 9;
            if (n < CountLimit)
            {
                n++;
            }
            slot = ((uint)p << 10) | (uint)n;
        }
        if (_matchSlot >= 0)
        {
            if (_logging)
            {
                Log(MatchSmTable, _matchSlot, _matchSm[_matchSlot]);
            }
            _matchSm[_matchSlot] = Learn(_matchSm[_matchSlot], bit);
        }

        // 3. Advance the bit context; at a byte boundary, shift the history and rehash.
        _c0 = (_c0 << 1) | bit;
        if (_c0 >= 256)
        {
            byte b = (byte)_c0;
            _c0 = 1;
            _history = (_history << 8) | b;
            if (_match)
            {
                UpdateMatch(b);
            }
            int lower = b | 0x20;
            if (lower is >= 'a' and <= 'z' || b >= 128)
            {
                _wordHash = (_wordHash + (uint)(b >= 128 ? b : lower) + 1) * 0x01000193u;
            }
            else if (_wordHash != 0)
            {
                _prevWordHash = _wordHash;
                _wordHash = 0;
            }
            Rehash();
            SetBuckets(0);
            _nib = 1;
        }
        else
        {
            _nib = (_nib << 1) | bit;
            if (_nib >= 16)
            {
                SetBuckets(_c0);
                _nib = 1;
            }
        }
    }

    private static uint Learn(uint v, int bit)
    {
        int n = (int)(v & 1023);
        int p = (int)(v >> 10);
        p += ((((bit << 22) - p) >> 3) * Dt[n]) >> 9;
        if (n < CountLimit)
        {
            n++;
        }
        return ((uint)p << 10) | (uint)n;
    }

    private const int MatchTableId = -1;
    private const int MatchSmTable = -2;

    private void UpdateMatch(byte b)
    {
        if (_pos == _buf.Length)
        {
            Array.Resize(ref _buf, _buf.Length * 2);
        }
        _buf[_pos++] = b;
        if (_matchLen > 0 && _buf[_matchPtr] == b)
        {
            _matchLen = Math.Min(_matchLen + 1, 65535);
            _matchPtr++;
        }
        else
        {
            _matchLen = 0;
        }
        if (_pos < MatchMinLen)
        {
            return;
        }
        int shift = 32 - System.Numerics.BitOperations.Log2((uint)_matchTable.Length);
        int h = (int)((uint)(((_history & 0xFF_FFFF_FFFFUL) * 0x9E3779B97F4A7C15UL) >> 32) >> shift);
        if (_matchLen == 0)
        {
            int cand = _matchTable[h];
            if (cand > 0)
            {
                int len = 0;
                while (len < 32 && cand - len - 1 >= 0 && _buf[cand - len - 1] == _buf[_pos - len - 1])
                {
                    len++;
                }
                if (len >= MatchMinLen)
                {
                    _matchLen = len;
                    _matchPtr = cand;
                }
            }
        }
        if (_logging)
        {
            Log(MatchTableId, h, (uint)_matchTable[h]);
        }
        _matchTable[h] = _pos;
    }

    private void SetBuckets(int high)
    {
        uint hiMix = (uint)high * 0x2545F491u;
        int shift = 32 - (_tableBits - 4);
        for (int i = 0; i < _contexts; i++)
        {
            _bucket[i] = (int)(((_hash[i] ^ hiMix) * 0x9E3779B1u) >> shift) << 4;
        }
    }

    private void Resync()
    {
        Rehash();
        int n = 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)_c0);
        if (n < 4)
        {
            SetBuckets(0);
            _nib = _c0;
        }
        else
        {
            SetBuckets(_c0 >> (n - 4));
            _nib = (1 << (n - 4)) | (_c0 & ((1 << (n - 4)) - 1));
        }
    }

    /// <inheritdoc />
    public void Prime(ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            for (int j = 7; j >= 0; j--)
            {
                P();
                Update((b >> j) & 1);
            }
        }
    }

    /// <inheritdoc />
    public IByteModel Clone() => new OrderMixModel(this);

    /// <inheritdoc />
    public void Checkpoint()
    {
        _logging = true;
        _logCount = 0;
        _savedWeights = null;
        _saved = new SavedScalars(_history, _wordHash, _prevWordHash, _c0, _pr, _pos, _matchPtr, _matchLen);
    }

    /// <inheritdoc />
    public void Rollback()
    {
        if (!_logging)
        {
            throw new InvalidOperationException("Rollback without an active Checkpoint.");
        }
        for (int k = _logCount - 1; k >= 0; k--)
        {
            ref readonly UndoEntry e = ref _log[k];
            switch (e.Table)
            {
                case MatchTableId: _matchTable[e.Index] = (int)e.Old; break;
                case MatchSmTable: _matchSm[e.Index] = e.Old; break;
                default: _tables[e.Table][e.Index] = e.Old; break;
            }
        }
        if (_savedWeights is not null)
        {
            _savedWeights.CopyTo(_weights, 0);
        }
        (_history, _wordHash, _prevWordHash, _c0, _pr) = (_saved.History, _saved.WordHash, _saved.PrevWordHash, _saved.C0, _saved.Pr);
        (_pos, _matchPtr, _matchLen) = (_saved.Pos, _saved.MatchPtr, _saved.MatchLen);
        Resync();
        _logging = false;
        _logCount = 0;
        _savedWeights = null;
    }

    private void Log(int table, int index, uint old)
    {
        if (_logCount == _log.Length)
        {
            Array.Resize(ref _log, _log.Length * 2);
        }
        _log[_logCount++] = new UndoEntry(table, index, old);
    }

    private void Rehash()
    {
        for (int i = 0; i < _orders.Length; i++)
        {
            int k = _orders[i];
            ulong ctx = k == 8 ? _history : _history & ((1UL << (8 * k)) - 1);
            _hash[i] = (uint)(((ctx + (ulong)k) * 0x9E3779B97F4A7C15UL) >> 32) + (uint)k * 0x51ED27u;
        }
        if (_word)
        {
            _hash[_orders.Length] = (_wordHash * 0x2F0B4C27u) ^ (_prevWordHash * 0x6A09E667u) ^ 0xB5297A4Du;
        }
    }

    private static int[] BuildDt()
    {
        var t = new int[1024];
        for (int n = 0; n < t.Length; n++)
        {
            t[n] = (int)(8192 / (2 * n + 3));
        }
        return t;
    }

    private readonly record struct UndoEntry(int Table, int Index, uint Old);

    private readonly record struct SavedScalars(ulong History, uint WordHash, uint PrevWordHash, int C0, int Pr, int Pos, int MatchPtr, int MatchLen);
}
