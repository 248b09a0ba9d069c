using System.Runtime.Intrinsics.X86;

namespace Kolmo.Modeling.Legacy;

/// <summary>
/// Hashed context slots with check bytes, nibble-oriented (the layout of lpaq1's hash table, our code).
/// <para>Maps: (context hash, first nibble or none) → a 16-byte slot: byte 0 is an 8-bit check taken from the
/// hash, bytes 1..15 are the bit-history states (<see cref="StateTable"/>) of the 15 nodes of a nibble's
/// binary tree (node j: 1, 2+b, 4+bb, 8+bbb). A context looks up one slot at bit 0 and one at bit 4 of each byte.</para>
/// <para>Lookup: three candidate slots inside one 64-byte cache line (index i, i^1, i^2); the one whose check
/// matches wins; otherwise the candidate with the lowest priority (total count of its first node's state) is
/// cleared and claimed.</para>
/// <para>Cost: 16 bytes per slot; one cache line touched per lookup, two lookups per context per byte. The
/// caller first computes every context's line with <see cref="Line"/> and <see cref="Prefetch"/>es it, so the
/// cache misses of all contexts overlap (a prefetch changes no result).</para>
/// </summary>
internal sealed unsafe class NibbleHashTable
{
    private readonly byte[] _t;
    private readonly int _mask;

    /// <summary>Creates a table of <paramref name="bytes"/> bytes (a power of two, at least 64).</summary>
    public NibbleHashTable(long bytes)
    {
        _t = GC.AllocateArray<byte>((int)bytes, pinned: true);
        _mask = (int)(bytes / 16) - 1;
    }

    private NibbleHashTable(NibbleHashTable o)
    {
        _t = GC.AllocateArray<byte>(o._t.Length, pinned: true);
        o._t.CopyTo(_t, 0);
        _mask = o._mask;
    }

    /// <summary>The slot index (in 16-byte units) a hash maps to.</summary>
    public int Line(uint h) => (int)(h * 0x2F0F3A4Bu >> 8) & _mask;

    /// <summary>Asks the CPU to start loading the cache line of slot index <paramref name="line"/>.</summary>
    public void Prefetch(int line)
    {
        if (Sse.IsSupported)
        {
            fixed (byte* p = &_t[(line & ~3) * 16])
            {
                Sse.Prefetch0(p);
            }
        }
    }

    /// <summary>The state bytes; a slot returned by <see cref="Find(uint, int)"/> starts at its check byte.</summary>
    public byte[] Table => _t;

    /// <summary>Bytes used.</summary>
    public long MemoryBytes => _t.Length;

    /// <summary>Finds or claims the slot of hash <paramref name="h"/>; returns the index of its check byte.</summary>
    public int Find(uint h) => Find(h, Line(h));

    /// <summary><see cref="Find(uint)"/> with the slot index already computed by <see cref="Line"/>.</summary>
    public int Find(uint h, int i)
    {
        byte chk = (byte)(h >> 24);
        var t = _t;
        int j0 = i * 16;
        if (t[j0] == chk)
        {
            return j0;
        }
        int j1 = (i ^ 1) * 16;
        if (t[j1] == chk)
        {
            return j1;
        }
        int j2 = (i ^ 2) * 16;
        if (t[j2] == chk)
        {
            return j2;
        }
        int p0 = StateTable.Priority[t[j0 + 1]];
        int p1 = StateTable.Priority[t[j1 + 1]];
        int p2 = StateTable.Priority[t[j2 + 1]];
        int j = p0 <= p1 ? (p0 <= p2 ? j0 : j2) : (p1 <= p2 ? j1 : j2);
        Array.Clear(t, j, 16);
        t[j] = chk;
        return j;
    }

    /// <summary>A deep copy.</summary>
    public NibbleHashTable Clone() => new(this);

    /// <summary>Overwrites every slot with <paramref name="o"/>'s (same size).</summary>
    public void CopyFrom(NibbleHashTable o)
    {
        if (o._t.Length != _t.Length)
        {
            throw new ArgumentException("the tables differ in size", nameof(o));
        }
        o._t.CopyTo(_t, 0);
    }
}
