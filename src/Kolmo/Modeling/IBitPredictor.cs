namespace Kolmo.Modeling;

/// <summary>
/// A predictor of a bit stream: <see cref="P"/> gives P(next bit = 1) on the 16-bit scale of
/// <see cref="Coding.Probability"/> (an int in [1, 65535]); <see cref="Update"/> then learns the actual bit.
/// Calls strictly alternate P, Update, P, Update … . Byte-oriented models see each byte as 8 bits, most
/// significant first.
/// </summary>
public interface IBitPredictor
{
    /// <summary>P(next bit = 1) in [1, 65535] (of 65536).</summary>
    int P();

    /// <summary>Learns the bit that followed the last <see cref="P"/>.</summary>
    void Update(int bit);
}

/// <summary>
/// A byte-stream model that can be used for compression, priming and code-length queries.
/// Priming (<see cref="Prime"/>) shows the model data without coding it, so C(y|x) = "prime on x, then code y".
/// <see cref="Clone"/> snapshots the whole state so one priming can serve many queries.
/// </summary>
public interface IByteModel : IBitPredictor
{
    /// <summary>Short identifier, e.g. <c>order3</c> or <c>cm</c>.</summary>
    string Name { get; }

    /// <summary>Bytes of memory the model's tables use.</summary>
    long MemoryBytes { get; }

    /// <summary>Learns <paramref name="data"/> as if it had been coded, without producing output.</summary>
    void Prime(ReadOnlySpan<byte> data);

    /// <summary>An independent deep copy of the current state.</summary>
    IByteModel Clone();
}

/// <summary>
/// A byte model whose whole state can be overwritten in place by another instance's of the same configuration, keeping
/// its own memory: after <see cref="RestoreFrom"/> it predicts exactly as <c>source.Clone()</c> would. Used to decode
/// many files with one model configuration without building (allocating and initialising) the model for each
/// (<see cref="Compression.DecoderModels"/>).
/// </summary>
internal interface IRestorableModel : IByteModel
{
    /// <summary>Makes this model's state equal to <paramref name="source"/>'s.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is another kind of model or has another configuration.</exception>
    void RestoreFrom(IByteModel source);
}
