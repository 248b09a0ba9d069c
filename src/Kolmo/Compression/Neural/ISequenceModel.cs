namespace Kolmo.Compression.Neural;

/// <summary>
/// A trainable next-byte model, the unit behind prequential (online) neural coding.
/// <para>Call order, shared by encoder and decoder (see <see cref="PrequentialCoder"/>):
/// <c>Predict</c> → code the byte → <c>Observe(byte)</c> → … and, every block of coded bytes,
/// <c>Learn(history, start)</c> with all bytes coded so far, the new segment being <c>history[start..]</c>.</para>
/// <para>Determinism contract: for identical call sequences, <see cref="Predict"/> writes bit-identical floats on
/// every machine (SIMD width, thread count, CPU), since the decoder must rebuild the same frequency tables.</para>
/// </summary>
public interface ISequenceModel
{
    /// <summary>Configuration string that rebuilds an identical fresh model via <see cref="SequenceModels.Create"/>, e.g. <c>order:k=2</c>.</summary>
    string Spec { get; }

    /// <summary>Number of trainable parameters (for MDL accounting).</summary>
    long ParameterCount { get; }

    /// <summary>Writes the distribution of the next byte (256 non-negative floats, any positive sum).</summary>
    void Predict(Span<float> probabilities);

    /// <summary>Advances the model's context by one byte; a model may also adapt fast weights here (never when <see cref="Frozen"/>).</summary>
    void Observe(byte symbol);

    /// <summary>
    /// Trains on the segment <c>history[start..]</c> (one or more optimizer steps); earlier bytes are context.
    /// The model's running context stays valid afterwards (the next <see cref="Observe"/> continues it).
    /// </summary>
    void Learn(ReadOnlySpan<byte> history, int start);

    /// <summary>
    /// When true, neither <see cref="Observe"/> nor <see cref="Learn"/> changes a weight (a frozen model, e.g. the
    /// data part of a two-part code). Models that learn only in <see cref="Learn"/> may ignore it on <see cref="Observe"/>.
    /// </summary>
    bool Frozen { get; set; }

    /// <summary>Forgets the running context (the state before the first byte); weights are kept.</summary>
    void ResetContext();

    /// <summary>Copies all parameters into <paramref name="destination"/> (length <see cref="ParameterCount"/>).</summary>
    void ReadParameters(Span<float> destination);

    /// <summary>Replaces all parameters (length <see cref="ParameterCount"/>); optimizer state is left as is.</summary>
    void WriteParameters(ReadOnlySpan<float> source);

    /// <summary>An independent deep copy (weights, optimizer state and running context).</summary>
    ISequenceModel Clone();
}
