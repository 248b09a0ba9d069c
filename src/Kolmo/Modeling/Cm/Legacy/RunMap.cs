using Kolmo.Coding;

namespace Kolmo.Modeling.Legacy;

/// <summary>
/// Run map (paq8's "run model" idea, our layout): per context, the last byte seen in that context and how many
/// times in a row it was seen. Used by the best levels (8–9).
/// <para>Maps: (context hash) → 32-bit entry: 16-bit check | last byte | run count (1..255, 0 = empty).
/// While the partial byte agrees with the remembered byte, the expected next bit and the run count select a
/// <see cref="StateMap"/> entry (per context: 32 count buckets × expected bit) whose stretched probability is one
/// mixer input; otherwise the input is 0.</para>
/// <para>Update rule: at each byte end the entry of every context becomes (check, byte, count + 1 if the byte
/// repeated, else 1); the state maps learn every bit they predicted.</para>
/// <para>Cost: 4 bytes per entry, one cache line per context per byte (prefetched); one input per context.</para>
/// </summary>
internal sealed class RunMap
{
    private readonly uint[] _t;
    private readonly int _mask;
    private readonly int[] _idx;
    private readonly uint[] _cur;
    private readonly StateMap[] _sm;
    private readonly bool[] _active;

    /// <summary>Creates a map of <paramref name="entries"/> entries (a power of two) for <paramref name="contexts"/> contexts.</summary>
    public RunMap(int entries, int contexts)
    {
        _t = new uint[entries];
        _mask = entries - 1;
        _idx = new int[contexts];
        _cur = new uint[contexts];
        _active = new bool[contexts];
        _sm = new StateMap[contexts];
        for (int i = 0; i < contexts; i++)
        {
            _sm[i] = new StateMap(64, 1023);
        }
    }

    private RunMap(RunMap o)
    {
        _t = (uint[])o._t.Clone();
        _mask = o._mask;
        _idx = (int[])o._idx.Clone();
        _cur = (uint[])o._cur.Clone();
        _active = (bool[])o._active.Clone();
        _sm = [.. o._sm.Select(s => s.Clone())];
    }

    /// <summary>Bytes used.</summary>
    public long MemoryBytes => _t.Length * 4L + _sm.Sum(s => s.MemoryBytes);

    /// <summary>Records byte <paramref name="c"/> in every context's entry (skipped before the first byte).</summary>
    public void ByteUpdate(int c)
    {
        for (int i = 0; i < _idx.Length; i++)
        {
            uint e = _cur[i];
            uint count = e & 255;
            uint n = count > 0 && ((e >> 8) & 255) == (uint)c ? Math.Min(count + 1, 255u) : 1u;
            _t[_idx[i]] = (e & 0xFFFF0000u) | ((uint)c << 8) | n;
        }
    }

    /// <summary>Looks up the entries of the next byte's context hashes (first <c>contexts</c> of <paramref name="hashes"/>).</summary>
    public void Lookup(uint[] hashes)
    {
        for (int i = 0; i < _idx.Length; i++)
        {
            uint h = hashes[i] * 0x9E3779B1u;
            int idx = (int)(h >> 7) & _mask;
            uint chk = (hashes[i] & 0xFFFFu) << 16;
            _idx[i] = idx;
            uint e = _t[idx];
            _cur[i] = (e & 0xFFFF0000u) == chk ? e : chk;
        }
    }

    /// <summary>Adds one input per context for the next bit.</summary>
    public void Predict(Mixer m, int c0, int bitPos)
    {
        for (int i = 0; i < _idx.Length; i++)
        {
            uint e = _cur[i];
            int count = (int)(e & 255);
            int b = (int)((e >> 8) & 255);
            if (count > 0 && ((b | 256) >> (8 - bitPos)) == c0)
            {
                int bit = (b >> (7 - bitPos)) & 1;
                m.Add(Logistic.Stretch(_sm[i].P(Math.Min(count, 31) * 2 + bit)));
                _active[i] = true;
            }
            else
            {
                m.Add(0);
                _active[i] = false;
            }
        }
    }

    /// <summary>Learns the bit in every context that predicted it.</summary>
    public void Update(int bit)
    {
        for (int i = 0; i < _idx.Length; i++)
        {
            if (_active[i])
            {
                _sm[i].Update(bit);
            }
        }
    }

    /// <summary>A deep copy.</summary>
    public RunMap Clone() => new(this);

    /// <summary>Overwrites the state with <paramref name="o"/>'s (same sizes).</summary>
    public void CopyFrom(RunMap o)
    {
        if (o._t.Length != _t.Length)
        {
            throw new ArgumentException("the tables differ in size", nameof(o));
        }
        if (o._sm.Length != _sm.Length)
        {
            throw new ArgumentException("the tables differ in size", nameof(o));
        }
        o._t.CopyTo(_t, 0);
        o._idx.CopyTo(_idx, 0);
        o._cur.CopyTo(_cur, 0);
        o._active.CopyTo(_active, 0);
        for (int i = 0; i < _sm.Length; i++)
        {
            _sm[i].CopyFrom(o._sm[i]);
        }
    }
}
