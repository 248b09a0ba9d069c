using System.Diagnostics;

namespace Kolmo.Experiments;

/// <summary>Where a tour run is: the chapter, how far it is (0..1) and what it is doing.</summary>
/// <param name="Chapter">Chapter id (see <see cref="Tour.Chapters"/>).</param>
/// <param name="Fraction">Share of the chapter done, 0..1 (1 = finished).</param>
/// <param name="Message">What it is doing now.</param>
public readonly record struct TourStatus(string Chapter, double Fraction, string Message);

/// <summary>What a chapter cost: wall-clock seconds and CPU-seconds of the whole process (all threads).</summary>
/// <param name="Seconds">Wall-clock seconds.</param>
/// <param name="CpuSeconds">Process CPU time (user + system) spent meanwhile.</param>
public sealed record ChapterCost(double Seconds, double CpuSeconds)
{
    /// <summary>Measures <paramref name="run"/>.</summary>
    public static (T Result, ChapterCost Cost) Measure<T>(Func<T> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        T result = run();
        double wall = sw.Elapsed.TotalSeconds;
        proc.Refresh();
        return (result, new ChapterCost(Math.Round(wall, 3), Math.Round((proc.TotalProcessorTime - cpu0).TotalSeconds, 3)));
    }
}

/// <summary>Reports the progress of one chapter to the tour's listener (thread-safe).</summary>
public sealed class ChapterProgress
{
    private readonly Action<TourStatus>? _sink;
    private readonly Lock _gate = new();
    private double _done;

    /// <summary>Creates a reporter for <paramref name="chapter"/>; <paramref name="sink"/> may be null (nobody listens).</summary>
    public ChapterProgress(string chapter, Action<TourStatus>? sink)
    {
        Chapter = chapter;
        _sink = sink;
    }

    /// <summary>The chapter id.</summary>
    public string Chapter { get; }

    /// <summary>Reports that <paramref name="fraction"/> (0..1) of the chapter is done; fractions never go back.</summary>
    public void Report(double fraction, string message)
    {
        lock (_gate)
        {
            _done = Math.Max(_done, Math.Clamp(fraction, 0, 1));
            _sink?.Invoke(new TourStatus(Chapter, _done, message));
        }
    }

    /// <summary>Reports step <paramref name="done"/> of <paramref name="total"/> within the part [from, to) of the chapter.</summary>
    public void Step(double from, double to, int done, int total, string message) =>
        Report(from + (to - from) * (total > 0 ? done / (double)total : 1), message);
}
