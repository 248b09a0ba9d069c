using Kolmo.Vision;

namespace Kolmo.Tests.Vision;

/// <summary>
/// A tiny trainable stand-in for a transformer, used to test the experiment plumbing independently of the neural
/// engine: logits[b, t] = W[input[b, t]] (a V×V table), so position t depends only on input t (causal).
/// Pooled activations: layer 0 = mean one-hot of the inputs, layer 1 = mean softmax output. Plain SGD.
/// </summary>
internal sealed class BigramTokenModel(int vocabulary, int context) : ITokenTransformer
{
    private readonly float[] _w = new float[vocabulary * vocabulary];
    private readonly float[] _dw = new float[vocabulary * vocabulary];
    private float[] _logits = [];
    private int[] _inputs = [];

    public int Vocabulary => vocabulary;

    public int Context => context;

    public int Layers => 1;

    public int Width => vocabulary;

    public long ParameterCount => _w.Length;

    public bool Causal => true;

    public ReadOnlySpan<float> Forward(ReadOnlySpan<int> inputs, int batch)
    {
        _inputs = inputs.ToArray();
        _logits = new float[batch * context * vocabulary];
        for (int p = 0; p < batch * context; p++)
        {
            _w.AsSpan(inputs[p] * vocabulary, vocabulary).CopyTo(_logits.AsSpan(p * vocabulary, vocabulary));
        }
        return _logits;
    }

    public float[] PooledActivations(int batch)
    {
        int v = vocabulary;
        var r = new float[batch * 2 * v];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < context; t++)
            {
                int p = b * context + t;
                r[(b * 2) * v + _inputs[p]] += 1f / context;
                var row = _logits.AsSpan(p * v, v);
                float max = float.NegativeInfinity;
                foreach (float x in row)
                {
                    max = Math.Max(max, x);
                }
                float z = 0;
                foreach (float x in row)
                {
                    z += MathF.Exp(x - max);
                }
                for (int i = 0; i < v; i++)
                {
                    r[(b * 2 + 1) * v + i] += MathF.Exp(row[i] - max) / z / context;
                }
            }
        }
        return r;
    }

    public void Backward(ReadOnlySpan<float> dLogits, int batch)
    {
        for (int p = 0; p < batch * context; p++)
        {
            var d = dLogits.Slice(p * vocabulary, vocabulary);
            var g = _dw.AsSpan(_inputs[p] * vocabulary, vocabulary);
            for (int i = 0; i < vocabulary; i++)
            {
                g[i] += d[i];
            }
        }
    }

    public void Step(float learningRate)
    {
        for (int i = 0; i < _w.Length; i++)
        {
            _w[i] -= learningRate * 100 * _dw[i];
        }
        Array.Clear(_dw);
    }
}
