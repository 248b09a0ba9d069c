using Kolmo.Modeling;

namespace Kolmo.Compression.Neural;

/// <summary>
/// A network's bit predictions as <c>cm+nn</c> reads them: P(next bit = 1) (<c>P()</c>) and, for the
/// partial byte, the most likely byte and its probability among the bytes still possible.
/// <see cref="SequenceBitPredictor"/> is the implementation; the bench replays recorded predictions through it.
/// </summary>
public interface INetworkBitPredictor : IByteModel
{
    /// <summary>The most likely byte given the bits of the current byte seen so far (ties: the smaller value).</summary>
    int ExpectedByte { get; }

    /// <summary>That byte's probability among the bytes still possible, on 16 bits (0 … 65536).</summary>
    int TopProbability16 { get; }
}
