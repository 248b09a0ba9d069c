using Kolmo.Vision;

namespace Kolmo.Tests.Vision;

/// <summary>
/// A tiny trainable stand-in for a transformer, used to test the experiment plumbing independently of the neural
/// engine: p(· | input at t) = softmax(W[input[t]]) over V (a V×V table), so position t depends only on input t
/// (causal). Layer activations: layer 0 = one-hot of the input, layer 1 = the output distribution. Plain SGD.
/// </summary>
internal sealed class BigramTokenModel(int vocabulary, int context, float learningRate) : ITokenTransformer
{
    private readonly float[] _w = new float[vocabulary * vocabulary];
    private float[] _probs = [];
    private int[] _inputs = [];

    public int Vocabulary => vocabulary;

    public int Context => context;

    public int Layers => 1;

    public int Width => vocabulary;

    public long ParameterCount => _w.Length;

    public bool Causal => true;

    private void Softmax(int token, Span<float> output)
    {
        var row = _w.AsSpan(token * vocabulary, vocabulary);
        float max = float.NegativeInfinity;
        foreach (float x in row)
        {
            max = Math.Max(max, x);
        }
        float z = 0;
        for (int i = 0; i < vocabulary; i++)
        {
            output[i] = MathF.Exp(row[i] - max);
            z += output[i];
        }
        for (int i = 0; i < vocabulary; i++)
        {
            output[i] /= z;
        }
    }

    public void Forward(ReadOnlySpan<int> inputs, int batch)
    {
        _inputs = inputs.ToArray();
        _probs = new float[batch * context * vocabulary];
        for (int p = 0; p < batch * context; p++)
        {
            Softmax(inputs[p], _probs.AsSpan(p * vocabulary, vocabulary));
        }
    }

    public double TrainStep(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int batch)
    {
        Forward(inputs, batch);
        int count = 0;
        foreach (int t in targets)
        {
            count += t >= 0 ? 1 : 0;
        }
        var grad = new float[_w.Length];
        double loss = 0;
        for (int p = 0; p < batch * context; p++)
        {
            if (targets[p] < 0)
            {
                continue;
            }
            var pr = _probs.AsSpan(p * vocabulary, vocabulary);
            loss -= Math.Log(pr[targets[p]]);
            for (int i = 0; i < vocabulary; i++)
            {
                grad[inputs[p] * vocabulary + i] += (pr[i] - (i == targets[p] ? 1 : 0)) / count;
            }
        }
        for (int i = 0; i < _w.Length; i++)
        {
            _w[i] -= learningRate * grad[i];
        }
        return loss / count;
    }

    public ReadOnlySpan<float> Probabilities(int b, int t) => _probs.AsSpan((b * context + t) * vocabulary, vocabulary);

    public float[] LayerActivations(int batch)
    {
        int v = vocabulary;
        var r = new float[batch * 2 * context * v];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < context; t++)
            {
                int p = b * context + t;
                r[((b * 2) * context + t) * v + _inputs[p]] = 1f;
                _probs.AsSpan(p * v, v).CopyTo(r.AsSpan(((b * 2 + 1) * context + t) * v, v));
            }
        }
        return r;
    }

    public void SaveWeights(Stream stream)
    {
        using var w = new BinaryWriter(stream, System.Text.Encoding.ASCII, leaveOpen: true);
        foreach (float x in _w)
        {
            w.Write(x);
        }
    }

    // plain SGD keeps no optimiser state: the weights are the whole training state
    public void SaveTrainingState(Stream stream) => SaveWeights(stream);

    public void LoadTrainingState(Stream stream)
    {
        using var r = new BinaryReader(stream, System.Text.Encoding.ASCII, leaveOpen: true);
        for (int i = 0; i < _w.Length; i++)
        {
            _w[i] = r.ReadSingle();
        }
    }

    public INextTokenPredictor CreatePredictor() => new Predictor(this);

    private sealed class Predictor(BigramTokenModel m) : INextTokenPredictor
    {
        private readonly float[] _p = Enumerable.Repeat(1f / m.Vocabulary, m.Vocabulary).ToArray();

        public ReadOnlySpan<float> Probabilities => _p;

        public void Update(int token) => m.Softmax(token, _p);

        public void Reset() => Array.Fill(_p, 1f / m.Vocabulary);
    }
}
