using Kolmo.Coding;

namespace Kolmo.Modeling;

/// <summary>
/// Run map of the best cm levels (8–9; paq8's "run model" idea, our layout and rule): per hashed context, the last
/// byte seen in that context and how many times in a row it was seen there.
/// <para>Maps: (context hash) → 32-bit entry: 16-bit check | last byte | run count (1–255; 0 = empty). While the
/// partial byte agrees with the remembered byte, the run count (capped at 31) and the bit the byte predicts pick a
/// <see cref="StateMap"/> entry of that context (32 × 2); its stretched probability is one mixer input. Otherwise the
/// input is 0.</para>
/// <para>Update rule: at each byte end every context's entry becomes (check, byte, count + 1 when the byte repeated the
/// remembered one, else 1); a context's state map learns each bit it predicted.</para>
/// <para>Cost: 4 bytes per entry and one random read and write per context per byte; one input per context per bit.
/// Call order per byte: <see cref="ByteUpdate"/> (after the byte), <see cref="Lookup"/> (with the next byte's
/// hashes); per bit: <see cref="Predict"/>, <see cref="Update"/>.</para>
/// </summary>
internal sealed class RunMap
{
    private const int MaxRun = 31;
    private readonly uint[] _t;
    private readonly int _mask;
    private readonly int[] _idx;
    private readonly uint[] _cur;
    private readonly bool[] _active;
    private readonly StateMap[] _sm;

    /// <summary>Creates a map of <paramref name="entries"/> entries (a power of two) for <paramref name="contexts"/> contexts.</summary>
    public RunMap(int entries, int contexts)
    {
        if (entries <= 0 || (entries & (entries - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(entries), entries, "not a power of two");
        }
        _t = new uint[entries];
        _mask = entries - 1;
        _idx = new int[contexts];
        _cur = new uint[contexts];
        _active = new bool[contexts];
        _sm = new StateMap[contexts];
        for (int i = 0; i < contexts; i++)
        {
            _sm[i] = new StateMap((MaxRun + 1) * 2);
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

    /// <summary>Mixer inputs: one per context.</summary>
    public int Inputs => _idx.Length;

    /// <summary>Bytes of a map of <paramref name="entries"/> entries for <paramref name="contexts"/> contexts: the entries, and per
    /// context its state map and at most 16 bytes of lookup state.</summary>
    public static long Bytes(int entries, int contexts) => entries * 4L + contexts * ((MaxRun + 1) * 2 * 4L + 16);

    /// <summary>Bytes used.</summary>
    public long MemoryBytes => Bytes(_t.Length, _idx.Length);

    /// <summary>Records byte <paramref name="c"/> in the entry of every context looked up for it.</summary>
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

    /// <summary>Looks up the entries of the next byte's contexts: the first <see cref="Inputs"/> of <paramref name="hashes"/>.</summary>
    public void Lookup(ReadOnlySpan<uint> hashes)
    {
        for (int i = 0; i < _idx.Length; i++)
        {
            uint h = hashes[i] * 0x9E3779B1u;
            int idx = (int)(h >> 7) & _mask;
            uint chk = (hashes[i] & 0xFFFFu) << 16;
            _idx[i] = idx;
            uint e = _t[idx];
            _cur[i] = (e & 0xFFFF0000u) == chk ? e : chk;   // another context's entry reads as empty
        }
    }

    /// <summary>Adds one input per context for the next bit (c0 = partial byte with a leading 1, bitPos = bits known).</summary>
    public void Predict(Mixer m, int c0, int bitPos)
    {
        for (int i = 0; i < _idx.Length; i++)
        {
            uint e = _cur[i];
            int count = (int)(e & 255);
            int b = (int)((e >> 8) & 255);
            bool active = count > 0 && ((b | 256) >> (8 - bitPos)) == c0;
            _active[i] = active;
            if (active)
            {
                int bit = (b >> (7 - bitPos)) & 1;
                m.Add(Logistic.Stretch(_sm[i].P(Math.Min(count, MaxRun) * 2 + bit)));
            }
            else
            {
                m.Add(0);
            }
        }
    }

    /// <summary>Learns <paramref name="bit"/> in every context that predicted it.</summary>
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
        if (o._t.Length != _t.Length || o._sm.Length != _sm.Length)
        {
            throw new ArgumentException("the run maps differ in size", nameof(o));
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
