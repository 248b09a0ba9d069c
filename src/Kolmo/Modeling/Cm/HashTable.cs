namespace Kolmo.Modeling;

/// <summary>
/// Hashed context slots in 64-byte buckets (one cache line each), nibble-oriented.
/// <para>Maps: (context hash, partial byte at a nibble boundary) → a 16-byte slot: byte 0 is an 8-bit check taken
/// from the hash, bytes 1..15 are the <see cref="BitHistory"/> states of the 15 nodes of a nibble's binary tree
/// (node 1, 2+b, 4+bb, 8+bbb). A context looks up one slot at bit 0 and one at bit 4 of each byte.</para>
/// <para>Lookup: the hash picks a bucket of 4 slots; the slot whose check matches wins; otherwise the slot with
/// the lowest priority (the total count of its first node) is cleared and claimed.</para>
/// <para>Cost: 16 bytes per slot; one cache line per lookup. The caller computes every context's bucket first and
/// <see cref="Prefetch"/>es it, so the cache misses of all contexts overlap.</para>
/// </summary>
internal sealed unsafe class HashTable
{
    private readonly PinnedBuffer<byte> _buf;
    private readonly byte* _t;
    private readonly uint _mask;

    /// <summary>Creates a table of <paramref name="bytes"/> bytes (a power of two, at least 64).</summary>
    public HashTable(long bytes)
    {
        _buf = new PinnedBuffer<byte>(bytes);
        _t = _buf.Pointer;
        _mask = (uint)(bytes / 64) - 1;
    }

    private HashTable(HashTable o)
    {
        _buf = o._buf.Clone();
        _t = _buf.Pointer;
        _mask = o._mask;
    }

    /// <summary>Bytes used.</summary>
    public long MemoryBytes => _buf.Bytes;

    /// <summary>The bucket (64-byte line) a hash maps to.</summary>
    public byte* Bucket(uint h) => _t + ((h >> 8) & _mask) * 64;

    /// <summary>Starts loading the bucket of <paramref name="h"/> (changes no result).</summary>
    public void Prefetch(uint h) => CmPrefetch.Line(Bucket(h));

    /// <summary>Finds or claims the slot of hash <paramref name="h"/>; returns a pointer to its check byte.</summary>
    public byte* Find(uint h)
    {
        byte chk = (byte)h;
        byte* b = Bucket(h);
        if (b[0] == chk)
        {
            return b;
        }
        if (b[16] == chk)
        {
            return b + 16;
        }
        if (b[32] == chk)
        {
            return b + 32;
        }
        if (b[48] == chk)
        {
            return b + 48;
        }
        var pri = BitHistory.Priority;
        byte* victim = b;
        int best = pri[b[1]];
        for (int k = 16; k < 64; k += 16)
        {
            int p = pri[b[k + 1]];
            if (p < best)
            {
                best = p;
                victim = b + k;
            }
        }
        new Span<byte>(victim, 16).Clear();
        victim[0] = chk;
        return victim;
    }

    /// <summary>The pointer in this table at the offset <paramref name="p"/> has in <paramref name="other"/> (for clones).</summary>
    public byte* Rebase(byte* p, HashTable other) => _t + (p - other._t);

    /// <summary>A deep copy.</summary>
    public HashTable Clone() => new(this);

    /// <summary>Overwrites every bucket with <paramref name="o"/>'s (same size).</summary>
    public void CopyFrom(HashTable o) => _buf.CopyFrom(o._buf);
}
