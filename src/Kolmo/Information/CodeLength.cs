using Kolmo.Coding;
using Kolmo.Compression;
using Kolmo.Compression.Panel;
using Kolmo.Modeling;

namespace Kolmo.Information;

/// <summary>
/// A source of code lengths in bits: C(x), C(x, y) and C(y | x). Everything in the information layer is
/// computed from these three numbers, so any compressor — a panel codec or an adaptive model — can be measured.
/// Implementations are thread-safe (each call uses its own state).
/// </summary>
public interface ICodeLength
{
    /// <summary>Name used in tables and on the command line.</summary>
    string Name { get; }

    /// <summary>Window/block past which repetition is not seen (see <see cref="ICompressor.WindowBytes"/>); null when unbounded.</summary>
    long? WindowBytes { get; }

    /// <summary>Size of the decompressor in bytes, for Kolmogorov upper bounds.</summary>
    long DecompressorBytes { get; }

    /// <summary>C(x): bits to code <paramref name="x"/> alone.</summary>
    double Bits(ReadOnlySpan<byte> x);

    /// <summary>C(x, y): bits to code <paramref name="x"/> followed by <paramref name="y"/>.</summary>
    double JointBits(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y);

    /// <summary>C(y | x): bits to code <paramref name="y"/> given <paramref name="x"/>.</summary>
    double ConditionalBits(ReadOnlySpan<byte> y, ReadOnlySpan<byte> x);
}

/// <summary>
/// Code lengths of a byte-producing compressor, by concatenation: C(x) is the compressed size in bits (header
/// included), C(x, y) = C(xy) and C(y | x) = C(xy) − C(x). The header cost cancels in the conditional.
/// </summary>
public sealed class CompressorCodeLength : ICodeLength
{
    /// <summary>Wraps <paramref name="compressor"/>.</summary>
    public CompressorCodeLength(ICompressor compressor)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        Compressor = compressor;
    }

    /// <summary>The wrapped compressor.</summary>
    public ICompressor Compressor { get; }

    /// <inheritdoc />
    public string Name => Compressor.Name;

    /// <inheritdoc />
    public long? WindowBytes => Compressor.WindowBytes;

    /// <inheritdoc />
    public long DecompressorBytes => Compressor.DecompressorBytes;

    /// <inheritdoc />
    public double Bits(ReadOnlySpan<byte> x) => Compressor.CompressedBits(x);

    /// <inheritdoc />
    public double JointBits(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var xy = new byte[x.Length + y.Length];
        x.CopyTo(xy);
        y.CopyTo(xy.AsSpan(x.Length));
        return Compressor.CompressedBits(xy);
    }

    /// <inheritdoc />
    public double ConditionalBits(ReadOnlySpan<byte> y, ReadOnlySpan<byte> x) => JointBits(x, y) - Bits(x);
}

/// <summary>
/// Code lengths of an adaptive model by <i>priming</i>: C(x) codes x with a fresh model (ideal bits, no output);
/// C(y | x) primes a fresh model on x (learns it without coding) and then codes y; C(x, y) codes x then y.
/// For a model whose priming is exactly "code and discard", C(x, y) = C(x) + C(y | x) holds to rounding.
/// <see cref="Prime"/> returns a reusable snapshot so one priming serves many queries.
/// </summary>
public sealed class ModelCodeLength : ICodeLength
{
    private readonly Func<long, IByteModel> _factory;

    /// <summary>Wraps a model factory.</summary>
    /// <param name="name">Name for tables.</param>
    /// <param name="factory">Creates a fresh model for an input of the given total length (so table sizes can follow it).</param>
    /// <param name="decompressorBytes">Size of the model's decoder (see <see cref="DecompressorBytes"/>).</param>
    public ModelCodeLength(string name, Func<long, IByteModel> factory, long decompressorBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        Name = name;
        _factory = factory;
        DecompressorBytes = decompressorBytes;
    }

    /// <summary>
    /// The default adaptive model, <see cref="OrderMixModel"/> with a fixed table size (2^<paramref name="tableBits"/>
    /// slots per context), so that C(x), C(x, y) and C(y | x) all come from the same model and
    /// C(x, y) = C(x) + C(y | x) holds exactly. Its decompressor is the Kolmo library assembly (which holds the model
    /// and the arithmetic decoder), measured like the panel's: the deflate-compressed size of the file.
    /// </summary>
    public static ModelCodeLength OrderMix(int tableBits = DefaultOrderMixTableBits) =>
        new("ordermix", _ => new OrderMixModel(tableBits), LibraryDecompressorBytes);

    /// <summary>Deflate-compressed size of the Kolmo library assembly (the decoder of its models), measured once per process.</summary>
    public static long LibraryDecompressorBytes => LibraryBytes.Value;

    private static readonly Lazy<long> LibraryBytes = new(() => DecompressorSize.Measure([typeof(OrderMixModel).Assembly.Location]));

    /// <summary>Table size of <see cref="OrderMix"/>: 2^18 slots per context (7 MiB in all), ample for inputs up to a few hundred KB.</summary>
    public const int DefaultOrderMixTableBits = 18;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public long? WindowBytes => null;

    /// <inheritdoc />
    public long DecompressorBytes { get; }

    /// <summary>Creates a fresh model sized for <paramref name="totalBytes"/> of input.</summary>
    public IByteModel CreateModel(long totalBytes) => _factory(totalBytes);

    /// <summary>Ideal code length of <paramref name="data"/> under <paramref name="model"/>, which learns it as it goes.</summary>
    public static double Code(IByteModel model, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(model);
        var coder = new CountingBitCoder();
        foreach (byte b in data)
        {
            for (int j = 7; j >= 0; j--)
            {
                int bit = (b >> j) & 1;
                coder.Code(bit, model.P());
                model.Update(bit);
            }
        }
        return coder.Bits;
    }

    /// <inheritdoc />
    public double Bits(ReadOnlySpan<byte> x) => Code(_factory(x.Length), x);

    /// <inheritdoc />
    public double JointBits(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var m = _factory(x.Length + y.Length);
        return Code(m, x) + Code(m, y);
    }

    /// <inheritdoc />
    public double ConditionalBits(ReadOnlySpan<byte> y, ReadOnlySpan<byte> x)
    {
        var m = _factory(x.Length + y.Length);
        m.Prime(x);
        return Code(m, y);
    }

    /// <summary>Primes a fresh model on <paramref name="x"/>; the result answers C(y | x) for many y.</summary>
    /// <param name="x">The context.</param>
    /// <param name="expectedQueryBytes">Typical query length, added to |x| when sizing the model.</param>
    public PrimedModel Prime(ReadOnlySpan<byte> x, long expectedQueryBytes = 0)
    {
        var m = _factory(x.Length + expectedQueryBytes);
        m.Prime(x);
        return new PrimedModel(m);
    }
}

/// <summary>
/// A model primed once and queried many times: <see cref="Bits"/> codes y from the primed state and then returns
/// to it — by rollback when the model is an <see cref="ICheckpointModel"/> (cost O(|y|)), otherwise by coding a
/// <see cref="IByteModel.Clone"/> (cost O(model)). Not thread-safe: use one per thread, or <see cref="Fork"/>.
/// </summary>
public sealed class PrimedModel
{
    private readonly IByteModel _model;

    /// <summary>Wraps an already primed model (which this object then owns).</summary>
    public PrimedModel(IByteModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// <summary>The primed model (do not mutate it).</summary>
    public IByteModel Model => _model;

    /// <summary>C(y | primed context): bits to code <paramref name="y"/>; the primed state is left unchanged.</summary>
    public double Bits(ReadOnlySpan<byte> y)
    {
        if (_model is ICheckpointModel c)
        {
            c.Checkpoint();
            try
            {
                return ModelCodeLength.Code(c, y);
            }
            finally
            {
                c.Rollback();
            }
        }
        return ModelCodeLength.Code(_model.Clone(), y);
    }

    /// <summary>An independent copy (for use on another thread).</summary>
    public PrimedModel Fork() => new(_model.Clone());
}
