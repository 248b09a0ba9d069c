using System.Runtime.CompilerServices;

namespace Kolmo.Modeling;

/// <summary>
/// A zeroed, pinned, 64-byte-aligned block of <typeparamref name="T"/> with a raw pointer, so the model's inner
/// loops read and write tables without bounds checks or indirection (every index is masked or bounded by
/// construction; the owner keeps this object alive). Aligned to cache lines so a 64-byte bucket or APM row is
/// one line.
/// </summary>
internal sealed unsafe class PinnedBuffer<T>
    where T : unmanaged
{
    private readonly byte[] _raw;

    /// <summary>Allocates <paramref name="length"/> zeroed elements.</summary>
    public PinnedBuffer(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long bytes = length * sizeof(T);
        if (bytes + 64 > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "table too large");
        }
        _raw = GC.AllocateArray<byte>((int)(bytes + 64), pinned: true);
        byte* p = (byte*)Unsafe.AsPointer(ref _raw[0]);
        Pointer = (T*)(p + ((64 - ((nint)p & 63)) & 63));
        Length = length;
    }

    /// <summary>The first element (64-byte aligned).</summary>
    public T* Pointer { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>Bytes of the elements.</summary>
    public long Bytes => Length * sizeof(T);

    /// <summary>The elements as a span (for set-up, copies and tests).</summary>
    public Span<T> Span => new(Pointer, checked((int)Length));

    /// <summary>A copy with the same contents.</summary>
    public PinnedBuffer<T> Clone()
    {
        var c = new PinnedBuffer<T>(Length);
        Buffer.MemoryCopy(Pointer, c.Pointer, Bytes, Bytes);
        return c;
    }
}
