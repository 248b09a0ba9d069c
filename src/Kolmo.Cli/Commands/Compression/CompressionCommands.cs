using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Kolmo.Cli.Commands.Compression;
using Kolmo.Cli.Infrastructure;
using Kolmo.Compression;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kolmo.Cli
{
    public static partial class Program
    {
        static partial void ConfigureCompression(IConfigurator config)
        {
            config.AddCommand<CompressCommand>("compress").WithAlias("c")
                .WithDescription("Compress FILE to FILE.kolmo with a predictive model and arithmetic coding")
                .WithExample("compress", "book.txt").WithExample("c", "-9", "book.txt").WithExample("c", "-c", "-", "--model", "order3");
            config.AddCommand<DecompressCommand>("decompress").WithAlias("d")
                .WithDescription("Decompress FILE.kolmo to FILE (every field and the xxHash64 checksum are verified; concatenated streams are decoded in sequence)")
                .WithExample("d", "book.txt.kolmo").WithExample("d", "-t", "book.txt.kolmo");
            config.AddCommand<BenchCommand>("bench")
                .WithDescription("Compress and decompress files with every compressor: sizes, bits per byte, MB/s, round trip (default: the sample built into the tool)")
                .WithExample("bench").WithExample("bench", "--compressors", "order3,gzip,zstd-19", "--tsv", "data/canterbury");
            config.AddCommand<InfoCommand>("info")
                .WithDescription("Print the header of .kolmo files, or the information report of two files X Y (C(X), C(Y|X), MI, NCD per compressor)")
                .WithExample("info", "book.txt.kolmo", "--json").WithExample("info", "x.txt", "y.txt", "-c", "deflate,lzma,ordermix");
            config.AddCommand<GenerateCommand>("generate")
                .WithDescription("Sample text from a model's own predictive distribution after it learns a training text (default cm on the built-in English books), or from any compressor used as a predictor (--compressor)")
                .WithExample("generate", "--prompt", "It was a dark and stormy night", "-n", "300", "--seed", "1")
                .WithExample("generate", "--compressor", "gzip", "--prompt", "The ", "-n", "200", "--seed", "1");
        }
    }
}

namespace Kolmo.Cli.Commands.Compression
{
    /// <summary>Options shared by compress and decompress.</summary>
    public class CodecSettings : CommandSettings
    {
        [CommandArgument(0, "[FILES]")]
        [Description("Input files; '-' or none reads standard input (and then writes standard output unless -o is given)")]
        public string[] Files { get; set; } = [];

        [CommandOption("-o|--output <PATH>")]
        [Description("Output file (only with one input)")]
        public string? Output { get; set; }

        [CommandOption("-c|--stdout")]
        [Description("Write to standard output; keep the input")]
        public bool Stdout { get; set; }

        [CommandOption("-f|--force")]
        [Description("Overwrite existing output files")]
        public bool Force { get; set; }

        [CommandOption("-k|--keep")]
        [Description("Keep the input file (the default, as in zstd)")]
        public bool Keep { get; set; }

        [CommandOption("--rm")]
        [Description("Remove the input file after a successful run")]
        public bool Remove { get; set; }

        [CommandOption("-q|--quiet")]
        [Description("No summary line and no progress bar")]
        public bool Quiet { get; set; }

        [CommandOption("-v|--verbose")]
        [Description("Also print the model, level and container details of each file")]
        public bool Verbose { get; set; }

        [CommandOption("-t|--test")]
        [Description("Test integrity: decode FILE.kolmo and verify every checksum, writing nothing")]
        public bool Test { get; set; }

        [CommandOption("-T|--threads <N>")]
        [Description("Worker threads. cm and order3: segments are coded and decoded in parallel (compressing with N ≥ 2 and no --segment-size cuts the input into N segments of at least 4 MiB, each after the first warmed up with up to the input's first MiB); nn, cm+nn: the network's work is split. The output does not depend on N")]
        public int? Threads { get; set; }

        [CommandOption("--prime-data <FILE>")]
        [Description("Prior data X: the model learns X before coding, so the output is C(input | X) (the container records X's xxHash64; decompression needs the same X)")]
        public string? PrimeData { get; set; }

        [CommandOption("--prime-model <FILE>")]
        [Description("Prior model: a checkpoint from 'kolmo train' to start nn or cm+nn's network from (the container records its xxHash64; decompression needs the same file)")]
        public string? PrimeModel { get; set; }

        public override ValidationResult Validate()
        {
            if (Output != null && Stdout)
            {
                return ValidationResult.Error("-o and -c cannot be combined");
            }
            if (Output != null && Files.Length > 1)
            {
                return ValidationResult.Error("-o needs exactly one input file");
            }
            if (Keep && Remove)
            {
                return ValidationResult.Error("-k and --rm cannot be combined");
            }
            if (Test && (Output != null || Stdout || Remove))
            {
                return ValidationResult.Error("-t (test) writes nothing: it cannot be combined with -o, -c or --rm");
            }
            if (Quiet && Verbose)
            {
                return ValidationResult.Error("-q and -v cannot be combined");
            }
            if (Threads is int t && (t < 1 || t > 256))
            {
                return ValidationResult.Error("--threads must be 1-256");
            }
            if (PrimeData != null && PrimeModel != null)
            {
                return ValidationResult.Error("--prime-data and --prime-model cannot be combined");
            }
            return ValidationResult.Success();
        }
    }

    public sealed class CompressSettings : CodecSettings
    {
        [CommandOption("-m|--model <NAME>")]
        [Description("Model: cm (context mixing, the default), order3, nn (online-trained network), cm+nn (cm with the network mixed in) (see 'kolmo bench')")]
        [DefaultValue("cm")]
        public string Model { get; set; } = "cm";

        [CommandOption("-l|--level <N>")]
        [Description("Level 1-9 (default 6; also written -1 … -9). cm: memory = 1.5·T + 4.5-8.6 MiB of fixed tables, T (hash table) = 16 MiB at 1-3, 32 at 4, 64 at 5-6, 128 at 7, 256 at 8, 512 at 9 (1 → 28 MiB, 6 → 104 MiB, 9 → 777 MiB); 1-5: orders 0-4, 6 + word; 6-7 add orders 5, 8, word pair, sparse, record, indirect; 8-9 add orders 7, 12, 16, 24 and more (docs/CM.md). nn: LSTM layers × cells from 1 × 32 (level 1) to 3 × 320 (9), default 6 = 3 × 160; cm+nn: cm at the level with the network of level ≤ 4 (4 at 5-6, 6 at 7-9)")]
        public int? Level { get; set; }

        [CommandOption("--best")]
        [Description("Level 9 (the strongest)")]
        public bool Best { get; set; }

        [CommandOption("--fast")]
        [Description("Level 1 (the fastest)")]
        public bool Fast { get; set; }

        [CommandOption("-d|--decompress")]
        [Description("Decompress instead (same as 'kolmo decompress')")]
        public bool Decompress { get; set; }

        /// <summary>The level asked for: --level, -N, --best or --fast (null: the model's default).</summary>
        public int? ChosenLevel => Best ? ModelCatalog.MaxLevel : Fast ? ModelCatalog.MinLevel : Level;

        [CommandOption("--memory <SIZE>")]
        [Description("Upper bound on model memory, e.g. 16M, 1G, 500000 (default: what the level needs)")]
        public string? Memory { get; set; }

        public override ValidationResult Validate()
        {
            if (Level is int l && (l < ModelCatalog.MinLevel || l > ModelCatalog.MaxLevel))
            {
                return ValidationResult.Error($"--level must be {ModelCatalog.MinLevel}-{ModelCatalog.MaxLevel}, not {l}");
            }
            if ((Level is not null ? 1 : 0) + (Best ? 1 : 0) + (Fast ? 1 : 0) > 1)
            {
                return ValidationResult.Error("give one level: --level N (or -N), --best or --fast");
            }
            return base.Validate();
        }

        [CommandOption("--block-size <SIZE>", IsHidden = true)]
        [Description("Uncompressed bytes per container block (default 1M)")]
        public string? BlockSize { get; set; }

        [CommandOption("--segment-size <SIZE>")]
        [Description("Cut the input into segments of SIZE bytes (the model restarts at each; they are coded in parallel with --threads, and the output is the same for any thread count). Default: one segment, or N segments with --threads N")]
        public string? SegmentSize { get; set; }

        [CommandOption("--segment-warmup <SIZE>")]
        [Description("Bytes of the input's head that each segment after the first learns before it is coded (the decoder learns them from the first segment's output), so segments start warm; 0: each segment starts from the fresh model. Default: min(1M, segment size / 8)")]
        public string? SegmentWarmup { get; set; }

        [CommandOption("--cluster <CONNECTION>")]
        [Description(ScaleOut.ScaleOutCli.ClusterHelp)]
        public string? Cluster { get; set; }

        [CommandOption("--shard <I/N>")]
        [Description("Compress only every N-th input file, starting at file i (0-based), e.g. 0/4; outputs as usual")]
        public string? Shard { get; set; }
    }

    public sealed class DecompressSettings : CodecSettings
    {
    }

    /// <summary>kolmo compress: FILE → FILE.kolmo.</summary>
    public sealed class CompressCommand : Command<CompressSettings>
    {
        public override int Execute(CommandContext context, CompressSettings settings, CancellationToken cancellationToken)
        {
            if (settings.Decompress || settings.Test)
            {
                return DecompressCommand.Run(settings);
            }
            long? memory = settings.Memory is null ? null : SizeText.Parse(settings.Memory, "--memory");
            int block = settings.BlockSize is null ? KolmoContainer.DefaultBlockSize : (int)Math.Min(int.MaxValue, SizeText.Parse(settings.BlockSize, "--block-size"));
            long? segment = settings.SegmentSize is null ? null : SizeText.Parse(settings.SegmentSize, "--segment-size");
            long? warmup = settings.SegmentWarmup is null ? null : settings.SegmentWarmup.Trim() == "0" ? 0 : SizeText.Parse(settings.SegmentWarmup, "--segment-warmup");
            if (warmup > KolmoContainer.MaxSegmentWarmup)
            {
                throw new UsageException($"--segment-warmup {settings.SegmentWarmup}: at most 1G ({KolmoContainer.MaxSegmentWarmup} bytes)");
            }
            ModelCompressor compressor;
            try
            {
                NeuralCompression.NeuralCli.SetThreads(settings.Threads);
                compressor = NeuralCompression.NeuralCli.Compressor(settings.Model, settings.ChosenLevel, memory, block, NeuralCompression.NeuralCli.LoadPrior(settings.PrimeData, settings.PrimeModel));
                bool sequentialModel = compressor.Model is ModelId.Cm or ModelId.Order3;
                compressor = compressor.WithSegments(segment, sequentialModel ? settings.Threads ?? 1 : 1, warmup: warmup);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e is ArgumentOutOfRangeException && e.ParamName == "memoryLimitBytes"
                    ? $"--memory {settings.Memory}: too small ({e.Message.Split(" (Parameter")[0]})"
                    : e.Message.Split(" (Parameter")[0]);
            }
            if (settings.Verbose)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"model {compressor.Name}, level {compressor.Level}, block size {block} bytes{(memory is long m ? $", memory cap {m} bytes" : "")}"));
            }
            var inputs = CodecRunner.Inputs(settings);
            switch (ScaleOut.ScaleOutCli.Mode(settings.Cluster, settings.Shard))
            {
                case ScaleOut.ScaleOutCli.RunMode.Cluster:
                    return ScaleOut.ScaleOutCli.CompressOnCluster(settings, [.. inputs], compressor, memory, cancellationToken);
                case ScaleOut.ScaleOutCli.RunMode.Shard:
                    inputs = ScaleOut.ScaleOutCli.ShardOf([.. inputs], settings.Shard!);
                    break;
            }
            foreach (var input in inputs)
            {
                CodecRunner.Run(settings, input, compress: true, (src, dst, progress) => compressor.Compress(src, dst, progress));
            }
            return 0;
        }
    }

    /// <summary>kolmo decompress: FILE.kolmo → FILE.</summary>
    public sealed class DecompressCommand : Command<DecompressSettings>
    {
        public override int Execute(CommandContext context, DecompressSettings settings, CancellationToken cancellationToken) => Run(settings);

        /// <summary>Decompresses (or, with -t, tests) every input.</summary>
        public static int Run(CodecSettings settings)
        {
            NeuralCompression.NeuralCli.SetThreads(settings.Threads);
            var prior = NeuralCompression.NeuralCli.LoadPrior(settings.PrimeData, settings.PrimeModel);
            Prior[] priors = prior is null ? [] : [prior];
            foreach (var input in CodecRunner.Inputs(settings))
            {
                if (settings.Verbose && input != "-")
                {
                    CodecRunner.Describe(input);
                }
                CodecRunner.Run(settings, input, compress: false, (src, dst, progress) => ModelCompressor.Decompress(src, dst, progress, priors, settings.Threads ?? 1));
            }
            return 0;
        }
    }

    /// <summary>The file handling shared by compress and decompress: naming, atomic output, progress, summary.</summary>
    public static class CodecRunner
    {
        public const string Suffix = ".kolmo";

        private const string StdinToken = ArgumentCheck.StdinToken;

        public static IEnumerable<string> Inputs(CodecSettings s) =>
            s.Files.Length == 0 ? ["-"] : s.Files.Select(f => f == StdinToken ? "-" : f);

        public static void Run(CodecSettings s, string input, bool compress, Action<Stream, Stream, Action<long>?> work)
        {
            bool fromStdin = input == "-";
            if (!fromStdin && !File.Exists(input))
            {
                throw Directory.Exists(input)
                    ? new UsageException($"{input} is a directory")
                    : new FileNotFoundException($"{input}: no such file");
            }
            if (s.Test)
            {
                Test(s, input, fromStdin);
                return;
            }
            string? outPath = s.Stdout ? null : s.Output ?? (fromStdin ? null : OutputName(input, compress));
            if (outPath is "-" or StdinToken)
            {
                outPath = null;
            }
            if (outPath == null && compress && !Console.IsOutputRedirected)
            {
                throw new UsageException("refusing to write compressed data to a terminal; use -o FILE or redirect the output");
            }
            if (outPath != null && !fromStdin && Path.GetFullPath(outPath) == Path.GetFullPath(input))
            {
                throw new UsageException($"{input}: input and output are the same file");
            }
            var sw = Stopwatch.StartNew();
            using var file = fromStdin ? Console.OpenStandardInput() : new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            long inLength = file.CanSeek ? file.Length : -1;
            var src = new CountingReadStream(file);
            long outLength;
            string label = fromStdin ? "stdin" : input;
            bool showProgress = !s.Quiet && inLength > 1_000_000 && !Console.IsOutputRedirected && outPath != null;
            if (outPath == null)
            {
                using var stdout = Console.OpenStandardOutput();
                var counting = new CountingWriteStream(stdout);
                Execute(work, src, counting, label, inLength, showProgress);
                outLength = counting.Count;
            }
            else
            {
                using var o = new AtomicOutput(outPath, s.Force);
                Execute(work, src, o.Stream, label, inLength, showProgress);
                outLength = o.Stream.Length;
                o.Commit();
            }
            if (s.Remove && !fromStdin && outPath != null)
            {
                file.Dispose();
                File.Delete(input);
            }
            if (!s.Quiet)
            {
                long raw = compress ? src.Count : outLength;
                long packed = compress ? outLength : src.Count;
                Console.Error.WriteLine(Summary(label, outPath ?? "stdout", raw, packed, src.Count, outLength, sw.Elapsed.TotalSeconds));
            }
        }

        /// <summary>-t: decodes every stream of <paramref name="input"/> into nothing, verifying each checksum.</summary>
        private static void Test(CodecSettings s, string input, bool fromStdin)
        {
            var sw = Stopwatch.StartNew();
            using var file = fromStdin ? Console.OpenStandardInput() : new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var src = new CountingReadStream(file);
            var sink = new CountingWriteStream(Stream.Null);
            string label = fromStdin ? "stdin" : input;
            bool showProgress = !s.Quiet && file.CanSeek && file.Length > 1_000_000 && !Console.IsErrorRedirected;
            int streams = 0;
            Execute((a, b, p) => streams = ModelCompressor.Decompress(a, b, p), src, sink, label, file.CanSeek ? file.Length : -1, showProgress);
            if (!s.Quiet)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{label}: ok, {streams} stream{(streams == 1 ? "" : "s")}, {src.Count} -> {sink.Count} bytes, checksums verified, {sw.Elapsed.TotalSeconds:F2} s"));
            }
        }

        /// <summary>-v: the container details of each stream of <paramref name="input"/> on standard error.</summary>
        public static void Describe(string input)
        {
            if (!File.Exists(input))
            {
                return;   // Run reports the missing file
            }
            foreach (var summary in ContainerInfo.ReadAll(input))
            {
                Console.Error.Write(ContainerInfo.ToText(input, summary));
            }
        }

        private static void Execute(Action<Stream, Stream, Action<long>?> work, Stream src, Stream dst, string label, long inLength, bool showProgress)
        {
            try
            {
                if (!showProgress)
                {
                    work(src, dst, null);
                    return;
                }
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
                console.Progress().AutoClear(true).Columns(
                        new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask(Markup.Escape(Path.GetFileName(label)), maxValue: inLength);
                        work(src, dst, n => task.Value = Math.Min(n, inLength));
                    });
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{label}: {e.Message}", e);
            }
        }

        public static string OutputName(string input, bool compress)
        {
            if (compress)
            {
                return input + Suffix;
            }
            if (input.EndsWith(Suffix, StringComparison.Ordinal) && input.Length > Suffix.Length)
            {
                return input[..^Suffix.Length];
            }
            throw new UsageException($"{input}: unknown suffix (expected {Suffix}); use -o OUTPUT or -c");
        }

        private static string Summary(string input, string output, long raw, long packed, long inBytes, long outBytes, double seconds)
        {
            var ci = CultureInfo.InvariantCulture;
            long peak = Process.GetCurrentProcess().PeakWorkingSet64;
            string bpb = raw > 0 ? (8.0 * packed / raw).ToString("F3", ci) + " bpb" : "- bpb";
            double mbps = seconds > 0 ? raw / 1e6 / seconds : 0;
            return string.Create(ci, $"{input} -> {output}: {inBytes} -> {outBytes} bytes, {bpb}, {seconds:F2} s, {mbps:F2} MB/s, peak memory {peak / 1048576.0:F0} MiB");
        }
    }

    /// <summary>
    /// A pass-through read stream that counts bytes. It seeks when its source does, so a compressor sees the input's
    /// length (cm and order3 cut N equal segments for N threads from it); <see cref="Count"/> is then the position.
    /// </summary>
    internal sealed class CountingReadStream(Stream inner) : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.CanSeek ? inner.Position : Count; set => Seek(value, SeekOrigin.Begin); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            Count += n;
            return n;
        }

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            Count += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            if (!inner.CanSeek)
            {
                throw new NotSupportedException();
            }
            return Count = inner.Seek(offset, origin);
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A pass-through write stream that counts bytes (for output to stdout).</summary>
    internal sealed class CountingWriteStream(Stream inner) : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Count;

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Count += count;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            Count += buffer.Length;
        }
    }

    /// <summary>Parses sizes such as <c>500000</c>, <c>64K</c>, <c>16M</c>, <c>1G</c>, <c>16MiB</c> (binary multiples).</summary>
    public static class SizeText
    {
        public static long Parse(string text, string option)
        {
            ArgumentNullException.ThrowIfNull(text);
            string t = text.Trim();
            long mult = 1;
            string upper = t.ToUpperInvariant();
            foreach (var (suffix, m) in new (string, long)[] { ("KIB", 1L << 10), ("MIB", 1L << 20), ("GIB", 1L << 30), ("KB", 1L << 10), ("MB", 1L << 20), ("GB", 1L << 30), ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("B", 1) })
            {
                if (upper.EndsWith(suffix, StringComparison.Ordinal))
                {
                    mult = m;
                    t = t[..^suffix.Length];
                    break;
                }
            }
            if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v <= 0 || v * mult > long.MaxValue / 2)
            {
                throw new UsageException($"{option}: cannot read '{text}' as a size (e.g. 500000, 64K, 16M, 1G)");
            }
            return (long)(v * mult);
        }
    }
}
