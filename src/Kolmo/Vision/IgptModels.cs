using Kolmo.Neural;

namespace Kolmo.Vision;

/// <summary>Creates the transformers of the iGPT experiment on the neural engine.</summary>
public static class IgptModels
{
    /// <summary>
    /// A <see cref="Gpt"/> of <paramref name="size"/> for <paramref name="objective"/> (causal for AR, bidirectional for
    /// masked) over sequences of <paramref name="context"/> tokens, vocabulary K + 1, trained by AdamW with the
    /// options' peak learning rate, warm-up over 5% of the steps and cosine decay to 10%, weight decay 0.1, clip 1.
    /// </summary>
    public static ITokenTransformer Create(ModelSize size, PixelObjective objective, int context, IgptOptions options)
    {
        ArgumentNullException.ThrowIfNull(size);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(options);
        var gpt = new Gpt(new GptConfig(objective.Vocabulary, context, size.Layers, size.Width, size.Heads, objective.Causal), options.Seed);
        var train = new TrainOptions(LearningRate: options.LearningRate, Steps: options.Steps, WarmupSteps: Math.Max(1, options.Steps / 20));
        return new GptTokenTransformer(gpt, train);
    }
}

/// <summary>
/// <see cref="ITokenTransformer"/> over the neural engine's <see cref="Gpt"/> and <see cref="Trainer"/> (AdamW).
/// Probe features: every residual-stream layer of <see cref="Gpt.Hidden"/> (0 = embeddings, l = after block l),
/// layer-normalised per position without affine parameters (iGPT §3.3); the experiment pools them.
/// </summary>
public sealed class GptTokenTransformer : ITokenTransformer
{
    private readonly Gpt _gpt;
    private readonly Trainer _trainer;
    private int _batch;

    /// <summary>Wraps <paramref name="gpt"/>, trained with <paramref name="options"/>.</summary>
    public GptTokenTransformer(Gpt gpt, TrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(gpt);
        _gpt = gpt;
        _trainer = new Trainer(gpt, options);
    }

    /// <summary>The wrapped model.</summary>
    public Gpt Model => _gpt;

    /// <inheritdoc />
    public int Vocabulary => _gpt.Config.VocabSize;

    /// <inheritdoc />
    public int Context => _gpt.Config.Context;

    /// <inheritdoc />
    public int Layers => _gpt.Config.Layers;

    /// <inheritdoc />
    public int Width => _gpt.Config.Dim;

    /// <inheritdoc />
    public long ParameterCount => _gpt.Parameters.Count;

    /// <inheritdoc />
    public bool Causal => _gpt.Config.Causal;

    /// <inheritdoc />
    public double TrainStep(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int batch)
    {
        _batch = batch;
        return _trainer.TrainStep(new Batch(inputs.ToArray(), targets.ToArray(), batch, Context));
    }

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<int> inputs, int batch)
    {
        _batch = batch;
        _gpt.Forward(inputs, default, batch, Context);
    }

    /// <inheritdoc />
    public ReadOnlySpan<float> Probabilities(int b, int t) => _gpt.Probabilities(b, t);

    /// <inheritdoc />
    public float[] LayerActivations(int batch)
    {
        if (batch != _batch)
        {
            throw new ArgumentException($"the last forward had batch {_batch}, not {batch}.", nameof(batch));
        }
        int layers = Layers + 1, c = Width, t = Context;
        var result = new float[(long)batch * layers * t * c];
        for (int l = 0; l < layers; l++)
        {
            var h = _gpt.Hidden(l);   // [B, T, C]
            for (int b = 0; b < batch; b++)
            {
                for (int i = 0; i < t; i++)
                {
                    var x = h.Slice((b * t + i) * c, c);
                    double mean = 0;
                    for (int j = 0; j < c; j++)
                    {
                        mean += x[j];
                    }
                    mean /= c;
                    double var = 0;
                    for (int j = 0; j < c; j++)
                    {
                        var += (x[j] - mean) * (x[j] - mean);
                    }
                    double rstd = 1 / Math.Sqrt(var / c + 1e-5);
                    var dst = result.AsSpan((int)((((long)b * layers + l) * t + i) * c), c);
                    for (int j = 0; j < c; j++)
                    {
                        dst[j] = (float)((x[j] - mean) * rstd);
                    }
                }
            }
        }
        return result;
    }

    /// <inheritdoc />
    public void SaveWeights(Stream stream) => _gpt.Save(stream);

    /// <inheritdoc />
    public void SaveTrainingState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var weights = new MemoryStream();
        _gpt.Save(weights);
        using var w = new BinaryWriter(stream, System.Text.Encoding.ASCII, leaveOpen: true);
        w.Write(weights.Length);
        w.Write(weights.GetBuffer(), 0, (int)weights.Length);
        w.Flush();
        _trainer.WriteState(stream);
    }

    /// <inheritdoc />
    public void LoadTrainingState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var r = new BinaryReader(stream, System.Text.Encoding.ASCII, leaveOpen: true);
        long length;
        try
        {
            length = r.ReadInt64();
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("training state is truncated");
        }
        if (length < 0 || length > stream.Length - stream.Position)
        {
            throw new InvalidDataException("training state is truncated or corrupt");
        }
        var loaded = SequenceModel.Load(new MemoryStream(r.ReadBytes((int)length)));
        if (loaded is not Gpt gpt || gpt.Config != _gpt.Config)
        {
            throw new InvalidDataException($"training state holds another model than {_gpt.Config}");
        }
        gpt.Parameters.Values.CopyTo(_gpt.Parameters.Values, 0);
        _gpt.StepsTrained = gpt.StepsTrained;
        _trainer.ReadState(stream);
    }

    /// <inheritdoc />
    public INextTokenPredictor CreatePredictor() => new Predictor(_gpt.CreatePredictor());

    private sealed class Predictor(ISymbolPredictor inner) : INextTokenPredictor
    {
        public ReadOnlySpan<float> Probabilities => inner.Probabilities;

        public void Update(int token) => inner.Update(token);

        public void Reset() => inner.Reset();
    }
}
