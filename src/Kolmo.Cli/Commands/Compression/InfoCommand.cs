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
        if (settings.Json)
        {
            ContainerReport[] streams = [.. settings.Files.SelectMany(ContainerInfo.Reports)];
            if (streams.Length == 1)
            {
                CliJson.Print(streams[0], c => c.ContainerReport);
            }
            else
            {
                CliJson.Print(streams, c => c.ContainerReportArray);
            }
            return 0;
        }
        foreach (var f in settings.Files)
        {
            ContainerInfo.Print(f);
        }
        return 0;
    }
}

/// <summary>Reads and prints <c>.kolmo</c> container headers (used by <c>kolmo info</c>).</summary>
public static class ContainerInfo
{
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

    /// <summary>Prints the header of every stream of the container at <paramref name="path"/> on standard output.</summary>
    public static void Print(string path)
    {
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
        sb.AppendLine(ci, $"  segments    {(h.SegmentSize == 0 ? "one (the model runs over the whole input)" : $"{h.SegmentSize} bytes each, " + (h.SegmentWarmup == 0 ? "independent" : $"each after the first warmed up with the input's first {h.SegmentWarmup} bytes"))}{(h.X86 ? "; x86 branch transform" : "")}");
        sb.AppendLine(ci, $"  blocks      {s.Blocks} ({s.StoredBlocks} stored), payload {s.PayloadBytes} bytes");
        sb.AppendLine(ci, $"  original    {s.OriginalLength} bytes, xxHash64 {s.Checksum:x16}");
        string bpb = s.OriginalLength > 0 ? (8.0 * s.FileLength / s.OriginalLength).ToString("F3", ci) : "-";
        sb.AppendLine(ci, $"  compressed  {s.FileLength} bytes, {bpb} bits per byte");
        return sb.ToString();
    }

    /// <summary>The JSON form of each stream of the container at <paramref name="path"/>.</summary>
    internal static IEnumerable<ContainerReport> Reports(string path) => ReadAll(path).Select((s, i) =>
    {
        var h = s.Header;
        return new ContainerReport(path, i + 1, h.Version, h.Length, ModelCatalog.TryGet(h.Model, out var e) ? e.Name : "?", (int)h.Model, h.Level,
            Convert.ToHexString(h.Parameters), h.PriorKind == 0 ? null : Prior.KindNameOf(h.PriorKind),
            h.PriorKind == 0 ? null : h.PriorHash.ToString("x16", CultureInfo.InvariantCulture), h.BlockSize, h.SegmentSize, h.SegmentWarmup, h.X86, s.Blocks, s.StoredBlocks, s.PayloadBytes,
            s.OriginalLength, s.Checksum.ToString("x16", CultureInfo.InvariantCulture), s.FileLength,
            s.OriginalLength > 0 ? Math.Round(8.0 * s.FileLength / s.OriginalLength, 4) : 0);
    });
}

/// <summary>What <c>kolmo info FILE.kolmo --json</c> prints for each stream (one object, or an array for several).</summary>
/// <param name="File">The file.</param>
/// <param name="Stream">Position of the stream in the file (1 for an ordinary file; concatenated streams count up).</param>
/// <param name="FormatVersion">Container format version.</param>
/// <param name="HeaderBytes">Header length.</param>
/// <param name="Model">Model name.</param>
/// <param name="ModelId">Model id in the container.</param>
/// <param name="Level">Level 1-9.</param>
/// <param name="Parameters">Model parameter bytes, hexadecimal.</param>
/// <param name="Prior">What the model learned before coding (<c>data</c> or <c>model</c>), or null when it was not primed.</param>
/// <param name="PriorXxHash64">xxHash64 of the prior's bytes, or null.</param>
/// <param name="BlockSize">Uncompressed bytes per block.</param>
/// <param name="SegmentSize">Uncompressed bytes per segment (0: one segment).</param>
/// <param name="SegmentWarmup">Bytes of the input's head each segment after the first learned before coding (0: none).</param>
/// <param name="X86">The blocks were coded after the x86 branch transform.</param>
/// <param name="Blocks">Data blocks.</param>
/// <param name="StoredBlocks">Blocks stored rather than coded.</param>
/// <param name="PayloadBytes">Sum of the payload lengths.</param>
/// <param name="OriginalBytes">Uncompressed length.</param>
/// <param name="XxHash64">Checksum of the original data.</param>
/// <param name="CompressedBytes">Length of the stream.</param>
/// <param name="BitsPerByte">8 × compressed ÷ original.</param>
public sealed record ContainerReport(string File, int Stream, int FormatVersion, int HeaderBytes, string Model, int ModelId, int Level, string Parameters,
    string? Prior, string? PriorXxHash64, int BlockSize, long SegmentSize, long SegmentWarmup, bool X86, long Blocks, long StoredBlocks, long PayloadBytes, long OriginalBytes, string XxHash64, long CompressedBytes, double BitsPerByte);
