using System.Diagnostics;
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
/// so a busy machine costs at most the item a helper is in the middle of. A loop runs inline on the calling thread,
/// with every loop nested in it inline too, when its total work is below <see cref="MinWork"/>, when it has a single
/// item (one sequence runs on one thread), when one thread is configured, when it is nested in another loop, or
/// inside <see cref="SerialIf"/>.
/// </summary>
internal static class Par
{
    /// <summary>Total work (in flop-equivalents) below which a loop runs on one thread: about 10 µs of one core.
    /// Tests set it to 0 to run every split on tiny models.</summary>
    public static long MinWork { get; set; } = 1_000_000;

    [ThreadStatic]
    private static bool _inside;

    [ThreadStatic]
    private static long _dispatched;

    /// <summary>Parallel regions the calling thread has shared with helper threads so far (work that runs inline does not
    /// count): tests check with it that work below the minimum size never touches the thread pool.</summary>
    public static long Dispatched => _dispatched;

    /// <summary>True on a thread that is running an item of a parallel loop or a serial scope (nested loops then run inline).</summary>
    public static bool Inside => _inside;

    /// <summary>
    /// While the returned scope is open (when <paramref name="serial"/> is true), every loop on this thread runs inline:
    /// for work that cannot split at the top (a batch of one sequence), where dispatching the small inner loops to a
    /// second thread costs more than it saves.
    /// </summary>
    public static Scope SerialIf(bool serial)
    {
        bool outer = _inside;
        _inside = outer || serial;
        return new Scope(outer);
    }

    /// <summary>Restores the calling thread's previous state when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly bool _outer;

        internal Scope(bool outer) => _outer = outer;

        /// <inheritdoc />
        public void Dispose() => _inside = _outer;
    }

    /// <summary>
    /// Runs <paramref name="body"/>(begin, end) over [0, n) in contiguous chunks. Work items must write disjoint
    /// outputs (never a shared reduction), so the split cannot change results. Runs inline when the total work
    /// (n × <paramref name="costPerItem"/>) is below <see cref="MinWork"/>, when n is 1, when one thread is
    /// configured, or when called from inside another parallel loop.
    /// </summary>
    /// <param name="n">Number of items.</param>
    /// <param name="costPerItem">Work per item in flop-equivalents.</param>
    /// <param name="body">Runs items [begin, end).</param>
    /// <param name="grain">Preferred fewest items per chunk (when items are cheaper together, e.g. batched rows); at
    /// least one chunk per thread is made whenever there are as many items.</param>
    public static void For(int n, long costPerItem, Action<int, int> body, int grain = 1)
    {
        if (n <= 0)
        {
            return;
        }
        int threads = NeuralRuntime.Threads;
        if (n == 1 || threads <= 1 || _inside || (long)n * costPerItem < MinWork)
        {
            Inline(body, n);
            return;
        }
        // a few chunks per thread so that the caller can take over a helper's share when the helper is late
        int chunks = Math.Min(Math.Max(threads, n / Math.Max(1, grain)), 4 * threads);
        Run(new Job(n, Math.Min(chunks, n), body), threads);
    }

    /// <summary>
    /// Runs independent tasks (each writes its own outputs) with the rules of <see cref="For"/>: one task per hand-out,
    /// the largest first (by <c>Cost</c>, in flop-equivalents), so that two threads finish together.
    /// </summary>
    /// <param name="tasks">The tasks and their costs.</param>
    /// <param name="split">False: run them all on the calling thread (work too small or too memory-bound to share).</param>
    public static void Tasks(IReadOnlyList<(long Cost, Action Run)> tasks, bool split = true)
    {
        int n = tasks.Count;
        long total = 0;
        foreach (var t in tasks)
        {
            total += t.Cost;
        }
        int threads = NeuralRuntime.Threads;
        if (!split || n <= 1 || threads <= 1 || _inside || total < MinWork)
        {
            Inline((a, b) =>
            {
                for (int i = a; i < b; i++)
                {
                    tasks[i].Run();
                }
            }, n);
            return;
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        // a stable sort by decreasing cost (longest processing time first)
        Array.Sort(order, (x, y) => tasks[x].Cost != tasks[y].Cost ? tasks[y].Cost.CompareTo(tasks[x].Cost) : x.CompareTo(y));
        Run(new Job(n, n, (a, b) =>
        {
            for (int i = a; i < b; i++)
            {
                tasks[order[i]].Run();
            }
        }), threads);
    }

    /// <summary>How many parts to cut a parameter gradient into (at most <paramref name="max"/>): one per thread, or one when
    /// this thread already runs serially. The parts own disjoint elements, so the count never changes a result.</summary>
    public static int Parts(int max) => _inside ? 1 : Math.Max(1, Math.Min(NeuralRuntime.Threads, max));

    private static void Inline(Action<int, int> body, int n)
    {
        bool outer = _inside;
        _inside = true;
        try
        {
            body(0, n);
        }
        finally
        {
            _inside = outer;
        }
    }

    /// <summary>Benchmark hook: when set (thread-CPU seconds of the calling thread), every parallel region records the CPU
    /// time of each chunk and whether the calling thread ran it, in <see cref="TraceRegions"/>. Never set in production.</summary>
    internal static Func<double>? TraceClock { get; set; }

    /// <summary>The regions recorded while <see cref="TraceClock"/> is set: per chunk (hand-out order) its CPU seconds,
    /// negative when the calling thread ran it.</summary>
    internal static List<double[]> TraceRegions { get; } = [];

    private static void Run(Job job, int threads)
    {
        _dispatched++;
        if (TraceClock is not null)
        {
            job.Times = new double[job.Chunks];
            job.Caller = Environment.CurrentManagedThreadId;
            lock (TraceRegions)
            {
                TraceRegions.Add(job.Times);
            }
        }
        for (int h = 1; h < Math.Min(threads, job.Chunks); h++)
        {
            // a helper still waiting after its last region takes this one at once; otherwise a pool thread is woken
            if (h > 1 || Volatile.Read(ref _waitingHelpers) == 0 || Interlocked.CompareExchange(ref _handOff, job, null) is not null)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static j => Help(j), job, preferLocal: false);
            }
        }
        job.Work();
        job.Wait();
        Interlocked.CompareExchange(ref _handOff, null, job);   // left in the slot, untaken: clear it (a helper taking it now would find no chunk left)
    }

    /// <summary>How long a helper keeps polling for the next region after finishing one, before it returns to the pool.
    /// A training step opens its regions well under a millisecond apart; waking a sleeping pool thread for each (and on
    /// a virtual machine, its idle processor) costs more than that. Read on every poll, so a change takes effect at
    /// once. Only speed depends on it.</summary>
    internal static TimeSpan HelperWait { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Regions handed to a helper that was still waiting (instead of to a newly woken pool thread), all threads.</summary>
    internal static long HandOffs => Volatile.Read(ref _handOffs);

    private static Job? _handOff;
    private static int _waitingHelpers;
    private static long _handOffs;

    private static void Help(Job first)
    {
        first.Work();
        Interlocked.Increment(ref _waitingHelpers);
        try
        {
            long last = Stopwatch.GetTimestamp();
            var spin = default(SpinWait);
            while (Stopwatch.GetElapsedTime(last) < HelperWait)
            {
                var next = Interlocked.Exchange(ref _handOff, null);
                if (next is not null)
                {
                    Interlocked.Increment(ref _handOffs);
                    next.Work();
                    last = Stopwatch.GetTimestamp();
                    spin = default;
                    continue;
                }
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waitingHelpers);
        }
    }

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

        public int Chunks => _chunks;

        public double[]? Times { get; set; }

        public int Caller { get; set; }

        public void Work()
        {
            bool outer = _inside;
            _inside = true;
            try
            {
                int c;
                while ((c = Interlocked.Increment(ref _next)) < _chunks)
                {
                    var clock = Times is null ? null : TraceClock;
                    double t0 = clock?.Invoke() ?? 0;
                    try
                    {
                        _body((int)((long)_n * c / _chunks), (int)((long)_n * (c + 1) / _chunks));
                    }
                    catch (Exception e)
                    {
                        Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
                    }
                    if (clock is not null)
                    {
                        double t = clock() - t0;
                        Times![c] = Environment.CurrentManagedThreadId == Caller ? -t : t;
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

    /// <summary>Rows of the matmul's register tile at the current width (8, 6, 4; 1 for the scalar reference): a product
    /// over fewer rows runs a partial tile, so parallel splits of small batches keep at least this many rows per chunk.</summary>
    internal static int RowTile => Width switch
    {
        512 => 8,
        256 => 6,
        128 => 4,
        _ => 1,
    };

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
