using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kolmo.Cli.Infrastructure;
using Kolmo.Compression;
using Kolmo.Compression.Neural;
using Kolmo.Decipher;
using Kolmo.Modeling;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kolmo.Cli.Commands.Compression;

public sealed class GenerateSettings : CommandSettings
{
    [CommandOption("-m|--model <NAME>")]
    [Description("The model to sample from, after it learns the training text: cm (default), order3, ordermix, nn, cm+nn, or a sequence model such as order:k=4, lstm:h=64,t=32 or gpt:d=64,l=2,heads=4,t=64")]
    public string? Model { get; set; }

    [CommandOption("-l|--level <N>")]
    [Description("Level 1-9 of cm, order3, nn or cm+nn (default: the model's default)")]
    public int? Level { get; set; }

    [CommandOption("--checkpoint <FILE>")]
    [Description("Sample from a network trained by 'kolmo train' instead (no further training)")]
    public string? Checkpoint { get; set; }

    [CommandOption("--compressor <NAME>")]
    [Description("Use any compressor as the predictor instead, P(b | past) ∝ 2^-|C(past·b)| (gzip, zstd-19, lzma, …): 256 compressions per byte, and no training text")]
    public string? Compressor { get; set; }

    [CommandOption("--data <FILE>")]
    [Description("Training text the model learns before the prompt (default: the English books built into the tool)")]
    public string? Data { get; set; }

    [CommandOption("--train-bytes <N>")]
    [Description("Learn only the first N bytes of the training text (default: 1000000 for cm, order3, ordermix and order:k; 100000 for networks)")]
    public int? TrainBytes { get; set; }

    [CommandOption("-p|--prompt <TEXT>")]
    [Description("Text to continue")]
    [DefaultValue("")]
    public string Prompt { get; set; } = "";

    [CommandOption("-n|--count <N>")]
    [Description("Bytes to generate")]
    [DefaultValue(400)]
    public int Count { get; set; } = 400;

    [CommandOption("--seed <N>")]
    [Description("Sampler seed: the same seed gives the same text")]
    [DefaultValue(1UL)]
    public ulong Seed { get; set; } = 1;

    [CommandOption("--temperature <T>")]
    [Description("Sampling temperature: 1 = the model's own distribution, below 1 more likely text, 0 = always the likelier choice (per bit for bit models, per byte for sequence models and compressors)")]
    [DefaultValue(1.0)]
    public double Temperature { get; set; } = 1.0;

    [CommandOption("--context <BYTES>")]
    [Description("With --compressor: how many past bytes are compressed with each candidate")]
    [DefaultValue(1024)]
    public int Context { get; set; } = 1024;

    [CommandOption("-q|--quiet")]
    [Description("Print only the text (no line on standard error about training and speed)")]
    public bool Quiet { get; set; }

    public override ValidationResult Validate()
    {
        if (Count < 0)
        {
            return ValidationResult.Error("-n must be ≥ 0");
        }
        if (Temperature < 0)
        {
            return ValidationResult.Error("--temperature must be ≥ 0");
        }
        if (Context <= 0)
        {
            return ValidationResult.Error("--context must be > 0");
        }
        if (TrainBytes is < 0)
        {
            return ValidationResult.Error("--train-bytes must be ≥ 0");
        }
        if (Level is < ModelCatalog.MinLevel or > ModelCatalog.MaxLevel)
        {
            return ValidationResult.Error($"--level must be {ModelCatalog.MinLevel}-{ModelCatalog.MaxLevel}");
        }
        int sources = (Model is null ? 0 : 1) + (Checkpoint is null ? 0 : 1) + (Compressor is null ? 0 : 1);
        if (sources > 1)
        {
            return ValidationResult.Error("give one of --model, --checkpoint and --compressor");
        }
        if (Compressor is not null && (Data is not null || TrainBytes is not null))
        {
            return ValidationResult.Error("--compressor learns nothing beforehand: --data and --train-bytes apply to --model");
        }
        if (Checkpoint is not null && (Data is not null || TrainBytes is not null || Level is not null))
        {
            return ValidationResult.Error("--checkpoint samples the trained network as it is: no --data, --train-bytes or --level");
        }
        return ValidationResult.Success();
    }
}

/// <summary>
/// kolmo generate: samples text from a model's own distribution after it has learned a training text (by default
/// the built-in English books), or from any compressor used as a predictor.
/// </summary>
public sealed class GenerateCommand : Command<GenerateSettings>
{
    /// <summary>Default training bytes for count and context-mixing models (fast to learn).</summary>
    public const int DefaultTrainBytes = 1_000_000;

    /// <summary>Default training bytes for networks (slow to train on a CPU).</summary>
    public const int DefaultNetworkTrainBytes = 100_000;

    public override int Execute(CommandContext context, GenerateSettings settings, CancellationToken cancellationToken)
    {
        var prompt = Encoding.UTF8.GetBytes(settings.Prompt);
        using var stdout = Console.OpenStandardOutput();
        var sw = Stopwatch.StartNew();
        string what;
        Func<Action<byte>, byte[]> generate;
        if (settings.Compressor is not null)
        {
            var predictor = new CompressorPredictor(Parse(settings.Compressor, () => Compressors.Create(settings.Compressor)), settings.Context);
            what = $"{settings.Compressor} as a predictor";
            generate = on => predictor.Generate(prompt, settings.Count, settings.Seed, settings.Temperature, on);
        }
        else if (settings.Checkpoint is not null)
        {
            if (!File.Exists(settings.Checkpoint))
            {
                throw new FileNotFoundException($"{settings.Checkpoint}: no such file");
            }
            var model = SequenceModels.LoadCheckpoint(File.ReadAllBytes(settings.Checkpoint));
            model.ResetContext();
            Observe(model, prompt);
            what = $"{model.Spec} from {settings.Checkpoint}";
            generate = on => ModelSampling.Generate(model, settings.Count, settings.Seed, settings.Temperature, on);
        }
        else
        {
            string name = settings.Model ?? "cm";
            bool sequence = name.Contains(':', StringComparison.Ordinal);
            bool network = sequence ? !name.StartsWith("order:", StringComparison.Ordinal) : name is "nn" or "cm+nn";
            var (text, source) = TrainingText(settings, network);
            if (sequence)
            {
                if (settings.Level is not null)
                {
                    throw new UsageException($"--level applies to named models; {name} gives its size in the spec");
                }
                var model = Parse(name, () => SequenceModels.Create(name));
                PrequentialCoder.Train(model, text, PrequentialCoder.DefaultBlock);
                Observe(model, prompt);
                generate = on => ModelSampling.Generate(model, settings.Count, settings.Seed, settings.Temperature, on);
            }
            else
            {
                IByteModel model = name.Equals("ordermix", StringComparison.OrdinalIgnoreCase)
                    ? (settings.Level is null ? new OrderMixModel() : throw new UsageException("ordermix has no levels"))
                    : Parse(name, () => ModelCatalog.Create(name, settings.Level));
                model.Prime(text);
                model.Prime(prompt);
                generate = on => ModelSampling.Generate(model, settings.Count, settings.Seed, settings.Temperature, on);
            }
            what = $"{name}{(settings.Level is int l ? $" level {l}" : "")} after learning {text.Length:N0} bytes of {source}";
        }
        double learned = sw.Elapsed.TotalSeconds;
        stdout.Write(prompt);
        var output = generate(b =>
        {
            stdout.WriteByte(b);
            if (b == (byte)'\n')
            {
                stdout.Flush();
            }
        });
        stdout.WriteByte((byte)'\n');
        stdout.Flush();
        if (!settings.Quiet)
        {
            double sampling = sw.Elapsed.TotalSeconds - learned;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"generate: {output.Length} bytes from {what}, seed {settings.Seed}, temperature {settings.Temperature}; learning {learned:F1} s, sampling {sampling:F2} s"));
        }
        return 0;
    }

    /// <summary>The training text: --data or the built-in English books, cut to --train-bytes.</summary>
    private static (byte[] Text, string Source) TrainingText(GenerateSettings s, bool network)
    {
        int limit = s.TrainBytes ?? (network ? DefaultNetworkTrainBytes : DefaultTrainBytes);
        byte[] text;
        string source;
        if (s.Data is not null)
        {
            if (!File.Exists(s.Data))
            {
                throw new FileNotFoundException($"{s.Data}: no such file");
            }
            text = File.ReadAllBytes(s.Data);
            source = s.Data;
        }
        else
        {
            text = Encoding.UTF8.GetBytes(string.Join("\n\n", EnglishModel.TrainingFiles.Select(BookBody)));
            source = "the built-in English books";
        }
        return (text.Length > limit ? text[..limit] : text, source);
    }

    /// <summary>A book without Project Gutenberg's licence header and footer, with plain line ends.</summary>
    internal static string BookBody(string name)
    {
        string t = EnglishModel.BookText(name).ReplaceLineEndings("\n");
        int start = t.IndexOf("*** START OF", StringComparison.Ordinal);
        if (start >= 0)
        {
            start = t.IndexOf('\n', start) + 1;
        }
        int end = t.IndexOf("*** END OF", StringComparison.Ordinal);
        return t[Math.Max(0, start)..(end > start ? end : t.Length)].Trim();
    }

    private static void Observe(ISequenceModel model, ReadOnlySpan<byte> prompt)
    {
        foreach (byte b in prompt)
        {
            model.Observe(b);
        }
    }

    private static T Parse<T>(string name, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            string message = e.Message.Split(" (Parameter")[0];
            throw new UsageException(e is ArgumentOutOfRangeException ? $"{name}: {message} (out of range)" : message);
        }
    }
}
