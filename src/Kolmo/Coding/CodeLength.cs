namespace Kolmo.Coding;

/// <summary>
/// Ideal code-length accounting: accumulates −log2 p of every coded event. It never feeds a decoder,
/// so it may use floating point. Wrap a coder with <see cref="MeteredBitCoder"/> to meter a real run,
/// or use <see cref="CountingBitCoder"/> to measure a model's code length without producing bytes.
/// </summary>
public sealed class CodeLengthMeter
{
    /// <summary>Total ideal code length so far, in bits.</summary>
    public double Bits { get; private set; }

    /// <summary>Number of binary events metered.</summary>
    public long Events { get; private set; }

    /// <summary>Adds the cost of coding <paramref name="bit"/> with P(1) = <paramref name="p1"/>/65536.</summary>
    public void Add(int bit, int p1)
    {
        Bits += Probability.CostBits(bit, p1);
        Events++;
    }

    /// <summary>Adds an arbitrary cost in bits (e.g. a symbol coded by a multi-symbol coder).</summary>
    public void AddBits(double bits)
    {
        Bits += bits;
        Events++;
    }

    /// <summary>Resets the meter to zero.</summary>
    public void Reset()
    {
        Bits = 0;
        Events = 0;
    }
}

/// <summary>Passes every bit to an inner coder and meters its ideal cost.</summary>
public sealed class MeteredBitCoder(IBitCoder inner, CodeLengthMeter meter) : IBitCoder
{
    /// <inheritdoc />
    public int Code(int bit, int p1)
    {
        int y = inner.Code(bit, p1);
        meter.Add(y, p1);
        return y;
    }
}

/// <summary>
/// An "encoder" that writes nothing and only sums −log2 p of the bits it is given: the code length a model
/// would achieve, without producing bytes (what code-length queries such as C(y|x) use).
/// </summary>
public sealed class CountingBitCoder : IBitCoder
{
    /// <summary>Ideal code length so far, in bits.</summary>
    public double Bits { get; private set; }

    /// <inheritdoc />
    public int Code(int bit, int p1)
    {
        Bits += Probability.CostBits(bit, p1);
        return bit;
    }
}
