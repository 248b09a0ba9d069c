using System.Globalization;
using Kolmo.Neural;

namespace Kolmo.Compression.Neural;

/// <summary>
/// Adapts the neural engine's <see cref="SequenceModel"/> (<see cref="Lstm"/>, <see cref="Gpt"/>) to
/// <see cref="ISequenceModel"/> for prequential coding, NNCP-style.
/// <list type="bullet">
/// <item>Prediction: the engine's incremental predictor (LSTM recurrent state / GPT KV cache), one byte at a time.</item>
/// <item>Learning: after each block, one AdamW step (constant learning rate, no weight decay, gradient clip 1) on the
/// last window of up to T + 1 coded bytes (inputs x[n−T−1 … n−2], targets x[n−T … n−1], T = the model's context),
/// starting from a zero state as the engine's batched forward does. With block = T every byte is trained on once;
/// a smaller block overlaps the windows (more steps per byte, slower).</item>
/// <item>The predictor keeps running across updates (its state was computed with slightly older weights, exactly
/// the same way in encoder and decoder).</item>
/// </list>
/// Configuration strings: <c>lstm:h=H,l=L,t=T,lr=η,seed=S</c> and <c>gpt:d=C,l=L,heads=NH,t=T,lr=η,seed=S</c>.
/// Determinism rests on the engine's kernels (same bits for every SIMD width and thread count) and on AdamW's
/// fixed-order arithmetic.
/// </summary>
public sealed class NetworkSequenceModel : ISequenceModel
{
    private readonly SequenceModel _net;
    private readonly Trainer _trainer;
    private readonly ISymbolPredictor _predictor;
    private readonly float _lr;

    /// <summary>Wraps <paramref name="net"/>, training it with AdamW at learning rate <paramref name="learningRate"/>.</summary>
    public NetworkSequenceModel(SequenceModel net, float learningRate, string spec)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentException.ThrowIfNullOrEmpty(spec);
        if (net.VocabSize != 256)
        {
            throw new ArgumentException($"a byte model needs vocabulary 256, not {net.VocabSize}", nameof(net));
        }
        _net = net;
        _lr = learningRate;
        Spec = spec;
        _trainer = new Trainer(net, new TrainOptions(learningRate, int.MaxValue, 0, 1f, 0f, 0.9f, 0.999f, 1e-8f, 1f));
        _predictor = net.CreatePredictor();
    }

    /// <summary>
    /// Largest network a configuration may describe: 2^26 floats of weights plus one training window's activations
    /// (256 MiB; gradients and Adam moments add about three times the weights). A configuration string is read from
    /// a container header, i.e. from outside, so this bounds what a crafted file can make the decoder allocate.
    /// </summary>
    public const long MaxNetworkFloats = 1L << 26;

    /// <summary>Builds the model of a <c>lstm:…</c> configuration.</summary>
    public static NetworkSequenceModel CreateLstm(IReadOnlyDictionary<string, string> o)
    {
        int h = SequenceModels.GetInt(o, "h", 128), l = SequenceModels.GetInt(o, "l", 1), t = SequenceModels.GetInt(o, "t", 32);
        float lr = SequenceModels.GetFloat(o, "lr", 0.003f);
        int seed = SequenceModels.GetInt(o, "seed", 1);
        var cfg = new LstmConfig(256, t, l, h);
        cfg.Validate();
        CheckSize("lstm", 2L * 256 * h + (long)l * 4 * h * (2L * h + 1) + 256 + 8L * t * l * h);
        return new NetworkSequenceModel(new Lstm(cfg, (ulong)seed), lr, Format("lstm", ("h", h), ("l", l), ("t", t), ("lr", lr), ("seed", seed)));
    }

    /// <summary>Builds the model of a <c>gpt:…</c> configuration.</summary>
    public static NetworkSequenceModel CreateGpt(IReadOnlyDictionary<string, string> o)
    {
        int d = SequenceModels.GetInt(o, "d", 64), l = SequenceModels.GetInt(o, "l", 2), heads = SequenceModels.GetInt(o, "heads", 4), t = SequenceModels.GetInt(o, "t", 64);
        float lr = SequenceModels.GetFloat(o, "lr", 0.002f);
        int seed = SequenceModels.GetInt(o, "seed", 1);
        var cfg = new GptConfig(256, t, l, d, heads);
        cfg.Validate();
        CheckSize("gpt", 256L * d + (long)t * d + 12L * l * d * d + (long)t * (l * (16L * d + (long)heads * t) + 512));
        return new NetworkSequenceModel(new Gpt(cfg, (ulong)seed), lr, Format("gpt", ("d", d), ("l", l), ("heads", heads), ("t", t), ("lr", lr), ("seed", seed)));
    }

    private static void CheckSize(string kind, long floats)
    {
        if (floats > MaxNetworkFloats)
        {
            throw new ArgumentException($"{kind} configuration needs about {floats:N0} floats, more than the limit of {MaxNetworkFloats:N0}");
        }
    }

    /// <summary>Loads a <c>kolmo train</c> checkpoint (null when the bytes are not one), to be trained on at <paramref name="learningRate"/>.</summary>
    public static NetworkSequenceModel? TryLoad(byte[] checkpoint, float learningRate = 0.001f)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Length < 8 || !checkpoint.AsSpan(0, 8).SequenceEqual("KOLMONN1"u8))
        {
            return null;
        }
        var net = SequenceModel.Load(new MemoryStream(checkpoint, writable: false));
        string spec = net switch
        {
            Lstm m => Format("lstm", ("h", m.Config.Hidden), ("l", m.Config.Layers), ("t", m.Config.Context), ("lr", learningRate)),
            Gpt g => Format("gpt", ("d", g.Config.Dim), ("l", g.Config.Layers), ("heads", g.Config.Heads), ("t", g.Config.Context), ("lr", learningRate)),
            _ => net.Kind,
        };
        return new NetworkSequenceModel(net, learningRate, spec);
    }

    private static string Format(string kind, params (string Key, object Value)[] options)
        => kind + ":" + string.Join(',', options.Select(o => o.Key + "=" + Convert.ToString(o.Value, CultureInfo.InvariantCulture)));

    /// <summary>The wrapped network.</summary>
    public SequenceModel Network => _net;

    /// <inheritdoc />
    public string Spec { get; }

    /// <summary>Training window T (the network's context): the natural block length.</summary>
    public int Window => _net.Context;

    /// <inheritdoc />
    public long ParameterCount => _net.Parameters.Count;

    /// <inheritdoc />
    public void Predict(Span<float> probabilities) => _predictor.Probabilities.CopyTo(probabilities);

    /// <inheritdoc />
    public void Observe(byte symbol) => _predictor.Update(symbol);

    /// <inheritdoc />
    public void Learn(ReadOnlySpan<byte> history, int start)
    {
        int t = Math.Min(_net.Context, history.Length - 1);
        if (t < 1 || Frozen)
        {
            return;
        }
        var inputs = new int[t];
        var targets = new int[t];
        int first = history.Length - t - 1;
        for (int i = 0; i < t; i++)
        {
            inputs[i] = history[first + i];
            targets[i] = history[first + i + 1];
        }
        _trainer.TrainStep(new Batch(inputs, targets, 1, t));
    }

    /// <inheritdoc />
    public bool Frozen { get; set; }

    /// <inheritdoc />
    public void ResetContext() => _predictor.Reset();

    /// <inheritdoc />
    public void ReadParameters(Span<float> destination) => _net.Parameters.Values.CopyTo(destination);

    /// <inheritdoc />
    public void WriteParameters(ReadOnlySpan<float> source)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(source.Length, _net.Parameters.Values.Length, nameof(source));
        source.CopyTo(_net.Parameters.Values);
    }

    /// <summary>
    /// A copy with the same weights and a fresh context and optimizer state (the engine does not expose AdamW's
    /// moments), so a clone continues training slightly differently from the original.
    /// </summary>
    public ISequenceModel Clone()
    {
        var ms = new MemoryStream();
        _net.Save(ms);
        var copy = new NetworkSequenceModel(SequenceModel.Load(new MemoryStream(ms.ToArray())), _lr, Spec);
        return copy;
    }
}
