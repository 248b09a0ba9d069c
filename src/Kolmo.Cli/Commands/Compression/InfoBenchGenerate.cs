using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Kolmo.Cli.Infrastructure;
using Kolmo.Compression;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kolmo.Cli.Commands.Compression;

public sealed class InfoSettings : CommandSettings
{
    [CommandArgument(0, "<FILES>")]
    [Description("One or more .kolmo files (prints their headers), or two ordinary files X Y (information report)")]
    public string[] Files { get; set; } = [];

    [CommandOption("-c|--compressors <LIST>")]
    [Description("For info X Y: comma-separated compressors (deflate, gzip, brotli, zstd-19, zstd-22-long, lzma, bzip2, ordermix, order3, cm) or 'all'")]
    [DefaultValue("all")]
    public string Compressors { get; set; } = "all";

    [CommandOption("--json")]
    [Description("Print JSON (an object for one file, an array for several)")]
    public bool Json { get; set; }
}

/// <summary>kolmo info FILE.kolmo…: prints container headers; kolmo info X Y: the information report of two files (<see cref="Information.InfoPair"/>).</summary>
public sealed class InfoCommand : Command<InfoSettings>
{
    public override int Execute(CommandContext context, InfoSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Files.Length == 2 && !ContainerInfo.IsContainer(settings.Files[0]) && !ContainerInfo.IsContainer(settings.Files[1]))
        {
            return Information.InfoPair.Run(new Information.InfoPairOptions
            {
                X = settings.Files[0],
                Y = settings.Files[1],
                Compressors = settings.Compressors,
                Json = settings.Json,
            });
        }
        if (settings.Json && settings.Files.Length > 1)
        {
            var items = settings.Files.Select(ContainerInfo.ToJsonObject).ToList();
            Console.WriteLine(JsonSerializer.Serialize(items, ContainerInfo.JsonOptions));
            return 0;
        }
        foreach (var f in settings.Files)
        {
            ContainerInfo.Print(f, settings.Json);
        }
        return 0;
    }
}

/// <summary>Reads and prints <c>.kolmo</c> container headers (used by <c>kolmo info</c>).</summary>
public static class ContainerInfo
{
    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>True when <paramref name="path"/> is a readable file starting with the .kolmo magic.</summary>
    public static bool IsContainer(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        Span<byte> magic = stackalloc byte[4];
        using var f = File.OpenRead(path);
        return f.Read(magic) == 4 && magic.SequenceEqual(KolmoContainer.Magic);
    }

    /// <summary>Reads every stream of the container file at <paramref name="path"/> (structure validated, payload not decoded).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a valid container (message names the file and offset).</exception>
    public static IReadOnlyList<KolmoSummary> ReadAll(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file");
        }
        using var f = File.OpenRead(path);
        try
        {
            return KolmoContainer.InspectAll(f);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Prints the header of the container at <paramref name="path"/> as text or JSON on standard output.</summary>
    public static void Print(string path, bool json)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(ToJsonObject(path), JsonOptions));
            return;
        }
        foreach (var s in ReadAll(path))
        {
            Console.Write(ToText(path, s));
        }
    }

    /// <summary>The text form of a summary.</summary>
    public static string ToText(string path, KolmoSummary s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var ci = CultureInfo.InvariantCulture;
        var h = s.Header;
        string model = ModelCatalog.TryGet(h.Model, out var e) ? e.Name : "?";
        var sb = new StringBuilder();
        sb.AppendLine(ci, $"{path}");
        sb.AppendLine(ci, $"  format      .kolmo version {h.Version}, header {h.Length} bytes");
        sb.AppendLine(ci, $"  model       {model} (id {(int)h.Model}), level {h.Level}, parameters [{Convert.ToHexString(h.Parameters)}]");
        sb.AppendLine(ci, $"  block size  {h.BlockSize} bytes");
        sb.AppendLine(ci, $"  blocks      {s.Blocks} ({s.StoredBlocks} stored), payload {s.PayloadBytes} bytes");
        sb.AppendLine(ci, $"  original    {s.OriginalLength} bytes, xxHash64 {s.Checksum:x16}");
        string bpb = s.OriginalLength > 0 ? (8.0 * s.FileLength / s.OriginalLength).ToString("F3", ci) : "-";
        sb.AppendLine(ci, $"  compressed  {s.FileLength} bytes, {bpb} bits per byte");
        return sb.ToString();
    }

    internal static object ToJsonObject(string path)
    {
        var all = ReadAll(path);
        return all.Count == 1 ? ToJsonObject(path, all[0]) : all.Select(s => ToJsonObject(path, s)).ToArray();
    }

    private static object ToJsonObject(string path, KolmoSummary s)
    {
        var h = s.Header;
        return new
        {
            file = path,
            formatVersion = h.Version,
            headerBytes = h.Length,
            model = ModelCatalog.TryGet(h.Model, out var e) ? e.Name : "?",
            modelId = (int)h.Model,
            level = (int)h.Level,
            parameters = Convert.ToHexString(h.Parameters),
            blockSize = h.BlockSize,
            blocks = s.Blocks,
            storedBlocks = s.StoredBlocks,
            payloadBytes = s.PayloadBytes,
            originalBytes = s.OriginalLength,
            xxHash64 = s.Checksum.ToString("x16", CultureInfo.InvariantCulture),
            compressedBytes = s.FileLength,
            bitsPerByte = s.OriginalLength > 0 ? Math.Round(8.0 * s.FileLength / s.OriginalLength, 4) : 0,
        };
    }
}

public sealed class BenchSettings : CommandSettings
{
    [CommandArgument(0, "[PATHS]")]
    [Description("Files or folders to compress (default: the shipped sample corpus data/canterbury)")]
    public string[] Paths { get; set; } = [];

    [CommandOption("--compressors <LIST>")]
    [Description("Comma-separated compressor names (default: every model except the slow neural ones (nn, cm+nn), and the whole standard panel)")]
    public string? CompressorList { get; set; }

    [CommandOption("--json")]
    [Description("Print the measurements as JSON")]
    public bool Json { get; set; }

    [CommandOption("--tsv")]
    [Description("Print the measurements as tab-separated values")]
    public bool Tsv { get; set; }

    public override ValidationResult Validate() =>
        Json && Tsv ? ValidationResult.Error("--json and --tsv cannot be combined") : ValidationResult.Success();
}

/// <summary>kolmo bench: compressors × files → sizes, bits per byte, MB/s both ways, round-trip check.</summary>
public sealed class BenchCommand : Command<BenchSettings>
{
    public override int Execute(CommandContext context, BenchSettings settings, CancellationToken cancellationToken)
    {
        var files = new List<string>();
        var paths = settings.Paths.Length > 0 ? settings.Paths : [SampleCorpus.Find()];
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                files.AddRange(BenchRunner.FilesIn(p));
            }
            else if (File.Exists(p))
            {
                files.Add(p);
            }
            else
            {
                throw new FileNotFoundException($"{p}: no such file or folder");
            }
        }
        if (files.Count == 0)
        {
            throw new UsageException("no input files");
        }
        IReadOnlyList<ICompressor> compressors;
        try
        {
            compressors = settings.CompressorList is null
                ? Compressors.Default()
                : settings.CompressorList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Compressors.Create).ToList();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter")[0]);
        }
        var inputs = BenchRunner.Load(files);
        var ci = CultureInfo.InvariantCulture;
        Console.Error.WriteLine(string.Create(ci, $"bench: {inputs.Count} files, {inputs.Sum(i => (long)i.Data.Length)} bytes, {compressors.Count} compressors"));
        var rows = BenchRunner.Run(compressors, inputs, r =>
            Console.Error.WriteLine(string.Create(ci, $"  {r.File,-16} {r.Compressor,-13} {r.CompressedBytes,10} bytes {r.BitsPerByte,7:F3} bpb {r.CompressMBps,8:F2} / {r.DecompressMBps,8:F2} MB/s  {(r.RoundTrip ? "ok" : "ROUND TRIP FAILED")}")));
        if (settings.Json)
        {
            Console.WriteLine(BenchRunner.ToJson([.. rows, .. BenchRunner.Totals(rows)]));
        }
        else if (settings.Tsv)
        {
            Console.Write(BenchRunner.ToTsv([.. rows, .. BenchRunner.Totals(rows)]));
        }
        else
        {
            Console.WriteLine();
            Console.Write(BenchRunner.ToMarkdown(rows));
        }
        bool ok = rows.All(r => r.RoundTrip);
        if (!ok)
        {
            Console.Error.WriteLine("kolmo: a round trip failed (see the table)");
        }
        return ok ? 0 : 3;
    }
}

/// <summary>Finds the shipped sample corpus <c>data/canterbury</c> from the working folder or the program's folder upwards.</summary>
public static class SampleCorpus
{
    /// <summary>The folder path.</summary>
    /// <exception cref="UsageException">Not found.</exception>
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                string candidate = Path.Combine(d.FullName, "data", "canterbury");
                if (Directory.Exists(candidate))
                {
                    return Path.GetRelativePath(Directory.GetCurrentDirectory(), candidate);
                }
            }
        }
        throw new UsageException("sample corpus data/canterbury not found; give files or folders to bench");
    }
}

public sealed class GenerateSettings : CommandSettings
{
    [CommandOption("--compressor <NAME>")]
    [Description("Any compressor: gzip, zstd-19, order3, ... (see 'kolmo bench')")]
    [DefaultValue("gzip")]
    public string Compressor { get; set; } = "gzip";

    [CommandOption("-p|--prompt <TEXT>")]
    [Description("Text to continue")]
    [DefaultValue("")]
    public string Prompt { get; set; } = "";

    [CommandOption("-n|--count <N>")]
    [Description("Bytes to generate")]
    [DefaultValue(200)]
    public int Count { get; set; } = 200;

    [CommandOption("--seed <N>")]
    [Description("Sampler seed (same seed, same text)")]
    [DefaultValue(1UL)]
    public ulong Seed { get; set; } = 1;

    [CommandOption("--temperature <T>")]
    [Description("Sampling temperature (0 = always the most likely byte)")]
    [DefaultValue(1.0)]
    public double Temperature { get; set; } = 1.0;

    [CommandOption("--context <BYTES>")]
    [Description("How many past bytes are compressed with each candidate")]
    [DefaultValue(1024)]
    public int Context { get; set; } = 1024;

    public override ValidationResult Validate()
    {
        if (Count < 0)
        {
            return ValidationResult.Error("-n must be >= 0");
        }
        if (Temperature < 0 || double.IsNaN(Temperature))
        {
            return ValidationResult.Error("--temperature must be >= 0");
        }
        return Context <= 0 ? ValidationResult.Error("--context must be > 0") : ValidationResult.Success();
    }
}

/// <summary>kolmo generate: samples bytes from a compressor used as a predictor.</summary>
public sealed class GenerateCommand : Command<GenerateSettings>
{
    public override int Execute(CommandContext context, GenerateSettings settings, CancellationToken cancellationToken)
    {
        ICompressor compressor;
        try
        {
            compressor = Compressors.Create(settings.Compressor);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter")[0]);
        }
        var predictor = new CompressorPredictor(compressor, settings.Context);
        var prompt = Encoding.UTF8.GetBytes(settings.Prompt);
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(prompt);
        predictor.Generate(prompt, settings.Count, settings.Seed, settings.Temperature, b =>
        {
            stdout.WriteByte(b);
            stdout.Flush();
        });
        stdout.WriteByte((byte)'\n');
        return 0;
    }
}
