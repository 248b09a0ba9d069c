using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Kolmo.Modeling;

/// <summary>Cache prefetch hints for the cm tables (timing only: a prefetch never changes a result).</summary>
internal static unsafe class CmPrefetch
{
    /// <summary>Asks the CPU to start loading the cache line holding <paramref name="p"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Line(void* p)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(p);
        }
    }
}
