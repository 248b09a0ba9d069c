namespace Kolmo.Vision;

/// <summary>
/// What the iGPT experiment needs from a transformer over token sequences (implemented on the neural engine by
/// the GPT adapter). Shapes: B = batch, T = <see cref="Context"/>, C = <see cref="Width"/>,
/// V = <see cref="Vocabulary"/>. The objective (next-pixel or masked) lives outside, in <see cref="PixelObjective"/>:
/// it chooses inputs, the attention pattern and which positions carry loss.
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
    /// Forward pass over <paramref name="inputs"/> [B, T]; returns the logits [B, T, V] (valid until the next call).
    /// </summary>
    ReadOnlySpan<float> Forward(ReadOnlySpan<int> inputs, int batch);

    /// <summary>
    /// Mean-pooled (over the T positions) activations of every block of the last <see cref="Forward"/>:
    /// [B, L+1, C], index 0 = the embedding output, l = the residual stream after block l.
    /// The final layer norm is applied to each pooled vector's source as iGPT does (layer-normalised activations).
    /// </summary>
    float[] PooledActivations(int batch);

    /// <summary>
    /// Cross-entropy training step: backpropagates d loss / d logits = <paramref name="dLogits"/> [B, T, V] from the
    /// last <see cref="Forward"/> (which must have been over the same batch) and applies one optimiser step.
    /// </summary>
    void Backward(ReadOnlySpan<float> dLogits, int batch);

    /// <summary>Applies one optimiser update with learning rate <paramref name="learningRate"/> and clears the gradients.</summary>
    void Step(float learningRate);
}
