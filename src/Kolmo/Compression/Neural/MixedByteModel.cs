using Kolmo.Coding;
using Kolmo.Modeling;

namespace Kolmo.Compression.Neural;

/// <summary>
/// Final logistic mixer over whole byte models (e.g. the CM predictor and a <see cref="SequenceBitPredictor"/>):
/// cmix-style, each model's P(1) becomes a stretched input and a gated linear unit learns how much to trust each.
/// <para>Maps: inputs x_i = stretch(p_i) (12-bit domain, ±2047) plus a bias 256 → P(1) = squash(Σ w_i x_i / 2^16), 12 bits,
/// returned on the 16-bit scale. One weight vector per context (the partial byte c0, 1..255, × the bucket of
/// |x_last| in 4 steps, so the mixer can learn "trust the network when it is confident"): 1024 · (m + 1) weights.</para>
/// <para>Update (online gradient step on coding cost): err = (y·4096 − p12) · lr; w_i += (x_i · err) &gt;&gt; 13, integers only,
/// so the output is identical on every machine. Weights start at 1 for the first model and 0 elsewhere, so the
/// mix starts as the first model and can only lose a few bits while the weights move (the "small overhead").</para>
/// <para>Call order: <see cref="P"/> asks every model, <see cref="Update"/> updates every model, then the weights.</para>
/// </summary>
public sealed class MixedByteModel : IByteModel
{
    private const int Contexts = 256 * 4;
    private readonly IByteModel[] _models;
    private readonly int[] _x;
    private readonly int[] _w;
    private readonly int _lr;
    private int _c0 = 1;
    private int _ctx;
    private int _pr = 2048;

    /// <summary>Mixes <paramref name="models"/> (the first is the one trusted at the start); <paramref name="learningRate"/> ≥ 1.</summary>
    public MixedByteModel(IReadOnlyList<IByteModel> models, string name = "cm+nn", int learningRate = 2)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfLessThan(models.Count, 1, nameof(models));
        ArgumentOutOfRangeException.ThrowIfLessThan(learningRate, 1);
        _models = [.. models];
        Name = name;
        _lr = learningRate;
        int n = _models.Length + 1;
        _x = new int[n];
        _w = new int[Contexts * n];
        for (int c = 0; c < Contexts; c++)
        {
            _w[c * n] = 1 << 16;
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The mixed models.</summary>
    public IReadOnlyList<IByteModel> Models => _models;

    /// <inheritdoc />
    public long MemoryBytes => _models.Sum(m => m.MemoryBytes) + _w.Length * 4L;

    /// <inheritdoc />
    public int P()
    {
        int n = _x.Length;
        for (int i = 0; i < _models.Length; i++)
        {
            _x[i] = Logistic.Stretch(_models[i].P() >> 4);
        }
        _x[n - 1] = 256;
        int last = Math.Abs(_x[n - 2]);
        int bucket = last < 256 ? 0 : last < 768 ? 1 : last < 1536 ? 2 : 3;
        _ctx = (_c0 * 4 + bucket) * n;
        long dot = 0;
        for (int i = 0; i < n; i++)
        {
            dot += (long)_x[i] * _w[_ctx + i];
        }
        _pr = Logistic.Squash((int)(dot >> 16));
        return Probability.Clamp(_pr << 4);
    }

    /// <inheritdoc />
    public void Update(int bit)
    {
        int err = (((bit & 1) << 12) - _pr) * _lr;
        for (int i = 0; i < _x.Length; i++)
        {
            _w[_ctx + i] += (_x[i] * err) >> 13;
        }
        foreach (var m in _models)
        {
            m.Update(bit);
        }
        _c0 = (_c0 << 1) | (bit & 1);
        if (_c0 >= 256)
        {
            _c0 = 1;
        }
    }

    /// <summary>Learns <paramref name="data"/> by running the full predict/update loop (models and mixer weights).</summary>
    public void Prime(ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            for (int k = 7; k >= 0; k--)
            {
                P();
                Update((b >> k) & 1);
            }
        }
    }

    /// <inheritdoc />
    public IByteModel Clone()
    {
        var c = new MixedByteModel([.. _models.Select(m => m.Clone())], Name, _lr);
        _w.CopyTo(c._w, 0);
        c._c0 = _c0;
        return c;
    }
}
