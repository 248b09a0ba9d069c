namespace Kolmo.Vision;

/// <summary>
/// What the iGPT experiment needs from a transformer over token sequences (implemented on the neural engine's GPT
/// by <c>GptTokenTransformer</c>, created by <see cref="IgptModels"/>). Shapes: B = batch, T = <see cref="Context"/>,
/// C = <see cref="Width"/>, V = <see cref="Vocabulary"/>. The objective (next-pixel or masked) lives outside, in
/// <see cref="PixelObjective"/>: it chooses the inputs, the targets and (through <see cref="Causal"/>) the attention pattern.
/// </summary>
public interface ITokenTransformer
{
    /// <summary>Input/output vocabulary V (palette tokens plus the special start/mask token).</summary>
    int Vocabulary { get; }

    /// <summary>Sequence length T.</summary>
    int Context { get; }

    /// <summary>Number of transformer blocks L.</summary>
    int Layers { get; }

    /// <summary>Model width C.</summary>
    int Width { get; }

    /// <summary>Number of trainable parameters.</summary>
    long ParameterCount { get; }

    /// <summary>True when attention is causal (position t sees only positions ≤ t).</summary>
    bool Causal { get; }

    /// <summary>
    /// One optimiser step on inputs [B, T] and targets [B, T] (negative = no loss at that position): forward,
    /// cross-entropy over V, backward, update. Returns the mean loss in nats over the target positions.
    /// </summary>
    double TrainStep(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int batch);

    /// <summary>Forward pass without training over <paramref name="inputs"/> [B, T].</summary>
    void Forward(ReadOnlySpan<int> inputs, int batch);

    /// <summary>The V output probabilities at (b, t) of the last <see cref="Forward"/>.</summary>
    ReadOnlySpan<float> Probabilities(int b, int t);

    /// <summary>
    /// Per-layer activations of the last <see cref="Forward"/>, [B, L+1, T, C]: for each layer l (0 = embeddings,
    /// l = after block l) the residual stream, layer-normalised (no affine) at every position — iGPT's probe input
    /// (§3.3) before pooling over positions.
    /// </summary>
    float[] LayerActivations(int batch);

    /// <summary>Writes the weights alone as a file other tools can load (on the neural engine: a neural checkpoint, docs/NEURAL.md).</summary>
    void SaveWeights(Stream stream);

    /// <summary>
    /// Writes everything training needs to continue bit-identically: the weights and the optimiser state
    /// (moments, step). <see cref="LoadTrainingState"/> on a model of the same shape restores it.
    /// </summary>
    void SaveTrainingState(Stream stream);

    /// <summary>Restores a state written by <see cref="SaveTrainingState"/>.</summary>
    /// <exception cref="InvalidDataException">The state is corrupt or belongs to a model of another shape.</exception>
    void LoadTrainingState(Stream stream);

    /// <summary>An incremental next-token predictor sharing the weights (causal models only).</summary>
    /// <exception cref="InvalidOperationException">The model is not causal.</exception>
    INextTokenPredictor CreatePredictor();
}

/// <summary>
/// Fed one token at a time; gives the distribution of the next one. Deterministic: the same weights and tokens
/// give the same floats on every machine, so it can drive an arithmetic decoder.
/// </summary>
public interface INextTokenPredictor
{
    /// <summary>P(next token = v) for v in [0, V).</summary>
    ReadOnlySpan<float> Probabilities { get; }

    /// <summary>Appends the token that came next.</summary>
    void Update(int token);

    /// <summary>Forgets all history.</summary>
    void Reset();
}
