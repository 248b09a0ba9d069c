namespace Kolmo.Neural;

/// <summary>
/// A next-symbol predictor fed one symbol at a time (KV cache or recurrent state inside), for putting a
/// trained model behind a range coder. Deterministic: the same model and symbols give the same floats on
/// every machine, SIMD width and thread count. Call order: <see cref="Probabilities"/>, <see cref="Update"/>, …
/// </summary>
public interface ISymbolPredictor
{
    /// <summary>Number of symbols V.</summary>
    int VocabSize { get; }

    /// <summary>Symbols seen since construction or <see cref="Reset"/>.</summary>
    long Position { get; }

    /// <summary>P(next symbol = s) for s in [0, V): sums to 1 up to rounding; uniform before the first symbol.</summary>
    ReadOnlySpan<float> Probabilities { get; }

    /// <summary>Appends the symbol that actually came next.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="symbol"/> is outside [0, V).</exception>
    void Update(int symbol);

    /// <summary>Forgets all history.</summary>
    void Reset();

    /// <summary>
    /// An independent copy with the same history and state, reading the parameters of <paramref name="model"/>
    /// (default: the same model as this one; otherwise a model of identical configuration, e.g. a
    /// <see cref="SequenceModel.Clone"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="model"/> has a different kind or configuration.</exception>
    ISymbolPredictor Clone(SequenceModel? model = null);
}

/// <summary>
/// Base of the trainable sequence models (<see cref="Gpt"/>, <see cref="Lstm"/>): batched forward with a
/// (weighted) cross-entropy loss, backward into <see cref="ParameterSet.Grads"/>, an incremental predictor and
/// checkpoints (<see cref="Save"/>, <see cref="Load"/>; format in docs/NEURAL.md).
/// </summary>
public abstract class SequenceModel
{
    /// <summary>Creates the model around its parameters.</summary>
    protected SequenceModel(ParameterSet parameters)
    {
        Parameters = parameters;
    }

    /// <summary><c>gpt</c> or <c>lstm</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Vocabulary size V (256 for bytes).</summary>
    public abstract int VocabSize { get; }

    /// <summary>Longest training window T (the GPT context; the LSTM's backprop-through-time length).</summary>
    public abstract int Context { get; }

    /// <summary>The parameters and their gradients.</summary>
    public ParameterSet Parameters { get; }

    /// <summary>Optimiser steps taken so far (saved in checkpoints).</summary>
    public long StepsTrained { get; set; }

    /// <summary>
    /// Runs the model on <paramref name="batch"/> × <paramref name="time"/> input symbols (row-major [B,T]).
    /// With <paramref name="targets"/> (same shape; a negative target is ignored) returns the mean cross-entropy in
    /// nats, weighted by <paramref name="weights"/> when given (loss = Σ wₙ·lossₙ / Σ wₙ); without targets returns 0.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not match, T exceeds <see cref="Context"/> or a symbol is out of range.</exception>
    public abstract float Forward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int batch, int time, ReadOnlySpan<float> weights = default);

    /// <summary>Accumulates d(loss of the last <see cref="Forward"/>)/dθ into <see cref="ParameterSet.Grads"/>.</summary>
    /// <exception cref="InvalidOperationException">The last forward had no targets.</exception>
    public abstract void Backward();

    /// <summary>P(next symbol) at position (b, t) of the last <see cref="Forward"/>: a span of V floats.</summary>
    public abstract ReadOnlySpan<float> Probabilities(int b, int t);

    /// <summary>A fresh incremental predictor that shares this model's parameters (do not train while using it).</summary>
    public abstract ISymbolPredictor CreatePredictor();

    /// <summary>A deep copy of configuration, parameters and <see cref="StepsTrained"/> (gradients start at zero).</summary>
    public SequenceModel Clone()
    {
        using var ms = new MemoryStream();
        Save(ms);
        ms.Position = 0;
        return Load(ms);
    }

    /// <summary>Configuration integers stored in checkpoints.</summary>
    internal abstract int[] ConfigInts();

    /// <summary>Writes a checkpoint (format "Neural checkpoint" in docs/NEURAL.md).</summary>
    public void Save(Stream stream) => Checkpoint.Write(this, stream);

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The data is not a valid, intact checkpoint.</exception>
    public static SequenceModel Load(Stream stream) => Checkpoint.Read(stream);

    /// <summary>Checks shapes and symbol ranges of a forward call.</summary>
    protected void Validate(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int batch, int time, ReadOnlySpan<float> weights)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(time, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(time, Context);
        int n = batch * time;
        if (inputs.Length != n)
        {
            throw new ArgumentException($"inputs has {inputs.Length} symbols, expected B*T = {n}", nameof(inputs));
        }
        if (!targets.IsEmpty && targets.Length != n)
        {
            throw new ArgumentException($"targets has {targets.Length} symbols, expected B*T = {n}", nameof(targets));
        }
        if (!weights.IsEmpty && weights.Length != n)
        {
            throw new ArgumentException($"weights has {weights.Length} entries, expected B*T = {n}", nameof(weights));
        }
        foreach (int s in inputs)
        {
            if ((uint)s >= (uint)VocabSize)
            {
                throw new ArgumentException($"input symbol {s} outside [0, {VocabSize})", nameof(inputs));
            }
        }
        foreach (int s in targets)
        {
            if (s >= VocabSize)
            {
                throw new ArgumentException($"target symbol {s} outside [0, {VocabSize})", nameof(targets));
            }
        }
    }

    /// <summary>
    /// Weighted mean of per-position losses and the matching dloss (wₙ / Σw) per position. Sequential double sum:
    /// the same order on every machine.
    /// </summary>
    internal static float ReduceLoss(ReadOnlySpan<float> losses, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights, Span<float> dlosses)
    {
        double wsum = 0;
        double lsum = 0;
        for (int n = 0; n < losses.Length; n++)
        {
            float w = targets[n] < 0 ? 0f : weights.IsEmpty ? 1f : weights[n];
            wsum += w;
            lsum += (double)w * losses[n];
        }
        float inv = wsum > 0 ? (float)(1.0 / wsum) : 0f;
        for (int n = 0; n < losses.Length; n++)
        {
            float w = targets[n] < 0 ? 0f : weights.IsEmpty ? 1f : weights[n];
            dlosses[n] = w * inv;
        }
        return wsum > 0 ? (float)(lsum / wsum) : 0f;
    }
}
