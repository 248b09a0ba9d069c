using Kolmo.Coding;
using Kolmo.Modeling;

namespace Kolmo.Compression.Neural;

/// <summary>
/// Binary decomposition of an <see cref="ISequenceModel"/>: byte distribution → P(next bit | bits so far of this byte).
/// <para>At the start of each byte the model's distribution is quantised to integers with total 2^b, every byte at
/// least 1 (<see cref="Quantise"/>; b = 16, the range coder's precision, in the first container layout, b = 24 since)
/// and kept as cumulative sums; for the partial byte with prefix c0 (k bits known) the symbols
/// that remain are an interval [lo, lo + 2^(8−k)), and
/// <c>P(1) = (16-bit) Σ f over the upper half / Σ f over the interval</c>, integer arithmetic only, clamped to [1, 65535].
/// The product of the 8 bit probabilities is the quantised byte probability (up to 16-bit rounding per bit).</para>
/// <para>After the 8th bit the byte is <see cref="ISequenceModel.Observe"/>d; every <c>block</c> bytes the model
/// <see cref="ISequenceModel.Learn"/>s the last block (the same schedule as <see cref="PrequentialCoder"/>).
/// This makes any sequence model an <see cref="IByteModel"/>, e.g. an input of a context-mixing mixer.</para>
/// Memory: the model plus the history of seen bytes (n bytes).
/// </summary>
public sealed class SequenceBitPredictor : INetworkBitPredictor
{
    private readonly ISequenceModel _model;
    private readonly int _block;
    private readonly int _precision;
    private readonly float[] _probs = new float[256];
    private readonly uint[] _freqs = new uint[256];
    private readonly uint[] _cum = new uint[257];
    private byte[] _history = new byte[1024];
    private int _count;        // bytes in _history
    private long _seen;        // bytes seen in all (the training schedule counts these)
    private int _c0 = 1;       // 1, then the bits of the byte so far with a leading 1
    private int _bits;         // bits of the current byte seen, 0..7
    private bool _ready;
    private int _scanned;      // the c0 of the last Scan, 0 = none
    private int _expected;
    private int _top;

    /// <summary>Bytes of history kept before the current training block (models train on at most this much context).</summary>
    private const int HistoryContext = 1 << 16;

    /// <summary>Smallest quantisation precision (bits of the total), the range coder's.</summary>
    public const int MinPrecision = 16;

    /// <summary>Largest quantisation precision (bits of the total).</summary>
    public const int MaxPrecision = 24;

    /// <summary>Wraps <paramref name="model"/>, learning every <paramref name="block"/> bytes, quantising to totals of 2^<paramref name="precision"/>.</summary>
    public SequenceBitPredictor(ISequenceModel model, int block = PrequentialCoder.DefaultBlock, int precision = MaxPrecision)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(precision, MinPrecision);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(precision, MaxPrecision);
        _model = model;
        _block = block;
        _precision = precision;
    }

    /// <summary>
    /// Quantises <paramref name="probabilities"/> (non-negative, positive sum) to integer frequencies with total
    /// exactly 2^<paramref name="precision"/>, each ≥ 1: f_i = 1 + ⌊(2^b − n)·p_i / Σp⌋ in double, the rounding
    /// remainder to the most likely byte. At b = 16 this is <see cref="FrequencyTable.FromProbabilities"/>.
    /// </summary>
    public static void Quantise(ReadOnlySpan<float> probabilities, Span<uint> frequencies, int precision)
    {
        if (precision == MinPrecision)
        {
            FrequencyTable.FromProbabilities(probabilities, frequencies, RangeEncoder.MaxTotal);
            return;
        }
        int n = probabilities.Length;
        uint total = 1u << precision;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += probabilities[i];
        }
        uint spare = total - (uint)n;
        uint used = 0;
        int argmax = 0;
        for (int i = 0; i < n; i++)
        {
            uint f = 1 + (uint)(spare * (probabilities[i] / sum));
            frequencies[i] = f;
            used += f;
            if (probabilities[i] > probabilities[argmax])
            {
                argmax = i;
            }
        }
        frequencies[argmax] = used <= total ? frequencies[argmax] + (total - used) : frequencies[argmax] - (used - total);
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
        Quantise(_probs, _freqs, _precision);
        uint c = 0;
        for (int i = 0; i < 256; i++)
        {
            _cum[i] = c;
            c += _freqs[i];
        }
        _cum[256] = c;
        _ready = true;
    }

    /// <summary>The most likely byte given the bits of the current byte seen so far (ties: the smaller value).</summary>
    public int ExpectedByte
    {
        get
        {
            Scan();
            return _expected;
        }
    }

    /// <summary>That byte's probability among the bytes still possible, on 16 bits (0 … 65536).</summary>
    public int TopProbability16
    {
        get
        {
            Scan();
            return _top;
        }
    }

    private void Scan()
    {
        EnsureDistribution();
        if (_scanned == _c0)
        {
            return;
        }
        int width = 256 >> _bits;
        int lo = (_c0 - (1 << _bits)) * width;
        int best = lo;
        for (int i = lo + 1; i < lo + width; i++)
        {
            if (_freqs[i] > _freqs[best])
            {
                best = i;
            }
        }
        ulong all = _cum[lo + width] - _cum[lo];
        _expected = best;
        _top = (int)(((ulong)_freqs[best] << 16) / all);
        _scanned = _c0;
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
            // keep the recent past only: enough context for any model's training window
            int keep = _block + HistoryContext;
            if (_count >= 2 * keep)
            {
                Array.Copy(_history, _count - keep, _history, 0, keep);
                _count = keep;
            }
            else
            {
                Array.Resize(ref _history, _history.Length * 2);
            }
        }
        _history[_count++] = b;
        _seen++;
        _model.Observe(b);
        if (_seen % _block == 0)
        {
            _model.Learn(_history.AsSpan(0, _count), _count - _block);
        }
        _ready = false;
        _scanned = 0;
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
        var c = new SequenceBitPredictor(_model.Clone(), _block, _precision)
        {
            _history = (byte[])_history.Clone(),
            _count = _count,
            _seen = _seen,
            _c0 = _c0,
            _bits = _bits,
        };
        return c;
    }
}
