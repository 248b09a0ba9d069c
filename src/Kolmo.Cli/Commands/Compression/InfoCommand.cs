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
        if (h.PriorKind != 0)
        {
            sb.AppendLine(ci, $"  prior       {Prior.KindNameOf(h.PriorKind)} file with xxHash64 {h.PriorHash:x16} (decompress with --prime-{Prior.KindNameOf(h.PriorKind)})");
        }
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
            prior = h.PriorKind == 0 ? null : Prior.KindNameOf(h.PriorKind),
            priorXxHash64 = h.PriorKind == 0 ? null : h.PriorHash.ToString("x16", CultureInfo.InvariantCulture),
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
