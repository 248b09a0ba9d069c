using Kolmo.Coding;

namespace Kolmo.Modeling;

/// <summary>
/// The small model: an adaptive byte model that mixes orders 0–3 (lpaq-style, much smaller).
/// <para>
/// Components and call order, per bit (all integer arithmetic, so every machine computes the same bits):
/// <list type="number">
/// <item><b>Context counters</b>, one table per order. Maps (order-k context, partial byte c0) → P(1) on a
/// 22-bit scale, with a 10-bit hit count n in the same 32-bit word. Order 0 is indexed by c0 (256 slots),
/// order 1 by (c1, c0) directly (65 536 slots), orders 2 and 3 by a multiplicative hash of (context, c0)
/// into 2^b slots (collisions are not detected; they only cost compression). Update:
/// p ← p + (bit·(2^22−1) − p)·2/(2n+3), n ← min(n+1, <see cref="CounterLimit"/>): the running frequency while
/// n is small, then an exponential moving average with rate ≈ 1/<see cref="CounterLimit"/>.</item>
/// <item><b>Mixer</b>: a single-layer logistic mixer (gated linear network) over the stretched counter outputs
/// plus a bias input. Inputs st(p) in [−2047, 2047] (8 fractional bits), weights on a 16-bit scale
/// (65536 = 1.0), one weight set per bit position 0–7 × whether the order-2 context has been seen.
/// p = squash(Σ wᵢ·xᵢ / 65536); update wᵢ += xᵢ·(bit·4096 − p)·<see cref="MixerRate"/> / 1024 (online gradient
/// descent on coding cost).</item>
/// <item><b>APM</b> (adaptive probability map / SSE) on the order-1 context: maps (c1, c0, st(p)) → refined
/// P(1), 33 interpolated buckets on a 16-bit scale, rate 1/64. Final P = (p_mix + 3·p_apm) / 4.</item>
/// </list>
/// Memory: 4·(256 + 65 536 + 2·2^b) + 2·65 536·33 + small bytes, with b = 14 + level (level 6: 2^20 slots,
/// about 12.9 MB). Cost: 4 table lookups, a 5-input dot product and one APM lookup per bit.
/// </para>
/// </summary>
public sealed class Order3Model : IByteModel
{
    /// <summary>Smallest level (2^15 slots per hashed order).</summary>
    public const int MinLevel = 1;

    /// <summary>Largest level (2^23 slots per hashed order).</summary>
    public const int MaxLevel = 9;

    /// <summary>Default level (2^20 slots per hashed order, about 12.9 MB).</summary>
    public const int DefaultLevel = 6;

    /// <summary>Smallest allowed hash-table size exponent.</summary>
    public const int MinHashBits = 10;

    /// <summary>Largest allowed hash-table size exponent.</summary>
    public const int MaxHashBits = 26;

    /// <summary>Hit-count limit of the context counters: the slowest adaptation rate is about 1/limit.</summary>
    public const int CounterLimit = 255;

    /// <summary>Mixer learning rate (multiplies the 12-bit error).</summary>
    public const int MixerRate = 6;

    private const int Inputs = 5;
    private const int WeightSets = 16;
    private const int ApmBuckets = 33;

    // Reciprocal table: Rec[n] = 2^17 / (2n + 3) = 2^16 / (n + 1.5), the counter's adaptation rate on a 16-bit scale.
    private static readonly int[] Rec = BuildRec();

    private readonly int _hashBits;
    private readonly uint[] _t0;
    private readonly uint[] _t1;
    private readonly uint[] _t2;
    private readonly uint[] _t3;
    private readonly int[] _weights;
    private readonly ushort[] _apm;
    private readonly int[] _x = new int[Inputs];

    private int _c0 = 1;          // partial byte with a leading 1 (1..255)
    private uint _c4;             // last 4 whole bytes, most recent in the low byte
    private int _bitPos;          // bits of the current byte already seen (0..7)
    private uint _h2;             // order-2 context hash, fixed for the byte
    private uint _h3;             // order-3 context hash
    private int _i0, _i1, _i2, _i3;
    private int _wset;
    private int _pMix;            // mixer output, 12 bits
    private int _apmIndex;
    private int _apmWeight;       // interpolation weight of bucket _apmIndex + 1, 0..127

    /// <summary>Creates a model with 2^<paramref name="hashBits"/> slots per hashed order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hashBits"/> outside [<see cref="MinHashBits"/>, <see cref="MaxHashBits"/>].</exception>
    public Order3Model(int hashBits = 14 + DefaultLevel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hashBits, MinHashBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hashBits, MaxHashBits);
        _hashBits = hashBits;
        const uint half = (1u << 21) << 10;   // p = 0.5, n = 0
        _t0 = new uint[256];
        _t1 = new uint[1 << 16];
        _t2 = new uint[1 << hashBits];
        _t3 = new uint[1 << hashBits];
        Array.Fill(_t0, half);
        Array.Fill(_t1, half);
        Array.Fill(_t2, half);
        Array.Fill(_t3, half);
        _weights = new int[Inputs * WeightSets];
        Array.Fill(_weights, 65536 * 3 / 10);
        _apm = new ushort[65536 * ApmBuckets];
        var row = _apm.AsSpan(0, ApmBuckets);
        for (int j = 0; j < ApmBuckets; j++)
        {
            row[j] = (ushort)(Logistic.Squash((j - 16) * 128) * 16);   // starts as the identity map
        }
        for (int c = 1; c < 65536; c++)
        {
            row.CopyTo(_apm.AsSpan(c * ApmBuckets, ApmBuckets));
        }
        ComputeIndices();
    }

    private Order3Model(Order3Model other)
    {
        _hashBits = other._hashBits;
        _t0 = (uint[])other._t0.Clone();
        _t1 = (uint[])other._t1.Clone();
        _t2 = (uint[])other._t2.Clone();
        _t3 = (uint[])other._t3.Clone();
        _weights = (int[])other._weights.Clone();
        _apm = (ushort[])other._apm.Clone();
        _x = (int[])other._x.Clone();
        _c0 = other._c0;
        _c4 = other._c4;
        _bitPos = other._bitPos;
        _h2 = other._h2;
        _h3 = other._h3;
        _i0 = other._i0;
        _i1 = other._i1;
        _i2 = other._i2;
        _i3 = other._i3;
        _wset = other._wset;
        _pMix = other._pMix;
        _apmIndex = other._apmIndex;
        _apmWeight = other._apmWeight;
    }

    /// <summary>Hash-table size exponent b (2^b slots per hashed order).</summary>
    public int HashBits => _hashBits;

    /// <inheritdoc />
    public string Name => "order3";

    /// <inheritdoc />
    public long MemoryBytes => MemoryFor(_hashBits);

    /// <summary>Bytes of table memory of a model with 2^<paramref name="hashBits"/> slots per hashed order.</summary>
    public static long MemoryFor(int hashBits) =>
        4L * (256 + 65536 + 2L * (1L << hashBits)) + 2L * 65536 * ApmBuckets + 4L * Inputs * WeightSets;

    /// <summary>
    /// The hash-table exponent for a level (b = 14 + level), reduced until the model fits in
    /// <paramref name="memoryLimitBytes"/> when one is given.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Level outside 1–9, or the limit is below the smallest model.</exception>
    public static int HashBitsFor(int level, long? memoryLimitBytes = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        int bits = 14 + level;
        if (memoryLimitBytes is long limit)
        {
            while (bits > MinHashBits && MemoryFor(bits) > limit)
            {
                bits--;
            }
            if (MemoryFor(bits) > limit)
            {
                throw new ArgumentOutOfRangeException(nameof(memoryLimitBytes), $"order3 needs at least {MemoryFor(MinHashBits)} bytes of memory");
            }
        }
        return bits;
    }

    /// <inheritdoc />
    public int P()
    {
        // Counters → stretched inputs.
        _x[0] = Logistic.Stretch((int)(_t0[_i0] >> 20));
        _x[1] = Logistic.Stretch((int)(_t1[_i1] >> 20));
        uint s2 = _t2[_i2];
        _x[2] = Logistic.Stretch((int)(s2 >> 20));
        _x[3] = Logistic.Stretch((int)(_t3[_i3] >> 20));
        _x[4] = 256;

        // Mixer.
        _wset = (_bitPos * 2 + ((s2 & 1023) != 0 ? 1 : 0)) * Inputs;
        long dot = 0;
        for (int i = 0; i < Inputs; i++)
        {
            dot += (long)_weights[_wset + i] * _x[i];
        }
        int st = (int)(dot >> 16);
        _pMix = Logistic.Squash(st);

        // APM on (c1, c0), interpolating between the two buckets around st.
        int s = Math.Clamp(st, -2047, 2047) + 2048;       // 1..4095
        int ctx = (int)((_c4 & 0xFF) << 8) | _c0;
        _apmIndex = ctx * ApmBuckets + (s >> 7);
        _apmWeight = s & 127;
        int pApm = (_apm[_apmIndex] * (128 - _apmWeight) + _apm[_apmIndex + 1] * _apmWeight) >> 7;

        int p = ((_pMix << 4) + 3 * pApm) >> 2;
        return Math.Clamp(p, 32, Probability.One - 32);
    }

    /// <inheritdoc />
    public void Update(int bit)
    {
        // 1. Update the context counters.
        UpdateCounter(_t0, _i0, bit);
        UpdateCounter(_t1, _i1, bit);
        UpdateCounter(_t2, _i2, bit);
        UpdateCounter(_t3, _i3, bit);

        // 2. Train the mixer on its coding cost.
        int err = ((bit << 12) - _pMix) * MixerRate;
        for (int i = 0; i < Inputs; i++)
        {
            _weights[_wset + i] += (_x[i] * err) >> 10;
        }

        // 3. Train the APM buckets around the last stretched value, each in proportion to its weight.
        int target = bit != 0 ? 65535 : 0;
        int a = _apm[_apmIndex];
        _apm[_apmIndex] = (ushort)(a + ((target - a) * (128 - _apmWeight) >> 13));
        int b = _apm[_apmIndex + 1];
        _apm[_apmIndex + 1] = (ushort)(b + ((target - b) * _apmWeight >> 13));

        // 4. Advance the contexts.
        _c0 = (_c0 << 1) | bit;
        _bitPos++;
        if (_bitPos == 8)
        {
            _c4 = (_c4 << 8) | (uint)(_c0 & 0xFF);
            _c0 = 1;
            _bitPos = 0;
        }
        ComputeIndices();
    }

    /// <inheritdoc />
    public void Prime(ReadOnlySpan<byte> data)
    {
        foreach (byte value in data)
        {
            for (int i = 7; i >= 0; i--)
            {
                P();
                Update((value >> i) & 1);
            }
        }
    }

    /// <inheritdoc />
    public IByteModel Clone() => new Order3Model(this);

    private static void UpdateCounter(uint[] t, int i, int bit)
    {
        uint s = t[i];
        int n = (int)(s & 1023);
        int p = (int)(s >> 10);
        int target = bit != 0 ? (1 << 22) - 1 : 0;
        p += (int)(((long)(target - p) * Rec[n]) >> 16);
        if (n < CounterLimit)
        {
            n++;
        }
        t[i] = ((uint)p << 10) | (uint)n;
    }

    private void ComputeIndices()
    {
        if (_bitPos == 0)
        {
            _h2 = ((_c4 & 0xFFFF) + 0x10000u) * 0x9E3779B1u;
            _h3 = ((_c4 & 0xFFFFFF) + 0x3000000u) * 0x85EBCA6Bu;
        }
        int shift = 32 - _hashBits;
        uint c0 = (uint)_c0;
        _i0 = _c0;
        _i1 = (int)(((_c4 & 0xFF) << 8) | c0);
        _i2 = (int)(((_h2 ^ (c0 * 0x2545F491u)) * 0x9E3779B1u) >> shift);
        _i3 = (int)(((_h3 ^ (c0 * 0x6F4F2A35u)) * 0xC2B2AE35u) >> shift);
    }

    private static int[] BuildRec()
    {
        var r = new int[1024];
        for (int n = 0; n < r.Length; n++)
        {
            r[n] = (1 << 17) / (2 * n + 3);
        }
        return r;
    }
}
