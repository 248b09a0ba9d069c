using System.ComponentModel;
using System.Globalization;
using System.Text;
using Kolmo.Cli.Infrastructure;
using Kolmo.Compression.Neural;
using Kolmo.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kolmo.Cli.Commands.NeuralCompression;

internal static class Io
{
    public static byte[] Read(string path, long maxBytes)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file");
        }
        using var f = File.OpenRead(path);
        long n = maxBytes > 0 ? Math.Min(maxBytes, f.Length) : f.Length;
        var data = new byte[n];
        f.ReadExactly(data);
        return data;
    }

    public static string Format(double v, int decimals = 0) => v.ToString("F" + decimals, CultureInfo.InvariantCulture);
}

/// <summary>Settings of <c>kolmo mdl</c>.</summary>
public sealed class MdlSettings : CommandSettings
{
    [CommandOption("--data <FILE>")]
    [Description("The data to describe.")]
    public string Data { get; init; } = "";

    [CommandOption("--model <FAMILY>")]
    [Description("Model family: online-lstm (the nn compressor's network, one layer; sizes are cells, multiples of 16 up to 1024), lstm (sizes are hidden units 1..1024; one layer, BPTT 32), gpt (sizes are widths, multiples of 4 up to 1024; 2 layers, 4 heads, context 64) or order (count model; sizes are orders 0..2).")]
    [DefaultValue("order")]
    public string Model { get; init; } = "order";

    [CommandOption("--sizes <LIST>")]
    [Description("Comma-separated model sizes of the family (see --model), one code length each.")]
    [DefaultValue("0,1,2")]
    public string Sizes { get; init; } = "0,1,2";

    [CommandOption("--bytes <N>")]
    [Description("Use only the first N bytes of the data (0 = all).")]
    [DefaultValue(100_000L)]
    public long Bytes { get; init; } = 100_000;

    [CommandOption("--block <N>")]
    [Description("Bytes between two training steps (0 = the model's own: the online LSTM's horizon, the engine network's window, else 64).")]
    [DefaultValue(0)]
    public int Block { get; init; }

    [CommandOption("--epochs <N>")]
    [Description("Training passes when fitting the model of the two-part code.")]
    [DefaultValue(1)]
    public int Epochs { get; init; } = 1;

    [CommandOption("--out <PREFIX>")]
    [Description("Write PREFIX.tsv and PREFIX.png.")]
    public string? Out { get; init; }

    [CommandOption("-f|--force")]
    [Description("Overwrite existing output files.")]
    public bool Force { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrEmpty(Data))
        {
            return ValidationResult.Error("--data is required");
        }
        if (Block < 0 || Epochs < 1 || Bytes < 0)
        {
            return ValidationResult.Error("--epochs must be ≥ 1, --block and --bytes ≥ 0");
        }
        return ValidationResult.Success();
    }
}

/// <summary><c>kolmo mdl</c>: the three description lengths per model size.</summary>
public sealed class MdlCommand : Command<MdlSettings>
{
    public override int Execute(CommandContext context, MdlSettings settings, CancellationToken cancellationToken)
    {
        var sizes = ParseSizes(settings.Sizes);
        var specs = sizes.Select(s => NeuralCompressors.MdlSpec(settings.Model, s)).ToList();
        byte[] data = Io.Read(settings.Data, settings.Bytes);
        if (data.Length == 0)
        {
            throw new InvalidDataException($"{settings.Data} is empty");
        }
        var reports = new List<MdlReport>();
        foreach (string spec in specs)
        {
            Console.Error.WriteLine($"mdl: {spec} on {data.Length} bytes …");
            reports.Add(Mdl.Measure(spec, data, settings.Block, settings.Epochs));
        }
        var table = new Table().AddColumns("model", "params", "uniform", "2-part", "weights", "data|w", "step", "preq", "bpb");
        foreach (var r in reports)
        {
            table.AddRow(r.Spec, r.Parameters.ToString(CultureInfo.InvariantCulture), Io.Format(r.UniformBits), Io.Format(r.TwoPart.TotalBits),
                Io.Format(r.TwoPart.WeightBits), Io.Format(r.TwoPart.DataBits), "2^" + Io.Format(Math.Log2(r.TwoPart.Step)),
                Io.Format(r.PrequentialBits), Io.Format(r.PrequentialBits / r.Symbols, 3));
        }
        AnsiConsole.Write(table);
        if (settings.Out is not null)
        {
            AtomicOutput.WriteAll(settings.Force,
                (settings.Out + ".tsv", Encoding.UTF8.GetBytes(ToTsv(reports))),
                (settings.Out + ".png", Charts.Render(DescriptionLengthFigures.Mdl(reports, Path.GetFileName(settings.Data)))));
            Console.Error.WriteLine($"mdl: wrote {settings.Out}.tsv and {settings.Out}.png");
        }
        return 0;
    }

    internal static string ToTsv(IEnumerable<MdlReport> reports)
    {
        var sb = new StringBuilder("model\tparameters\tbytes\tuniform_bits\ttwo_part_bits\tweight_bits\tdata_given_weights_bits\tstep\tdistinct_values\tprequential_bits\n");
        foreach (var r in reports)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Spec}\t{r.Parameters}\t{r.Symbols}\t{Io.Format(r.UniformBits, 1)}\t{Io.Format(r.TwoPart.TotalBits, 1)}\t{Io.Format(r.TwoPart.WeightBits, 1)}\t{Io.Format(r.TwoPart.DataBits, 1)}\t{r.TwoPart.Step.ToString("R", CultureInfo.InvariantCulture)}\t{r.TwoPart.DistinctValues}\t{Io.Format(r.PrequentialBits, 1)}\n");
        }
        return sb.ToString();
    }

    private static List<int> ParseSizes(string s)
    {
        var list = new List<int>();
        foreach (string part in s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            {
                throw new UsageException($"--sizes: '{part}' is not an integer");
            }
            list.Add(v);
        }
        if (list.Count == 0)
        {
            throw new UsageException("--sizes is empty");
        }
        return list;
    }
}

/// <summary>Settings of <c>kolmo transfer</c>.</summary>
public sealed class TransferSettings : CommandSettings
{
    [CommandOption("--target <FILE>")]
    [Description("The file Y to code.")]
    public string Target { get; init; } = "";

    [CommandOption("--sources <FILES>")]
    [Description("Files X to prime on (one experiment each): --sources X1 X2 …; 'random:N' is N random bytes (seed 1).")]
    public string[] Sources { get; init; } = [];

    [CommandArgument(0, "[MORE]")]
    [Description("More sources (what follows --sources X1).")]
    public string[] More { get; init; } = [];

    public IReadOnlyList<string> AllSources => [.. Sources, .. More];

    [CommandOption("--models <LIST>")]
    [Description("Comma-separated models, each coding Y alone and after learning X: the catalog's nn, cm+nn, cm, order3 (they learn X exactly as --prime-data does) and the count models order0, order1, order2.")]
    [DefaultValue("order2,nn")]
    public string Models { get; init; } = "order2,nn";

    [CommandOption("-l|--level <N>")]
    [Description("Level 1-9 of the catalog models (default: each model's own).")]
    public int? Level { get; init; }

    [CommandOption("--target-bytes <N>")]
    [Description("Use the first N bytes of the target.")]
    [DefaultValue(100_000L)]
    public long TargetBytes { get; init; } = 100_000;

    [CommandOption("--source-bytes <N>")]
    [Description("Use at most N bytes of each source (0 = all).")]
    [DefaultValue(0L)]
    public long SourceBytes { get; init; }

    [CommandOption("--out <PREFIX>")]
    [Description("Write PREFIX.tsv and PREFIX.png.")]
    public string? Out { get; init; }

    [CommandOption("-f|--force")]
    [Description("Overwrite existing output files.")]
    public bool Force { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrEmpty(Target))
        {
            return ValidationResult.Error("--target is required");
        }
        if (Sources.Length == 0)
        {
            return ValidationResult.Error("--sources needs at least one file");
        }
        if (Level is int l && (l < 1 || l > 9))
        {
            return ValidationResult.Error($"--level must be 1-9, not {l}");
        }
        return TargetBytes < 0 || SourceBytes < 0 ? ValidationResult.Error("byte limits must be ≥ 0") : ValidationResult.Success();
    }
}

/// <summary><c>kolmo transfer</c>: C(Y) − C(Y | X) per model and source.</summary>
public sealed class TransferCommand : Command<TransferSettings>
{
    public override int Execute(CommandContext context, TransferSettings settings, CancellationToken cancellationToken)
    {
        var models = settings.Models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => NeuralCompressors.Conditional(n, settings.Level)).ToList();
        byte[] target = Io.Read(settings.Target, settings.TargetBytes);
        if (target.Length == 0)
        {
            throw new InvalidDataException($"{settings.Target} is empty");
        }
        var sources = settings.AllSources.Select(s => (Path.GetFileName(s), LoadSource(s, settings.SourceBytes))).ToList();
        var rows = TransferExperiment.Run(models, target, sources, m => Console.Error.WriteLine($"transfer: {m} …"));
        var table = new Table().AddColumns("model", "source", "source bytes", "C(Y) bits", "C(Y|X) bits", "saved bits", "saved %");
        foreach (var r in rows)
        {
            table.AddRow(r.Model, Markup.Escape(r.Source), r.SourceBytes.ToString(CultureInfo.InvariantCulture), Io.Format(r.AloneBits), Io.Format(r.PrimedBits),
                Io.Format(r.SavedBits), Io.Format(100 * r.SavedFraction, 2));
        }
        AnsiConsole.Write(table);
        if (settings.Out is not null)
        {
            AtomicOutput.WriteAll(settings.Force,
                (settings.Out + ".tsv", Encoding.UTF8.GetBytes(ToTsv(rows, Path.GetFileName(settings.Target), target.Length))),
                (settings.Out + ".png", Charts.Render(DescriptionLengthFigures.Transfer(rows, Path.GetFileName(settings.Target)))));
            Console.Error.WriteLine($"transfer: wrote {settings.Out}.tsv and {settings.Out}.png");
        }
        return 0;
    }

    internal static byte[] LoadSource(string s, long maxBytes)
    {
        if (s.StartsWith("random:", StringComparison.Ordinal))
        {
            if (!long.TryParse(s.AsSpan(7), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) || n < 0 || n > 1L << 30)
            {
                throw new UsageException($"'{s}': expected random:N with 0 ≤ N ≤ 2^30");
            }
            var data = new byte[n];
            new Xoshiro256(1).NextBytes(data);
            return data;
        }
        return Io.Read(s, maxBytes);
    }

    internal static string ToTsv(IEnumerable<TransferResult> rows, string target, long targetBytes)
    {
        var sb = new StringBuilder("model\ttarget\ttarget_bytes\tsource\tsource_bytes\talone_bits\tprimed_bits\tsaved_bits\tsaved_fraction\n");
        foreach (var r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Model}\t{target}\t{targetBytes}\t{r.Source}\t{r.SourceBytes}\t{Io.Format(r.AloneBits, 1)}\t{Io.Format(r.PrimedBits, 1)}\t{Io.Format(r.SavedBits, 1)}\t{Io.Format(r.SavedFraction, 5)}\n");
        }
        return sb.ToString();
    }
}
