using Kolmo.Coding;
using Kolmo.Modeling;

namespace Kolmo.Compression.Neural;

/// <summary>
/// <c>cm+nn</c>: a context-mixing model and an online network mixed per bit, cmix-style. The design (what goes where,
/// learning rates) is a <see cref="CmNnOptions"/>; files record which one wrote them (<see cref="NeuralModels"/>).
/// <para>Into CM's own mixer (a CM base built with the design's external inputs): the network's stretch(P(1)), a linear
/// term and (<see cref="CmNnOptions.CmInputs"/> = 3) the expected byte's next bit signed by stretch(its probability),
/// with one more weight set chosen by the network's confidence × the bit position or the partial byte.</para>
/// <para>Final mixer inputs (stretched 12-bit probabilities, ±2047): the base model's P(1); the network's P(1) (from
/// its byte distribution, <see cref="SequenceBitPredictor"/>); the network's P(1) refined by two adaptive probability
/// maps (SSE) under the partial byte and under the partial byte with the previous byte; the base model's P(1) refined
/// under the network's expected byte value; a linear term; a bias; optionally the expected byte's bit signed by its
/// probability and CM's mixer output before its APM stages.</para>
/// <para>Layer 1: four weight sets, each chosen by a context that tells where the network is strong —
/// the partial byte c0 (256); the network's confidence (|stretch|, 8 buckets) × how far it disagrees with the base
/// model (4 buckets) × bit position (256); the previous byte (256); the network's probability of its most likely
/// byte (16 buckets) × bit position (128). Layer 2 mixes the four outputs with weights chosen by the bit position
/// (or that × the network's confidence). The result is averaged with an SSE stage under the order-1 context (16-bit
/// output).</para>
/// <para>Update: err = (y·4096 − p)·lr; w_i += (x_i·err) &gt;&gt; 14 (layer 1), likewise layer 2; integer arithmetic
/// only, so the output is identical on every machine. Weights start so that the mix equals the base model, which
/// it can lose to only while the weights move.</para>
/// <para>Call order: <see cref="P"/> is the prediction computed at the end of the previous <see cref="Update"/>.</para>
/// Memory: the two models + 4·(256 + 256 + 256 + 128)·9 + 64·4 weights + SSE tables (≈ 0.3 MiB).
/// </summary>
public sealed class CmNnModel : IByteModel
{
    /// <summary>Inputs a CM base model takes from the network in the first design (<see cref="CmNnOptions.First"/>).</summary>
    public const int ExternalInputs = 2;

    /// <summary>Selector contexts of CM's extra weight set in the first design: the network's confidence (32) × bit position (8).</summary>
    public const int ExternalContexts = 256;

    private const int Sets = 4;
    private readonly int[] _setSizes;
    private readonly int _inputs;
    private readonly int _lr1;
    private readonly int _lr2;
    private readonly CmNnOptions _o;
    private readonly IByteModel _base;
    private readonly INetworkBitPredictor _net;
    private readonly int[][] _w;
    private readonly int[] _w2;
    private readonly int[] _x;
    private readonly int[] _sel = new int[Sets];
    private readonly int[] _x2 = new int[Sets];
    private readonly int[] _p1 = new int[Sets];
    private readonly Sse _sseNet0;
    private readonly Sse _sseNet1;
    private readonly Sse _sseBase;
    private readonly Sse _sseOut;
    private int _c0 = 1;
    private int _bit;
    private int _c1;
    private int _sel2;
    private int _pMix = 2048;
    private int _pr = Probability.Half;

    /// <summary>Mixes <paramref name="baseModel"/> (trusted at the start) with the network <paramref name="network"/>
    /// (mixer design <paramref name="options"/>, default <see cref="CmNnOptions.First"/>). A CM base must have been built
    /// with the design's <see cref="CmNnOptions.CmInputs"/> and <see cref="CmNnOptions.CmContexts"/>.</summary>
    public CmNnModel(IByteModel baseModel, INetworkBitPredictor network, CmNnOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(network);
        _o = options ?? CmNnOptions.First;
        _base = baseModel;
        _net = network;
        _inputs = 7 + (_o.ConfidenceInput ? 1 : 0) + (_o.CmMixerInput ? 1 : 0);
        _lr1 = _o.Lr1;
        _lr2 = _o.Lr2;
        _x = new int[_inputs];
        _setSizes = [256, 256, 256, 128];
        _w = new int[Sets][];
        for (int s = 0; s < Sets; s++)
        {
            _w[s] = new int[_setSizes[s] * _inputs];
            for (int c = 0; c < _setSizes[s]; c++)
            {
                _w[s][c * _inputs] = 1 << 16;   // start as the base model
            }
        }
        _w2 = new int[(_o.FinalByConfidence ? 64 : 8) * Sets];
        Array.Fill(_w2, (1 << 16) / Sets);
        _sseNet0 = new Sse(256);
        _sseNet1 = new Sse(1 << 16);
        _sseBase = new Sse(1 << 16);
        _sseOut = new Sse(1 << 16);
        Predict();
    }

    private CmNnModel(CmNnModel o)
    {
        _o = o._o;
        _setSizes = o._setSizes;
        _inputs = o._inputs;
        _lr1 = o._lr1;
        _lr2 = o._lr2;
        _x = new int[_inputs];
        _base = o._base.Clone();
        _net = (INetworkBitPredictor)o._net.Clone();
        _w = [.. o._w.Select(a => (int[])a.Clone())];
        _w2 = (int[])o._w2.Clone();
        o._x.CopyTo(_x, 0);
        o._sel.CopyTo(_sel, 0);
        o._x2.CopyTo(_x2, 0);
        o._p1.CopyTo(_p1, 0);
        _sseNet0 = o._sseNet0.Clone();
        _sseNet1 = o._sseNet1.Clone();
        _sseBase = o._sseBase.Clone();
        _sseOut = o._sseOut.Clone();
        _c0 = o._c0;
        _bit = o._bit;
        _c1 = o._c1;
        _sel2 = o._sel2;
        _pMix = o._pMix;
        _pr = o._pr;
    }

    /// <inheritdoc />
    public string Name => "cm+nn";

    /// <summary>The base (context-mixing) model.</summary>
    public IByteModel Base => _base;

    /// <summary>The network's bit predictor.</summary>
    public INetworkBitPredictor Network => _net;

    /// <summary>The mixer design.</summary>
    public CmNnOptions Options => _o;

    /// <inheritdoc />
    public long MemoryBytes => _base.MemoryBytes + _net.MemoryBytes + _w.Sum(a => a.Length * 4L) + _w2.Length * 4L
        + _sseNet0.MemoryBytes + _sseNet1.MemoryBytes + _sseBase.MemoryBytes + _sseOut.MemoryBytes;

    /// <inheritdoc />
    public int P() => _pr;

    /// <inheritdoc />
    public void Update(int bit)
    {
        bit &= 1;
        // 1. learn: mixer layers, SSE stages, both models
        int err2 = ((bit << 12) - _pMix) * _lr2;
        int o2 = _sel2 * Sets;
        for (int s = 0; s < Sets; s++)
        {
            _w2[o2 + s] += (_x2[s] * err2) >> 14;
            int err = ((bit << 12) - _p1[s]) * _lr1;
            int[] w = _w[s];
            int o = _sel[s];
            for (int i = 0; i < _inputs; i++)
            {
                w[o + i] += (_x[i] * err) >> 14;
            }
        }
        _sseNet0.Update(bit);
        _sseNet1.Update(bit);
        _sseBase.Update(bit);
        _sseOut.Update(bit);
        _net.Update(bit);
        if (_base is IExternalInputs cm && cm.ExternalInputs == _o.CmInputs)
        {
            // the network's view of the next bit enters CM's own mixer, with a weight set chosen by its confidence
            int p = _net.P() >> 4;
            int nextBit = _bit == 7 ? 0 : _bit + 1;
            int top = _net.TopProbability16;
            int context = _o.CmContext == 0
                ? Math.Min(31, top >> 11) * 8 + nextBit
                : Math.Min(7, top >> 13) * 256 + (nextBit == 0 ? 1 : ((_c0 << 1) | bit));
            if (_o.CmInputs == 2)
            {
                Span<int> ext = [Logistic.Stretch(p), (p - 2048) >> 1];
                cm.SetExternal(ext, context);
            }
            else
            {
                Span<int> ext = [Logistic.Stretch(p), (p - 2048) >> 1, ExpectedBitInput(top, _net.ExpectedByte, nextBit)];
                cm.SetExternal(ext, context);
            }
        }
        _base.Update(bit);

        // 2. contexts
        _c0 = (_c0 << 1) | bit;
        if (++_bit == 8)
        {
            _c1 = _c0 & 255;
            _c0 = 1;
            _bit = 0;
        }

        // 3. predict
        Predict();
    }

    private void Predict()
    {
        int pBase = _base.P() >> 4;
        int pNet = _net.P() >> 4;
        int stNet = Logistic.Stretch(pNet);
        int stBase = Logistic.Stretch(pBase);
        int expected = _net.ExpectedByte;
        _x[0] = stBase;
        _x[1] = stNet;
        _x[2] = Logistic.Stretch(_sseNet0.P(stNet, _c0) >> 4);
        _x[3] = Logistic.Stretch(_sseNet1.P(stNet, _c0 | (_c1 << 8)) >> 4);
        _x[4] = Logistic.Stretch(_sseBase.P(stBase, _c0 | (expected << 8)) >> 4);
        _x[5] = (pNet - 2048) >> 1;
        _x[6] = 256;
        int extra = 7;
        if (_o.ConfidenceInput)
        {
            _x[extra++] = ExpectedBitInput(_net.TopProbability16, expected, _bit);
        }
        if (_o.CmMixerInput)
        {
            _x[extra] = _base is CmModel cmModel ? cmModel.MixerStretch : stBase;
        }

        int conf = Math.Min(7, Math.Abs(stNet) >> 8);
        int gap = Math.Abs(stNet - stBase);
        int disagree = gap < 128 ? 0 : gap < 384 ? 1 : gap < 1024 ? 2 : 3;
        int top = Math.Min(15, _net.TopProbability16 >> 12);
        int n = _inputs;
        _sel[0] = _c0 * n;
        _sel[1] = ((conf * 4 + disagree) * 8 + _bit) * n;
        _sel[2] = _c1 * n;
        _sel[3] = (top * 8 + _bit) * n;
        for (int s = 0; s < Sets; s++)
        {
            int[] w = _w[s];
            int o = _sel[s];
            long dot = 0;
            for (int i = 0; i < n; i++)
            {
                dot += (long)_x[i] * w[o + i];
            }
            int d = (int)Math.Clamp(dot >> 16, -2047, 2047);
            _p1[s] = Logistic.Squash(d);
            _x2[s] = d;
        }
        _sel2 = _o.FinalByConfidence ? (top >> 1) * 8 + _bit : _bit;
        long dot2 = 0;
        for (int s = 0; s < Sets; s++)
        {
            dot2 += (long)_x2[s] * _w2[_sel2 * Sets + s];
        }
        _pMix = Logistic.Squash((int)Math.Clamp(dot2 >> 16, -2047, 2047));
        int refined = _sseOut.P(Logistic.Stretch(_pMix), _c0 | (_c1 << 8));
        _pr = Probability.Clamp((_pMix * 16 * (4 - _o.SseShare) + refined * _o.SseShare + 2) >> 2);
    }

    /// <summary>
    /// The network's expected byte as a mixer input: ±stretch(its probability among the bytes still possible), the
    /// sign being the expected byte's bit at position <paramref name="bitPosition"/> (0 = the top bit).
    /// </summary>
    private static int ExpectedBitInput(int top16, int expected, int bitPosition)
    {
        int st = Logistic.Stretch(Math.Clamp(top16 >> 4, 1, 4095));
        return ((expected >> (7 - bitPosition)) & 1) != 0 ? st : -st;
    }

    /// <inheritdoc />
    public void Prime(ReadOnlySpan<byte> data)
    {
        if (_bit != 0)
        {
            throw new InvalidOperationException("Prime must be called at a byte boundary.");
        }
        foreach (byte b in data)
        {
            for (int k = 7; k >= 0; k--)
            {
                Update((b >> k) & 1);
            }
        }
    }

    /// <inheritdoc />
    public IByteModel Clone() => new CmNnModel(this);

    /// <summary>
    /// Adaptive probability map (SSE): (stretched p, context) → refined P(1), 16 bits. Each context has 33 knots over
    /// stretch −2048 … 2048 (steps of 128); the output interpolates the two nearest knots, and the update moves both
    /// toward the bit in proportion to their interpolation weights (rate 1/64). Knots start at squash(knot).
    /// </summary>
    private sealed class Sse
    {
        private readonly ushort[] _t;
        private int _index;
        private int _frac;

        public Sse(int contexts)
        {
            _t = new ushort[contexts * 33];
            // every context starts with the same row: computed once, copied to the others
            Span<ushort> row = stackalloc ushort[33];
            for (int j = 0; j < 33; j++)
            {
                row[j] = (ushort)(Logistic.Squash((j - 16) * 128) * 16);
            }
            for (int c = 0; c < contexts; c++)
            {
                row.CopyTo(_t.AsSpan(c * 33, 33));
            }
        }

        private Sse(Sse o)
        {
            _t = (ushort[])o._t.Clone();
            _index = o._index;
            _frac = o._frac;
        }

        public long MemoryBytes => _t.Length * 2L;

        public int P(int st, int context)
        {
            int s = Math.Clamp(st, -2047, 2047) + 2048;
            int j = s >> 7;
            _frac = s & 127;
            _index = context * 33 + j;
            return (_t[_index] * (128 - _frac) + _t[_index + 1] * _frac) >> 7;
        }

        public void Update(int bit)
        {
            int target = bit << 16;
            int a = _t[_index], b = _t[_index + 1];
            a += ((target - a) >> 6) * (128 - _frac) >> 7;
            b += ((target - b) >> 6) * _frac >> 7;
            _t[_index] = (ushort)Math.Clamp(a, 32, 65535 - 32);
            _t[_index + 1] = (ushort)Math.Clamp(b, 32, 65535 - 32);
        }

        public Sse Clone() => new(this);
    }
}
