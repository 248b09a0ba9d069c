using System.Runtime.ExceptionServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kolmo.Neural;

/// <summary>
/// Process-wide settings of the neural engine. None of them changes any result: every kernel gives the
/// same bits for every thread count and SIMD width (see docs/NEURAL.md, "Determinism").
/// </summary>
public static class NeuralRuntime
{
    private static int _threads = Math.Max(1, Math.Min(Environment.ProcessorCount, 2));

    /// <summary>Worker threads the engine may use (default: min(cores, 2)). Only speed depends on it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Value below 1 or above 256.</exception>
    public static int Threads
    {
        get => _threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 256);
            _threads = value;
        }
    }

    /// <summary>The SIMD path the kernels take on this machine: <c>vector512+fma</c>, <c>vector256+fma</c>, <c>vector128</c> or <c>scalar</c>.</summary>
    public static string SimdPath => Kernels.Width switch
    {
        512 => "vector512+fma",
        256 => "vector256+fma",
        128 => "vector128",
        _ => "scalar",
    };
}

/// <summary>
/// Coarse-grained parallel loops of the engine. Work is split into independent items that write disjoint outputs
/// (batch elements, rows, parameter tensors), so which thread runs an item never changes a bit. Items are handed
/// out dynamically: the calling thread works too and takes over whatever a descheduled helper has not started,
/// so a busy machine costs at most the item a helper is in the middle of. Loops nested inside a parallel loop,
/// and loops whose total work is below <see cref="MinWork"/>, run inline on the calling thread.
/// </summary>
internal static class Par
{
    /// <summary>Total work (in flop-equivalents) below which a loop runs on one thread: about 10 µs of one core.
    /// Tests set it to 0 to run every split on tiny models.</summary>
    public static long MinWork { get; set; } = 1_000_000;

    [ThreadStatic]
    private static bool _inside;

    /// <summary>True on a thread that is running an item of a parallel loop (nested loops then run inline).</summary>
    public static bool Inside => _inside;

    /// <summary>
    /// Runs <paramref name="body"/>(begin, end) over [0, n) in contiguous chunks. Work items must write disjoint
    /// outputs (never a shared reduction), so the split cannot change results. Runs inline when the total work
    /// (n × <paramref name="costPerItem"/>) is below <see cref="MinWork"/>, when one thread is configured, or when
    /// called from inside another parallel loop.
    /// </summary>
    /// <param name="n">Number of items.</param>
    /// <param name="costPerItem">Work per item in flop-equivalents.</param>
    /// <param name="body">Runs items [begin, end).</param>
    /// <param name="grain">Fewest items per chunk (when items are cheaper together, e.g. batched rows).</param>
    public static void For(int n, long costPerItem, Action<int, int> body, int grain = 1)
    {
        int threads = NeuralRuntime.Threads;
        if (n <= 1 || threads <= 1 || _inside || (long)n * costPerItem < MinWork)
        {
            body(0, n);
            return;
        }
        // a few chunks per thread so that the caller can take over a helper's share when the helper is late
        int chunks = (int)Math.Min(Math.Max(threads, n / Math.Max(1, grain)), 4L * threads);
        chunks = Math.Min(chunks, n);
        var job = new Job(n, chunks, body);
        for (int h = 1; h < Math.Min(threads, chunks); h++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static j => j.Work(), job, preferLocal: false);
        }
        job.Work();
        job.Wait();
    }

    /// <summary>Runs <paramref name="count"/> independent tasks (by index) with the same rules as <see cref="For"/>.</summary>
    public static void Tasks(int count, long totalWork, Action<int> task)
        => For(count, count == 0 ? 0 : totalWork / count, (a, b) =>
        {
            for (int i = a; i < b; i++)
            {
                task(i);
            }
        });

    private sealed class Job
    {
        private readonly int _n;
        private readonly int _chunks;
        private readonly Action<int, int> _body;
        private readonly ManualResetEventSlim _done = new(false);
        private int _next = -1;
        private int _finished;
        private ExceptionDispatchInfo? _error;

        public Job(int n, int chunks, Action<int, int> body)
        {
            _n = n;
            _chunks = chunks;
            _body = body;
        }

        public void Work()
        {
            bool outer = _inside;
            _inside = true;
            try
            {
                int c;
                while ((c = Interlocked.Increment(ref _next)) < _chunks)
                {
                    try
                    {
                        _body((int)((long)_n * c / _chunks), (int)((long)_n * (c + 1) / _chunks));
                    }
                    catch (Exception e)
                    {
                        Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
                    }
                    if (Interlocked.Increment(ref _finished) == _chunks)
                    {
                        _done.Set();
                    }
                }
            }
            finally
            {
                _inside = outer;
            }
        }

        public void Wait()
        {
            if (Volatile.Read(ref _finished) < _chunks)
            {
                var spin = default(SpinWait);
                for (int i = 0; i < 50 && Volatile.Read(ref _finished) < _chunks; i++)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                }
                _done.Wait();   // not disposed: a helper may still be returning from Set()
            }
            _error?.Throw();
        }
    }
}

/// <summary>Which SIMD width the kernels use; tests force each one to compare bits.</summary>
internal static partial class Kernels
{
    /// <summary>0 = best available; 1 = scalar reference; 128; 256; 512. Changing it never changes results.</summary>
    internal static int ForcedWidth;

    internal static bool Has512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    internal static bool Has256 => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    internal static bool Has128 => Vector128.IsHardwareAccelerated;

    private static int Best => Has512 ? 512 : Has256 ? 256 : Has128 ? 128 : 1;

    /// <summary>The width the next kernel call will use (never wider than the hardware has).</summary>
    internal static int Width
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get
        {
            int f = ForcedWidth;
            return f == 0 ? Best : f == 1 ? 1 : Math.Min(f, Best);
        }
    }
}
