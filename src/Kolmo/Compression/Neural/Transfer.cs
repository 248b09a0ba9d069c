using Kolmo.Coding;
using Kolmo.Modeling;

namespace Kolmo.Compression.Neural;

/// <summary>A model that can measure C(y) and C(y | x): the code length of y, optionally after learning x first.</summary>
/// <param name="Name">Name in tables, e.g. <c>cm</c>, <c>nn</c>.</param>
/// <param name="Bits">(x or null, y) → bits to code y after priming on x (ideal code length, −Σ log2 p).</param>
public sealed record ConditionalModel(string Name, Func<byte[]?, byte[], double> Bits)
{
    /// <summary>A byte model: C(y | x) = prime a fresh model on x, then code y with a <see cref="CountingBitCoder"/>.</summary>
    public static ConditionalModel FromByteModel(string name, Func<IByteModel> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new ConditionalModel(name, (x, y) =>
        {
            var m = factory();
            if (x is not null)
            {
                m.Prime(x);
            }
            return CodeLengths.ByteModelBits(m, y);
        });
    }

    /// <summary>A sequence model coded prequentially; C(y | x) pretrains on x (one pass of <see cref="PrequentialCoder.Train"/>).</summary>
    public static ConditionalModel FromSequenceModel(string name, string spec, int block = 0)
        => new(name, (x, y) =>
        {
            var m = SequenceModels.Create(spec);
            block = block > 0 ? block : SequenceModels.NaturalBlock(m);
            if (x is not null)
            {
                m = NeuralModels.TrainedOn(m, x, block);
            }
            return PrequentialCoder.Measure(m, y, block);
        });
}

/// <summary>Code-length helpers shared by the neural-compression experiments.</summary>
public static class CodeLengths
{
    /// <summary>Ideal code length (−Σ log2 p) of <paramref name="data"/> under <paramref name="model"/>, bits MSB first; the model learns as it goes.</summary>
    public static double ByteModelBits(IByteModel model, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(model);
        var coder = new CountingBitCoder();
        foreach (byte b in data)
        {
            for (int k = 7; k >= 0; k--)
            {
                int bit = (b >> k) & 1;
                coder.Code(bit, model.P());
                model.Update(bit);
            }
        }
        return coder.Bits;
    }
}

/// <summary>One cell of a transfer table: what priming on a source saves on the target for one model.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Source">Source name (file name).</param>
/// <param name="SourceBytes">Bytes of source used.</param>
/// <param name="AloneBits">C(y): bits of the target without a prior.</param>
/// <param name="PrimedBits">C(y | x): bits of the target after learning the source.</param>
public sealed record TransferResult(string Model, string Source, long SourceBytes, double AloneBits, double PrimedBits)
{
    /// <summary>C(y) − C(y | x), in bits (an estimate of the information x carries about y).</summary>
    public double SavedBits => AloneBits - PrimedBits;

    /// <summary>Saved bits as a fraction of C(y).</summary>
    public double SavedFraction => AloneBits > 0 ? SavedBits / AloneBits : 0;
}

/// <summary>
/// The transfer experiment: for each model and each source X, C(Y) − C(Y | X). Related X (same language, same kind
/// of text) should save clearly positive bits, random X about zero (slightly negative: the model wastes capacity and
/// adapts its statistics to noise), and stronger models should save more.
/// </summary>
public static class TransferExperiment
{
    /// <summary>Runs every (model, source) pair; C(Y) is computed once per model.</summary>
    public static IReadOnlyList<TransferResult> Run(IReadOnlyList<ConditionalModel> models, byte[] target, IReadOnlyList<(string Name, byte[] Data)> sources, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(sources);
        var rows = new List<TransferResult>();
        foreach (var m in models)
        {
            progress?.Invoke($"{m.Name}: target alone");
            double alone = m.Bits(null, target);
            foreach (var (name, data) in sources)
            {
                progress?.Invoke($"{m.Name}: primed on {name}");
                rows.Add(new TransferResult(m.Name, name, data.Length, alone, m.Bits(data, target)));
            }
        }
        return rows;
    }
}
