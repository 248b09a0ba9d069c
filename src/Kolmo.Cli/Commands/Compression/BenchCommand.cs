using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Kolmo.Cli.Infrastructure;
using Kolmo.Compression;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kolmo.Cli.Commands.Compression;

public sealed class BenchSettings : CommandSettings
{
    [CommandArgument(0, "[PATHS]")]
    [Description("Files or folders to compress (default: the sample built into the tool: four public-domain Canterbury texts and 100 MNIST images)")]
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
        foreach (var p in settings.Paths)
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
        if (settings.Paths.Length > 0 && files.Count == 0)
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
        var inputs = settings.Paths.Length > 0 ? BenchRunner.Load(files) : BuiltInData.BenchSample();
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
