using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Kolmo.Compression;
using Kolmo.Compression.Panel;

namespace Kolmo.Bench;

/// <summary>
/// Compression suites:
/// <list type="bullet">
/// <item><c>compress [DIR…] [--only a,b] [--out FOLDER]</c>: every catalog model and the whole standard panel on
/// each folder (default <c>../shared/data/corpora/calgary</c> (the 14 classic files) and
/// <c>../shared/data/corpora/canterbury</c>); writes <c>docs/bench/compress-DATE.md</c> and <c>.tsv</c>.</item>
/// <item><c>large [MB]</c>: a generated input (default 100 MB) streamed through order3 and back with bounded memory
/// (round trip checked by xxHash64, peak working set reported).</item>
/// </list>
/// </summary>
public static partial class Program
{
    private static readonly string[] CalgaryClassic =
        ["bib", "book1", "book2", "geo", "news", "obj1", "obj2", "paper1", "paper2", "pic", "progc", "progl", "progp", "trans"];

    static partial void RegisterCompression(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["compress"] = ("catalog models vs the standard panel on corpus folders -> docs/bench/compress-DATE.{md,tsv}", CompressSuite);
        suites["large"] = ("generated N MB (default 100) through order3 and back: bounded memory, round trip", LargeSuite);
    }

    private static int CompressSuite(string[] args)
    {
        var dirs = new List<string>();
        string? only = null;
        string outDir = "docs/bench";
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--only" && i + 1 < args.Length)
            {
                only = args[++i];
            }
            else if (args[i] == "--out" && i + 1 < args.Length)
            {
                outDir = args[++i];
            }
            else
            {
                dirs.Add(args[i]);
            }
        }
        if (dirs.Count == 0)
        {
            dirs.AddRange(BenchReport.DefaultCorpora);
        }
        var compressors = (only == null ? Compressors.Default() : Compressors.All()).ToList();
        if (only != null)
        {
            var keep = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            compressors = compressors.Where(c => keep.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        }
        var env = MachineInfo();
        var md = new StringBuilder();
        var tsv = new StringBuilder();
        string date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        md.AppendLine(CultureInfo.InvariantCulture, $"# Compression benchmark, {date}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {env.Cpu}, {System.Environment.ProcessorCount} logical CPUs (shared with other jobs: speeds are only comparable within this run). Runtime: {env.Runtime}. Commit: `{env.Commit}`. Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        md.AppendLine();
        md.AppendLine("Command: `dotnet run --project bench/Kolmo.Bench -c Release -- compress " + string.Join(' ', args) + "`. Cells: bits per byte (8 × compressed / original; best in bold). Kolmo models include their `.kolmo` container.");
        md.AppendLine();
        bool allOk = true;
        foreach (var dir in dirs)
        {
            if (!Directory.Exists(dir))
            {
                Console.Error.WriteLine($"compress: folder {dir} not found");
                return 1;
            }
            var files = BenchRunner.FilesIn(dir);
            if (Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)) == "calgary")
            {
                files = files.Where(f => CalgaryClassic.Contains(Path.GetFileName(f))).ToList();
            }
            var inputs = BenchRunner.Load(files);
            Console.Error.WriteLine($"{dir}: {inputs.Count} files, {inputs.Sum(x => (long)x.Data.Length)} bytes, {compressors.Count} compressors");
            var rows = BenchRunner.Run(compressors, inputs, r =>
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.File,-14} {r.Compressor,-14} {r.CompressedBytes,10} {r.BitsPerByte,7:F3} bpb {r.CompressMBps,8:F2} / {r.DecompressMBps,8:F2} MB/s {(r.RoundTrip ? "ok" : "FAILED")}")));
            allOk &= rows.All(r => r.RoundTrip);
            md.AppendLine(CultureInfo.InvariantCulture, $"## {Path.GetFileName(Path.TrimEndingDirectorySeparator(dir))} ({dir}, {inputs.Count} files)");
            md.AppendLine();
            md.AppendLine(BenchRunner.ToMarkdown(rows));
            string corpus = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir));
            BenchReport.AppendTsv(tsv, corpus, rows);
        }
        BenchReport.Write(outDir, $"compress-{date}", date, env, md, tsv);
        return allOk ? 0 : 3;
    }

    private static int LargeSuite(string[] args)
    {
        int mb = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        long length = mb * 1_000_000L;
        var compressor = new ModelCompressor("order3");
        string tmp = Path.Combine(Path.GetTempPath(), $"kolmo-large-{System.Environment.ProcessId}.kolmo");
        try
        {
            var sw = Stopwatch.StartNew();
            ulong inHash;
            using (var src = new GeneratedStream(length, seed: 1))
            using (var dst = File.Create(tmp))
            {
                compressor.Compress(src, dst);
                inHash = src.Hash;
            }
            double tc = sw.Elapsed.TotalSeconds;
            long packed = new FileInfo(tmp).Length;
            sw.Restart();
            var check = new HashingSink();
            using (var src = File.OpenRead(tmp))
            {
                ModelCompressor.Decompress(src, check, null);
            }
            double td = sw.Elapsed.TotalSeconds;
            long peak = Process.GetCurrentProcess().PeakWorkingSet64;
            bool ok = check.Length == length && check.Hash == inHash;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"large: {length} -> {packed} bytes ({8.0 * packed / length:F3} bpb), compress {tc:F1} s ({length / 1e6 / tc:F2} MB/s), decompress {td:F1} s ({length / 1e6 / td:F2} MB/s), peak working set {peak / 1048576.0:F0} MiB, round trip {(ok ? "ok" : "FAILED")}"));
            return ok ? 0 : 3;
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    internal static (string Cpu, string Runtime, string Commit) MachineInfo()
    {
        string cpu = RuntimeInformation.ProcessArchitecture.ToString();
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line != null)
            {
                cpu = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        string commit = "unknown";
        try
        {
            using var p = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (p != null)
            {
                commit = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                if (!string.IsNullOrEmpty(commit) && Process.Start(new ProcessStartInfo("git", "status --porcelain --untracked-files=no") { RedirectStandardOutput = true }) is { } q)
                {
                    if (q.StandardOutput.ReadToEnd().Trim().Length > 0)
                    {
                        commit += "+dirty";
                    }
                    q.WaitForExit();
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
        return (cpu, RuntimeInformation.FrameworkDescription, commit);
    }

    /// <summary>
    /// A read-only stream of generated, text-like data (words from a small vocabulary chosen by a xorshift generator,
    /// with some repeated phrases): compressible but not trivial. Hashes what it hands out.
    /// </summary>
    private sealed class GeneratedStream(long length, ulong seed) : Stream
    {
        private static readonly byte[][] Words = "the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there one all we their been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three"
            .Split(' ').Select(Encoding.ASCII.GetBytes).ToArray();

        private readonly System.IO.Hashing.XxHash64 _hash = new();
        private ulong _state = seed * 0x9E3779B97F4A7C15UL + 1;
        private long _position;
        private readonly byte[] _pending = new byte[64];
        private int _pendingStart;
        private int _pendingEnd;

        public ulong Hash => _hash.GetCurrentHashAsUInt64();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = 0;
            while (n < count && _position < length)
            {
                if (_pendingStart == _pendingEnd)
                {
                    NextWord();
                }
                buffer[offset + n++] = _pending[_pendingStart++];
                _position++;
            }
            _hash.Append(buffer.AsSpan(offset, n));
            return n;
        }

        private void NextWord()
        {
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            var w = Words[(int)((_state >> 11) % (ulong)Words.Length)];
            w.CopyTo(_pending, 0);
            int k = w.Length;
            _pending[k++] = (_state & 15) == 0 ? (byte)'\n' : (byte)' ';
            _pendingStart = 0;
            _pendingEnd = k;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A write-only sink that only hashes and counts.</summary>
    private sealed class HashingSink : Stream
    {
        private readonly System.IO.Hashing.XxHash64 _hash = new();

        public ulong Hash => _hash.GetCurrentHashAsUInt64();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        private long _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _hash.Append(buffer.AsSpan(offset, count));
            _length += count;
        }
    }
}
