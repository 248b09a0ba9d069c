using Kolmo.Coding;

namespace Kolmo.Modeling.Legacy;

/// <summary>
/// Adaptive probability map (APM, a.k.a. SSE stage): (probability, context) → refined probability.
/// <para>Maps: the input's stretched value st ∈ [−2047, 2047] is split into 33 buckets 128 apart; each context
/// owns 33 entries and the output interpolates linearly between the two buckets around st.</para>
/// <para>Scale: input 12-bit probability; entries and output are 16-bit probabilities (so a refined
/// prediction can be more confident than 4095/4096).</para>
/// <para>Update rule: the nearer of the two buckets moves toward the bit: t += (y·65536 − t) >> rate.
/// Entries start at squash of their bucket centre, i.e. the identity map.</para>
/// <para>Cost: 33 × 2 bytes per context; two reads, one write per bit.</para>
/// </summary>
internal sealed class Apm
{
    private readonly ushort[] _t;
    private readonly int _rate;
    private int _idx;

    /// <summary>Creates an APM over <paramref name="contexts"/> contexts, adapting at 1/2^<paramref name="rate"/>.</summary>
    public Apm(int contexts, int rate = 7)
    {
        _rate = rate;
        _t = new ushort[contexts * 33];
        // every context starts with the same row: computed once, copied to the others (the values are as they were)
        Span<ushort> row = stackalloc ushort[33];
        for (int j = 0; j < 33; j++)
        {
            int p = Logistic.Squash((j - 16) * 128) * 16;
            row[j] = (ushort)Math.Clamp(p, 16, 65535 - 16);
        }
        for (int c = 0; c < contexts; c++)
        {
            row.CopyTo(_t.AsSpan(c * 33, 33));
        }
    }

    private Apm(Apm other)
    {
        _t = (ushort[])other._t.Clone();
        _rate = other._rate;
        _idx = other._idx;
    }

    /// <summary>Bytes used.</summary>
    public long MemoryBytes => _t.Length * 2L;

    /// <summary>Refines 12-bit <paramref name="p12"/> in context <paramref name="cx"/>; returns a 16-bit probability.</summary>
    public int P(int p12, int cx)
    {
        int s = Logistic.Stretch(p12) + 2048; // 1..4095
        int lo = s >> 7;
        int w = s & 127;
        int idx = cx * 33 + lo;
        _idx = idx + (w >> 6);
        return (_t[idx] * (128 - w) + _t[idx + 1] * w) >> 7;
    }

    /// <summary>Learns the bit for the last <see cref="P"/> call.</summary>
    public void Update(int bit)
    {
        ref ushort e = ref _t[_idx];
        int g = (bit << 16) + (bit << _rate) - bit - bit;
        e = (ushort)(e + ((g - e) >> _rate));
    }

    /// <summary>A deep copy.</summary>
    public Apm Clone() => new(this);

    /// <summary>Overwrites the state with <paramref name="o"/>'s (same size and rate).</summary>
    public void CopyFrom(Apm o)
    {
        if (o._t.Length != _t.Length)
        {
            throw new ArgumentException("the tables differ in size", nameof(o));
        }
        if (o._rate != _rate)
        {
            throw new ArgumentException("the tables differ in size", nameof(o));
        }
        o._t.CopyTo(_t, 0);
        _idx = o._idx;
    }
}
