using Kolmo.Modeling;

namespace Kolmo.Decipher;

/// <summary>
/// A small adaptive order-k bitwise context model (the classic "order-k CM" building block), used here to let a
/// compression model score plaintexts. Maps (hash of the last k bytes, bits of the current byte so far) →
/// P(1) on a 16-bit scale in a table of 2^<c>tableBits</c> slots; update p += (bit·65536 − p)·rate with a
/// per-slot count so the rate falls from 1/2 to 1/<c>Limit</c> (state-count adaptation). Integer arithmetic only.
/// Memory: 3 · 2^tableBits bytes.
/// </summary>
public sealed class OrderNByteModel : IByteModel
{
    private const int Limit = 60;
    private readonly int _order;
    private readonly int _bits;
    private readonly ushort[] _p;
    private readonly byte[] _n;
    private ulong _history;
    private int _partial = 1;
    private int _slot;
    private uint _ctxHash;

    /// <summary>Creates an order-<paramref name="order"/> model (1..7) with 2^<paramref name="tableBits"/> slots (10..26).</summary>
    public OrderNByteModel(int order, int tableBits = 22)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, 7);
        ArgumentOutOfRangeException.ThrowIfLessThan(tableBits, 10);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tableBits, 26);
        _order = order;
        _bits = tableBits;
        _p = new ushort[1 << tableBits];
        Array.Fill(_p, (ushort)32768);
        _n = new byte[1 << tableBits];
        _ctxHash = ContextHash();
        _slot = Slot();
    }

    private OrderNByteModel(OrderNByteModel o)
    {
        _order = o._order;
        _bits = o._bits;
        _p = (ushort[])o._p.Clone();
        _n = (byte[])o._n.Clone();
        _history = o._history;
        _partial = o._partial;
        _slot = o._slot;
        _ctxHash = o._ctxHash;
    }

    /// <inheritdoc />
    public string Name => $"order{_order}";

    /// <inheritdoc />
    public long MemoryBytes => _p.Length * 3L;

    private uint ContextHash()
    {
        ulong mask = _order >= 8 ? ulong.MaxValue : (1UL << (8 * _order)) - 1;
        ulong h = (_history & mask) * 0x9E3779B97F4A7C15UL;
        return (uint)(h >> 32) ^ (uint)h;
    }

    private int Slot() => (int)(((_ctxHash + (uint)_partial * 0x85EBCA6Bu) * 0xC2B2AE35u) >> (32 - _bits));

    /// <inheritdoc />
    public int P() => Math.Clamp((int)_p[_slot], 1, 65535);

    /// <inheritdoc />
    public void Update(int bit)
    {
        int p = _p[_slot];
        int n = _n[_slot];
        int target = bit != 0 ? 65535 : 0;
        p += (target - p) / (n + 2);
        _p[_slot] = (ushort)p;
        if (n < Limit)
        {
            _n[_slot] = (byte)(n + 1);
        }
        _partial = (_partial << 1) | bit;
        if (_partial >= 256)
        {
            _history = (_history << 8) | (byte)_partial;
            _partial = 1;
            _ctxHash = ContextHash();
        }
        _slot = Slot();
    }

    /// <inheritdoc />
    public void Prime(ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            for (int i = 7; i >= 0; i--)
            {
                Update((b >> i) & 1);
            }
        }
    }

    /// <inheritdoc />
    public IByteModel Clone() => new OrderNByteModel(this);
}
