using Kolmo.Coding;

namespace Kolmo.Modeling;

/// <summary>
/// Pinned copies of the lookup tables the cm inner loops read through pointers: <see cref="Squash"/> and
/// <see cref="Stretch"/> (the same integers as <see cref="Logistic"/>), the bit-history transitions, and the
/// reciprocals of the state maps' adaptation rate.
/// </summary>
internal static unsafe class CmTables
{
    private static readonly PinnedBuffer<short> SquashBuf = Build(4096, i => Logistic.Squash(i - 2048));
    private static readonly PinnedBuffer<short> StretchBuf = Build(4096, Logistic.Stretch);
    private static readonly PinnedBuffer<byte> NextBuf = BuildNext();
    private static readonly PinnedBuffer<int> RecipBuf = BuildRecip();

    /// <summary>Squash of a stretched value d in [−2048, 2047], read at <c>Squash[d + 2048]</c>: 12-bit probability.</summary>
    public static readonly short* Squash = SquashBuf.Pointer;

    /// <summary>Stretch of a 12-bit probability: <c>Stretch[p]</c> in [−2047, 2047].</summary>
    public static readonly short* Stretch = StretchBuf.Pointer;

    /// <summary>Bit-history transitions <c>Next[state * 2 + bit]</c> (<see cref="BitHistory.Next"/>), 512 entries.</summary>
    public static readonly byte* Next = NextBuf.Pointer;

    /// <summary>State-map rates: <c>Recip[n]</c> = 65536 / (n + 1.5), n in [0, 1023].</summary>
    public static readonly int* Recip = RecipBuf.Pointer;

    private static PinnedBuffer<short> Build(int n, Func<int, int> f)
    {
        var b = new PinnedBuffer<short>(n);
        for (int i = 0; i < n; i++)
        {
            b.Span[i] = (short)f(i);
        }
        return b;
    }

    private static PinnedBuffer<byte> BuildNext()
    {
        var b = new PinnedBuffer<byte>(512);
        BitHistory.Next.CopyTo(b.Span);
        return b;
    }

    private static PinnedBuffer<int> BuildRecip()
    {
        var b = new PinnedBuffer<int>(1024);
        for (int n = 0; n < 1024; n++)
        {
            b.Span[n] = 65536 * 2 / (2 * n + 3);
        }
        return b;
    }
}
