using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kolmo.Modeling;

/// <summary>
/// A zeroed, pinned, 64-byte-aligned block of <typeparamref name="T"/> with a raw pointer, so the model's inner
/// loops read and write tables without bounds checks or indirection (every index is masked or bounded by
/// construction; the owner keeps this object alive). Aligned to cache lines so a 64-byte bucket or APM row is
/// one line.
/// <para>Large tables (≥ 4 MiB) on Linux are mapped from the system directly (zero pages, released by the
/// finalizer) and marked for transparent huge pages: a random access then costs one TLB entry per 2 MiB instead of
/// per 4 KiB. This changes timing only, never contents.</para>
/// </summary>
internal sealed unsafe class PinnedBuffer<T>
    where T : unmanaged
{
    private const long HugeThreshold = 4L << 20;
    private const long HugePage = 2L << 20;
    private readonly byte[]? _raw;
    private readonly nint _mapped;
    private readonly nuint _mappedBytes;

    /// <summary>Allocates <paramref name="length"/> zeroed elements.</summary>
    public PinnedBuffer(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long bytes = length * sizeof(T);
        Length = length;
        if (bytes >= HugeThreshold && OperatingSystem.IsLinux() && NativeMemoryMap.TryMap(bytes + HugePage, out _mapped))
        {
            _mappedBytes = (nuint)(bytes + HugePage);
            long aligned = (_mapped + HugePage - 1) & ~(HugePage - 1);
            NativeMemoryMap.AdviseHugePages((nint)aligned, (nuint)(bytes / HugePage * HugePage));
            Pointer = (T*)aligned;
            GC.AddMemoryPressure(bytes);
            return;
        }
        if (bytes + 64 > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "table too large");
        }
        _raw = GC.AllocateArray<byte>((int)(bytes + 64), pinned: true);
        byte* p = (byte*)Unsafe.AsPointer(ref _raw[0]);
        Pointer = (T*)(p + ((64 - ((nint)p & 63)) & 63));
    }

    /// <summary>Returns a mapped table to the system.</summary>
    ~PinnedBuffer()
    {
        if (_mapped != 0)
        {
            NativeMemoryMap.Unmap(_mapped, _mappedBytes);
            GC.RemoveMemoryPressure(Bytes);
        }
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
        GC.KeepAlive(this);
        return c;
    }

    /// <summary>Overwrites the elements with <paramref name="source"/>'s (same length), keeping this block's memory.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public void CopyFrom(PinnedBuffer<T> source)
    {
        if (source.Length != Length)
        {
            throw new ArgumentException($"a table of {source.Length} elements cannot be copied into one of {Length}", nameof(source));
        }
        Buffer.MemoryCopy(source.Pointer, Pointer, Bytes, Bytes);
        GC.KeepAlive(source);
        GC.KeepAlive(this);
    }
}

/// <summary>Anonymous memory maps on Linux (zero pages from the system, transparent huge pages advised).</summary>
internal static partial class NativeMemoryMap
{
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int MapPrivate = 2;
    private const int MapAnonymous = 0x20;
    private const int MadvHugePage = 14;

    public static bool TryMap(long bytes, out nint address)
    {
        try
        {
            address = Mmap(0, (nuint)bytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (address == -1)
            {
                address = 0;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            address = 0;
        }
        return address != 0;
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint addr, nuint length, int advice);

    public static void AdviseHugePages(nint address, nuint bytes) => _ = Madvise(address, bytes, MadvHugePage);

    public static void Unmap(nint address, nuint bytes) => _ = Munmap(address, bytes);
}
