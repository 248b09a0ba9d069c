using System.IO.Hashing;

namespace Kolmo.Compression;

/// <summary>
/// What a model knows before it codes: data X it has learned (<see cref="DataPrior"/>, <c>--prime-data</c>: C(Y | X)
/// as a real file) or a trained network checkpoint (<see cref="ModelPrior"/>, <c>--prime-model</c>). The container
/// records the prior's kind and the xxHash64 of its bytes, never the bytes themselves, so decompression needs the same
/// prior and refuses a missing or different one with a one-line message (<see cref="PriorRegistry"/>).
/// </summary>
public abstract class Prior
{
    /// <summary>Kind byte of a data prior.</summary>
    public const byte DataKind = 1;

    /// <summary>Kind byte of a model (checkpoint) prior.</summary>
    public const byte ModelKind = 2;

    /// <summary>Prior kind as stored: <see cref="DataKind"/> or <see cref="ModelKind"/> (0 means no prior).</summary>
    public abstract byte Kind { get; }

    /// <summary>xxHash64 (seed 0) of the prior's bytes.</summary>
    public abstract ulong Hash { get; }

    /// <summary>Short description for messages: <c>data</c> or <c>model</c>.</summary>
    public string KindName => KindNameOf(Kind);

    /// <summary>Name of a stored prior kind.</summary>
    public static string KindNameOf(byte kind) => kind switch
    {
        DataKind => "data",
        ModelKind => "model",
        _ => $"kind {kind}",
    };

    /// <summary>xxHash64 of <paramref name="bytes"/>.</summary>
    public static ulong HashOf(ReadOnlySpan<byte> bytes) => XxHash64.HashToUInt64(bytes);
}

/// <summary>Prior data X: every model learns X as if it had coded it (<see cref="Modeling.IByteModel.Prime"/>) before coding Y.</summary>
public sealed class DataPrior : Prior
{
    private readonly byte[] _data;

    /// <summary>Creates a data prior over a copy of <paramref name="data"/>.</summary>
    public DataPrior(ReadOnlySpan<byte> data)
    {
        _data = data.ToArray();
        Hash = HashOf(_data);
    }

    /// <summary>The prior bytes.</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <inheritdoc />
    public override byte Kind => DataKind;

    /// <inheritdoc />
    public override ulong Hash { get; }
}

/// <summary>Prior model: the bytes of a trained network checkpoint (<c>kolmo train</c>) that <c>nn</c> starts from.</summary>
public sealed class ModelPrior : Prior
{
    private readonly byte[] _checkpoint;

    /// <summary>Creates a model prior over a copy of <paramref name="checkpoint"/>.</summary>
    public ModelPrior(ReadOnlySpan<byte> checkpoint)
    {
        _checkpoint = checkpoint.ToArray();
        Hash = HashOf(_checkpoint);
    }

    /// <summary>The checkpoint bytes.</summary>
    public ReadOnlyMemory<byte> Checkpoint => _checkpoint;

    /// <inheritdoc />
    public override byte Kind => ModelKind;

    /// <inheritdoc />
    public override ulong Hash { get; }
}

/// <summary>
/// The priors a decoder was given (<c>--prime-data</c>/<c>--prime-model</c>), for the duration of one decode: a primed
/// file finds its prior here by kind and xxHash64, or is refused with a one-line message naming the option to pass.
/// </summary>
public static class PriorRegistry
{
    private static readonly AsyncLocal<IReadOnlyCollection<Prior>?> Scoped = new();

    /// <summary>While the returned scope is open, <see cref="Resolve"/> looks among <paramref name="priors"/> (on this logical thread).</summary>
    public static IDisposable Use(IReadOnlyCollection<Prior>? priors)
    {
        var before = Scoped.Value;
        Scoped.Value = priors;
        return new Restore(before);
    }

    private sealed class Restore(IReadOnlyCollection<Prior>? before) : IDisposable
    {
        public void Dispose() => Scoped.Value = before;
    }

    /// <summary>The prior of this kind and hash among those in scope.</summary>
    /// <exception cref="InvalidDataException">No such prior was given: it is missing or different.</exception>
    public static Prior Resolve(byte kind, ulong hash)
    {
        IReadOnlyCollection<Prior> candidates = Scoped.Value ?? [];
        if (candidates.FirstOrDefault(p => p.Kind == kind && p.Hash == hash) is { } found)
        {
            return found;
        }
        string kindName = Prior.KindNameOf(kind);
        var given = candidates.Where(v => v.Kind == kind).Select(v => $"{v.Hash:x16}").ToList();
        throw new InvalidDataException(given.Count == 0
            ? $"this file was compressed with a prior {kindName} file (xxh64 {hash:x16}); pass the same file with --prime-{kindName}"
            : $"the given --prime-{kindName} (xxh64 {string.Join(", ", given)}) differs from the prior used to compress (xxh64 {hash:x16})");
    }
}
