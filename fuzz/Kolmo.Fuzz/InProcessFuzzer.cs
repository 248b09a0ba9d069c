using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Kolmo.Fuzz;

/// <summary>
/// A libFuzzer-style in-process, coverage-guided fuzzer: no process per input, no pipes, so a cheap target runs
/// thousands of times per CPU-second. Coverage comes from SharpFuzz's instrumentation of Kolmo.dll (an AFL-style
/// 64 KiB edge map, <c>SharpFuzz.Common.Trace.SharedMem</c>), bucketed by hit count as AFL does (1, 2, 3, 4–7,
/// 8–15, 16–31, 32–127, 128+); an input that reaches a new (edge, bucket) joins the corpus.
/// Mutations: AFL-style havoc (bit flips, interesting values, arithmetic, block insert/delete/duplicate, tokens)
/// stacked 1–16 deep, and splicing of two corpus entries.
/// <para>
/// Findings: an input that breaks the property is saved under <c>OUT/crashes/</c> (named by its SHA-1) and the run
/// goes on. A run that takes longer than the hang limit is saved under <c>OUT/hangs/</c> by a watchdog and the
/// process exits with code 3; an input that kills the process outright (stack overflow, out of memory) is left in
/// <c>OUT/current</c> (a memory-mapped copy of every input before it runs), which the run script rescues.
/// </para>
/// </summary>
public sealed unsafe class InProcessFuzzer
{
    private const int MapSize = 1 << 16;
    private static readonly byte[][] Tokens =
    [
        "KOLM"u8.ToArray(), [0x01, 0x00], [0x00, 0x00, 0x00, 0x00], [0xFF, 0xFF, 0xFF, 0xFF], [0x00, 0x00, 0x10, 0x00],
        [0x00, 0x00, 0x08, 0x03], [0x00, 0x00, 0x08, 0x01], [0x1F, 0x8B, 0x08], "KOLMONN1"u8.ToArray(), "\t"u8.ToArray(),
        "\n"u8.ToArray(), "\r\n"u8.ToArray(), "label"u8.ToArray(), "1e308"u8.ToArray(), "NaN"u8.ToArray(), "-0"u8.ToArray(),
        [0x1E], [0x00], "lstm:h="u8.ToArray(), "gpt:d="u8.ToArray(), ",t="u8.ToArray(), ",l="u8.ToArray(),
    ];

    private readonly FuzzTarget _target;
    private readonly string _out;
    private readonly int _maxLength;
    private readonly byte* _map;
    private readonly byte[] _virgin = new byte[MapSize];
    private readonly List<byte[]> _corpus = [];
    private readonly Random _rng;
    private readonly MemoryMappedFile _currentFile;
    private readonly MemoryMappedViewAccessor _current;
    private long _runStartTicks;

    public InProcessFuzzer(FuzzTarget target, string outDir, int maxLength, int seed)
    {
        _target = target;
        _out = outDir;
        _maxLength = maxLength;
        _rng = new Random(seed);
        _map = (byte*)NativeMemory.AllocZeroed(MapSize);
        SharpFuzz.Common.Trace.SharedMem = _map;
        Directory.CreateDirectory(Path.Combine(outDir, "corpus"));
        Directory.CreateDirectory(Path.Combine(outDir, "crashes"));
        Directory.CreateDirectory(Path.Combine(outDir, "hangs"));
        _currentFile = MemoryMappedFile.CreateFromFile(Path.Combine(outDir, "current"), FileMode.Create, null, 4 + maxLength + 4096);
        _current = _currentFile.CreateViewAccessor();
    }

    /// <summary>Executions so far.</summary>
    public long Executions { get; private set; }

    /// <summary>Property violations found so far (distinct inputs).</summary>
    public int Crashes { get; private set; }

    /// <summary>Corpus entries.</summary>
    public int CorpusCount => _corpus.Count;

    /// <summary>(edge, bucket) pairs seen — the coverage measure.</summary>
    public int Features { get; private set; }

    /// <summary>Edges (map cells) ever hit.</summary>
    public int Edges => _virgin.Count(v => v != 0);

    /// <summary>Loads the seeds and the saved corpus, then fuzzes for <paramref name="seconds"/> of CPU time of this process.</summary>
    public void Run(IEnumerable<string> seedDirs, double seconds, double hangSeconds)
    {
        foreach (var dir in seedDirs.Where(Directory.Exists))
        {
            foreach (var f in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
            {
                var data = File.ReadAllBytes(f);
                if (data.Length <= _maxLength)
                {
                    Execute(data, save: !dir.EndsWith("corpus", StringComparison.Ordinal));
                }
            }
        }
        if (_corpus.Count == 0)
        {
            Execute([], save: true);
        }
        var watchdog = new Thread(() => Watch(hangSeconds)) { IsBackground = true, Name = "fuzz watchdog" };
        watchdog.Start();
        var cpu = Process.GetCurrentProcess();
        double start = cpu.TotalProcessorTime.TotalSeconds;
        while (true)
        {
            for (int i = 0; i < 256; i++)
            {
                Execute(Mutate(), save: true);
            }
            cpu.Refresh();
            if (cpu.TotalProcessorTime.TotalSeconds - start >= seconds)
            {
                break;
            }
        }
        Interlocked.Exchange(ref _runStartTicks, -1);
    }

    private void Execute(byte[] input, bool save)
    {
        _current.Write(0, input.Length);
        _current.WriteArray(4, input, 0, input.Length);
        new Span<byte>(_map, MapSize).Clear();
        SharpFuzz.Common.Trace.PrevLocation = 0;
        Interlocked.Exchange(ref _runStartTicks, Stopwatch.GetTimestamp());
        Exception? failure = null;
        try
        {
            _target.Run(input);
        }
        catch (Exception e)
        {
            failure = e;
        }
        Interlocked.Exchange(ref _runStartTicks, 0);
        Executions++;
        if (failure is not null)
        {
            string name = Convert.ToHexStringLower(SHA1.HashData(input));
            string path = Path.Combine(_out, "crashes", name);
            if (!File.Exists(path))
            {
                File.WriteAllBytes(path, input);
                File.WriteAllText(path + ".txt", $"{failure.GetType().FullName}: {failure.Message}\n{failure.StackTrace}\n");
                Crashes++;
                Console.Error.WriteLine($"{_target.Name}: finding {name}: {failure.GetType().Name}: {failure.Message.ReplaceLineEndings(" ")}");
            }
            return;
        }
        if (NewCoverage())
        {
            _corpus.Add(input);
            if (save)
            {
                File.WriteAllBytes(Path.Combine(_out, "corpus", Convert.ToHexStringLower(SHA1.HashData(input))), input);
            }
        }
    }

    /// <summary>Folds this run's map into the virgin map (AFL hit-count buckets as bits); true if anything is new.</summary>
    private bool NewCoverage()
    {
        bool fresh = false;
        var map = new ReadOnlySpan<byte>(_map, MapSize);
        var words = new ReadOnlySpan<ulong>(_map, MapSize / 8);
        for (int w = 0; w < words.Length; w += 8)
        {
            // most of the map is zero: skip it 64 bytes at a time
            if ((words[w] | words[w + 1] | words[w + 2] | words[w + 3] | words[w + 4] | words[w + 5] | words[w + 6] | words[w + 7]) == 0)
            {
                continue;
            }
            for (int i = w * 8; i < (w + 8) * 8; i++)
            {
                fresh |= Fold(i, map[i]);
            }
        }
        return fresh;
    }

    /// <summary>Folds one map cell's hit count (as its AFL bucket) into the virgin map; true if the bucket is new there.</summary>
    private bool Fold(int i, byte hits)
    {
        if (hits == 0)
        {
            return false;
        }
        byte bucket = hits switch
        {
            1 => 1,
            2 => 2,
            3 => 4,
            <= 7 => 8,
            <= 15 => 16,
            <= 31 => 32,
            <= 127 => 64,
            _ => 128,
        };
        if ((_virgin[i] & bucket) != 0)
        {
            return false;
        }
        _virgin[i] |= bucket;
        Features++;
        return true;
    }

    private byte[] Mutate()
    {
        var data = new List<byte>(_corpus[_rng.Next(_corpus.Count)]);
        if (_corpus.Count > 1 && _rng.Next(8) == 0)
        {
            // splice: a prefix of this entry and a suffix of another
            var other = _corpus[_rng.Next(_corpus.Count)];
            int cut = data.Count == 0 ? 0 : _rng.Next(data.Count);
            int from = other.Length == 0 ? 0 : _rng.Next(other.Length);
            data.RemoveRange(cut, data.Count - cut);
            data.AddRange(other.AsSpan(from).ToArray());
        }
        int stack = 1 << _rng.Next(5);
        for (int s = 0; s < stack; s++)
        {
            MutateOnce(data);
        }
        if (data.Count > _maxLength)
        {
            data.RemoveRange(_maxLength, data.Count - _maxLength);
        }
        return [.. data];
    }

    private void MutateOnce(List<byte> d)
    {
        int op = _rng.Next(d.Count == 0 ? 2 : 12);
        switch (op)
        {
            case 0:   // insert random bytes
            {
                int at = _rng.Next(d.Count + 1);
                int n = 1 + _rng.Next(_rng.Next(2) == 0 ? 4 : 64);
                var b = new byte[n];
                _rng.NextBytes(b);
                d.InsertRange(at, b);
                break;
            }
            case 1:   // insert a token
            {
                d.InsertRange(_rng.Next(d.Count + 1), Tokens[_rng.Next(Tokens.Length)]);
                break;
            }
            case 2:   // flip a bit
            {
                int i = _rng.Next(d.Count);
                d[i] ^= (byte)(1 << _rng.Next(8));
                break;
            }
            case 3:   // random byte
                d[_rng.Next(d.Count)] = (byte)_rng.Next(256);
                break;
            case 4:   // interesting byte
                d[_rng.Next(d.Count)] = (byte)(_rng.Next(6) switch { 0 => 0, 1 => 0xFF, 2 => 0x7F, 3 => 0x80, 4 => 1, _ => 16 });
                break;
            case 5:   // small arithmetic
            {
                int i = _rng.Next(d.Count);
                d[i] = (byte)(d[i] + _rng.Next(-16, 17));
                break;
            }
            case 6:   // interesting 32-bit little-endian value
            {
                if (d.Count < 4)
                {
                    goto case 3;
                }
                int i = _rng.Next(d.Count - 3);
                uint v = _rng.Next(7) switch { 0 => 0, 1 => uint.MaxValue, 2 => int.MaxValue, 3 => 1u << 26, 4 => (1u << 26) + 1, 5 => (uint)_rng.Next(1 << 16), _ => (uint)_rng.Next() };
                for (int k = 0; k < 4; k++)
                {
                    d[i + k] = (byte)(v >> (8 * k));
                }
                break;
            }
            case 7:   // delete a block
            {
                int at = _rng.Next(d.Count);
                d.RemoveRange(at, 1 + _rng.Next(Math.Min(d.Count - at, _rng.Next(2) == 0 ? 4 : 256)));
                break;
            }
            case 8:   // duplicate a block
            {
                int at = _rng.Next(d.Count);
                int n = 1 + _rng.Next(Math.Min(d.Count - at, 64));
                d.InsertRange(_rng.Next(d.Count + 1), d.GetRange(at, n));
                break;
            }
            case 9:   // overwrite with a token
            {
                var t = Tokens[_rng.Next(Tokens.Length)];
                int at = _rng.Next(d.Count);
                for (int k = 0; k < t.Length && at + k < d.Count; k++)
                {
                    d[at + k] = t[k];
                }
                break;
            }
            case 10:   // truncate
            {
                int at = _rng.Next(d.Count);
                d.RemoveRange(at, d.Count - at);
                break;
            }
            default:   // ASCII digit or separator (text formats)
            {
                const string chars = "0123456789.-e\t\n";
                d[_rng.Next(d.Count)] = (byte)chars[_rng.Next(chars.Length)];
                break;
            }
        }
    }

    private void Watch(double hangSeconds)
    {
        long limit = (long)(hangSeconds * Stopwatch.Frequency);
        while (true)
        {
            Thread.Sleep(200);
            long started = Interlocked.Read(ref _runStartTicks);
            if (started < 0)
            {
                return;
            }
            if (started > 0 && Stopwatch.GetTimestamp() - started > limit)
            {
                int n = _current.ReadInt32(0);
                var input = new byte[n];
                _current.ReadArray(4, input, 0, n);
                string name = Convert.ToHexStringLower(SHA1.HashData(input));
                File.WriteAllBytes(Path.Combine(_out, "hangs", name), input);
                Console.Error.WriteLine($"{_target.Name}: hang {name}: one run took over {hangSeconds} s");
                Environment.Exit(3);
            }
        }
    }
}
