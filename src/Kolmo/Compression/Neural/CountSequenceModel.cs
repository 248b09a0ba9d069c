namespace Kolmo.Compression.Neural;

/// <summary>
/// Adaptive order-k byte model, the simplest <see cref="ISequenceModel"/>: a dense table of counts
/// n(context, byte) for the k previous bytes, P(x | c) = (n(c, x) + α) / (n(c) + 256 α) with α = 1/2
/// (Krichevsky–Trofimov). Parameters are the counts themselves (256^(k+1) floats, exact integers).
/// <see cref="Learn"/> adds the counts of the new segment, so between two calls the model is frozen exactly as a
/// network is between two optimizer steps; it exists to test the prequential driver and the MDL accounting.
/// Memory: 4 · 256^(k+1) bytes (k = 0: 1 KiB, 1: 256 KiB, 2: 64 MiB).
/// </summary>
public sealed class CountSequenceModel : ISequenceModel
{
    /// <summary>Largest supported order.</summary>
    public const int MaxOrder = 2;

    private const float Alpha = 0.5f;
    private readonly int _order;
    private readonly float[] _counts;
    private readonly float[] _sums;
    private int _context;

    /// <summary>Creates an empty order-<paramref name="order"/> model.</summary>
    public CountSequenceModel(int order)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(order);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, MaxOrder);
        _order = order;
        int contexts = 1 << (8 * order);
        _counts = new float[contexts * 256];
        _sums = new float[contexts];
    }

    /// <inheritdoc />
    public string Spec => $"order:k={_order}";

    /// <inheritdoc />
    public long ParameterCount => _counts.Length;

    private int Mask => (1 << (8 * _order)) - 1;

    /// <inheritdoc />
    public void Predict(Span<float> probabilities)
    {
        int b = _context * 256;
        float denom = _sums[_context] + 256 * Alpha;
        for (int i = 0; i < 256; i++)
        {
            probabilities[i] = (_counts[b + i] + Alpha) / denom;
        }
    }

    /// <inheritdoc />
    public void Observe(byte symbol) => _context = ((_context << 8) | symbol) & Mask;

    /// <inheritdoc />
    public void Learn(ReadOnlySpan<byte> history, int start)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, history.Length);
        if (Frozen)
        {
            return;
        }
        for (int t = start; t < history.Length; t++)
        {
            int c = 0;
            for (int j = Math.Max(0, t - _order); j < t; j++)
            {
                c = (c << 8) | history[j];
            }
            _counts[c * 256 + history[t]] += 1;
            _sums[c] += 1;
        }
    }

    /// <inheritdoc />
    public bool Frozen { get; set; }

    /// <inheritdoc />
    public void ResetContext() => _context = 0;

    /// <inheritdoc />
    public ISequenceModel Clone()
    {
        var c = new CountSequenceModel(_order);
        _counts.CopyTo(c._counts, 0);
        _sums.CopyTo(c._sums, 0);
        c._context = _context;
        return c;
    }

    /// <inheritdoc />
    public void ReadParameters(Span<float> destination) => _counts.CopyTo(destination);

    /// <inheritdoc />
    public void WriteParameters(ReadOnlySpan<float> source)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(source.Length, _counts.Length, nameof(source));
        for (int c = 0; c < _sums.Length; c++)
        {
            float s = 0;
            for (int i = 0; i < 256; i++)
            {
                // counts must stay non-negative for P to be a distribution
                float v = Math.Max(0f, source[c * 256 + i]);
                _counts[c * 256 + i] = v;
                s += v;
            }
            _sums[c] = s;
        }
    }
}
