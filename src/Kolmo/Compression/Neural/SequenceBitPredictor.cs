using Kolmo.Coding;
using Kolmo.Modeling;

namespace Kolmo.Compression.Neural;

/// <summary>
/// Binary decomposition of an <see cref="ISequenceModel"/>: byte distribution → P(next bit | bits so far of this byte).
/// <para>At the start of each byte the model's distribution is quantised with <see cref="FrequencyTable.FromProbabilities"/>
/// (integers, total 2^16) and kept as cumulative sums; for the partial byte with prefix c0 (k bits known) the symbols
/// that remain are an interval [lo, lo + 2^(8−k)), and
/// <c>P(1) = (16-bit) Σ f over the upper half / Σ f over the interval</c>, integer arithmetic only, clamped to [1, 65535].
/// The product of the 8 bit probabilities is the quantised byte probability (up to 16-bit rounding per bit).</para>
/// <para>After the 8th bit the byte is <see cref="ISequenceModel.Observe"/>d; every <c>block</c> bytes the model
/// <see cref="ISequenceModel.Learn"/>s the last block (the same schedule as <see cref="PrequentialCoder"/>).
/// This makes any sequence model an <see cref="IByteModel"/>, e.g. an input of a context-mixing mixer.</para>
/// Memory: the model plus the history of seen bytes (n bytes).
/// </summary>
public sealed class SequenceBitPredictor : IByteModel
{
    private readonly ISequenceModel _model;
    private readonly int _block;
    private readonly float[] _probs = new float[256];
    private readonly uint[] _freqs = new uint[256];
    private readonly uint[] _cum = new uint[257];
    private byte[] _history = new byte[1024];
    private int _count;
    private int _c0 = 1;       // 1, then the bits of the byte so far with a leading 1
    private int _bits;         // bits of the current byte seen, 0..7
    private bool _ready;

    /// <summary>Wraps <paramref name="model"/>, learning every <paramref name="block"/> bytes.</summary>
    public SequenceBitPredictor(ISequenceModel model, int block = PrequentialCoder.DefaultBlock)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        _model = model;
        _block = block;
    }

    /// <summary>The wrapped sequence model.</summary>
    public ISequenceModel Model => _model;

    /// <inheritdoc />
    public string Name => "nn";

    /// <inheritdoc />
    public long MemoryBytes => _model.ParameterCount * 4 + _history.Length;

    /// <summary>P(next byte's remaining bits = those of <paramref name="symbol"/>) is not needed by coders; this exposes the
    /// quantised frequency of a full byte at the current byte start (for tests and diagnostics).</summary>
    internal uint FrequencyAtByteStart(int symbol)
    {
        EnsureDistribution();
        return _freqs[symbol];
    }

    private void EnsureDistribution()
    {
        if (_ready)
        {
            return;
        }
        _model.Predict(_probs);
        FrequencyTable.FromProbabilities(_probs, _freqs, RangeEncoder.MaxTotal);
        uint c = 0;
        for (int i = 0; i < 256; i++)
        {
            _cum[i] = c;
            c += _freqs[i];
        }
        _cum[256] = c;
        _ready = true;
    }

    /// <inheritdoc />
    public int P()
    {
        EnsureDistribution();
        int width = 256 >> _bits;
        int lo = (_c0 - (1 << _bits)) * width;
        ulong all = _cum[lo + width] - _cum[lo];
        ulong ones = _cum[lo + width] - _cum[lo + width / 2];
        int p = (int)(((ones << 16) + all / 2) / all);
        return Probability.Clamp(p);
    }

    /// <inheritdoc />
    public void Update(int bit)
    {
        _c0 = (_c0 << 1) | (bit & 1);
        if (++_bits < 8)
        {
            return;
        }
        byte b = (byte)_c0;
        _c0 = 1;
        _bits = 0;
        Push(b);
    }

    private void Push(byte b)
    {
        if (_count == _history.Length)
        {
            Array.Resize(ref _history, _history.Length * 2);
        }
        _history[_count++] = b;
        _model.Observe(b);
        if (_count % _block == 0)
        {
            _model.Learn(_history.AsSpan(0, _count), _count - _block);
        }
        _ready = false;
    }

    /// <inheritdoc />
    public void Prime(ReadOnlySpan<byte> data)
    {
        if (_bits != 0)
        {
            throw new InvalidOperationException("Prime must be called at a byte boundary.");
        }
        foreach (byte b in data)
        {
            Push(b);
        }
    }

    /// <inheritdoc />
    public IByteModel Clone()
    {
        var c = new SequenceBitPredictor(_model.Clone(), _block)
        {
            _history = (byte[])_history.Clone(),
            _count = _count,
            _c0 = _c0,
            _bits = _bits,
        };
        return c;
    }
}
