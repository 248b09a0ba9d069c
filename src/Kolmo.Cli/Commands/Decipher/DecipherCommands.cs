using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Kolmo.Cli.Infrastructure;
using Kolmo.Decipher;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kolmo.Cli;

public static partial class Program
{
    static partial void ConfigureDecipher(IConfigurator config)
    {
        config.AddCommand<DecipherCommand>("decipher")
            .WithDescription("Solve a simple or homophonic substitution cipher without the key (distribution matching by code length)")
            .WithExample("decipher", "cipher.txt", "--lang", "english")
            .WithExample("decipher", "zodiac.txt", "--tokens", "--homophonic", "--seconds", "60")
            .WithExample("decipher", "x.txt", "--corpus", "y.txt", "--match");
    }
}

/// <summary>Options of <c>kolmo decipher</c>.</summary>
public sealed class DecipherSettings : CommandSettings
{
    [CommandArgument(0, "<CIPHERFILE>")]
    [Description("Ciphertext file: each non-space character is a symbol (or whitespace-separated tokens with --tokens)")]
    public string CipherFile { get; set; } = "";

    [CommandOption("--lang <LANG>")]
    [Description("Built-in language model: english (trained on the books in data/english). Default when no --corpus/--model")]
    public string? Lang { get; set; }

    [CommandOption("--corpus <FILE>")]
    [Description("Train the language model on this text file instead (letters a-z; any symbols with --match)")]
    public string? Corpus { get; set; }

    [CommandOption("--model <FILE>")]
    [Description("Load a language model file written by --save-model")]
    public string? ModelFile { get; set; }

    [CommandOption("--save-model <FILE>")]
    [Description("Write the trained language model to this file (refuses to overwrite without --force)")]
    public string? SaveModel { get; set; }

    [CommandOption("--order <N>")]
    [Description("n-gram order of the trained model (2..8; the search uses up to 6). Default 6")]
    [DefaultValue(6)]
    public int Order { get; set; } = 6;

    [CommandOption("--tokens")]
    [Description("Symbols are whitespace-separated tokens (one line per row) instead of characters")]
    public bool Tokens { get; set; }

    [CommandOption("--spaces")]
    [Description("Whitespace in the ciphertext marks word breaks (plaintext spaces); the model then includes the space")]
    public bool Spaces { get; set; }

    [CommandOption("--match")]
    [Description("Generic distribution matching: the corpus's own symbols (characters, or tokens with --tokens) are the plaintext alphabet")]
    public bool Match { get; set; }

    [CommandOption("--homophonic")]
    [Description("Homophonic key: several symbols may map to one letter")]
    public bool Homophonic { get; set; }

    [CommandOption("--restarts <N>")]
    [Description("Maximum random restarts (stops early when 4 restarts agree). Default 32")]
    [DefaultValue(32)]
    public int Restarts { get; set; } = 32;

    [CommandOption("--iterations <N>")]
    [Description("Annealing steps per restart (0 = automatic from length and mode). Default 0")]
    [DefaultValue(0)]
    public int Iterations { get; set; }

    [CommandOption("--seconds <S>")]
    [Description("Wall-clock budget in seconds (0 = none; a budget makes the result depend on machine speed). Default 0")]
    [DefaultValue(0.0)]
    public double Seconds { get; set; }

    [CommandOption("--seed <N>")]
    [Description("Random seed; the result depends only on seed and budgets, not on thread timing. Default 1")]
    [DefaultValue(1L)]
    public long Seed { get; set; } = 1;

    [CommandOption("-T|--threads <N>")]
    [Description("Worker threads for parallel restarts. Default: processor count, at most 2")]
    public int? Threads { get; set; }

    [CommandOption("--weight <BETA>")]
    [Description("Homophonic letter-distribution prior weight β (penalty β·L·KL in bits). Default 1")]
    [DefaultValue(1.0)]
    public double Weight { get; set; } = 1.0;

    [CommandOption("--temperature <BITS>")]
    [Description("Initial annealing temperature in bits, cooled linearly to 0 (0 = default: 4 one-to-one, 6 homophonic)")]
    [DefaultValue(0.0)]
    public double Temperature { get; set; }

    [CommandOption("--json")]
    [Description("Print {\"plaintext\", \"key\", \"bitsPerSymbol\", ...} as JSON")]
    public bool Json { get; set; }

    [CommandOption("-f|--force")]
    [Description("Overwrite an existing --save-model file")]
    public bool Force { get; set; }

    public override ValidationResult Validate()
    {
        if (Order is < 2 or > NGramCounts.MaxOrder)
        {
            return ValidationResult.Error($"--order must be in 2..{NGramCounts.MaxOrder}");
        }
        if (Restarts is < 1 or > 100_000)
        {
            return ValidationResult.Error("--restarts must be in 1..100000");
        }
        if (Iterations < 0 || Seconds < 0 || Weight < 0 || Seed < 0 || Temperature < 0)
        {
            return ValidationResult.Error("--iterations, --seconds, --weight, --temperature and --seed must be ≥ 0");
        }
        if (Threads is < 1)
        {
            return ValidationResult.Error("--threads must be ≥ 1");
        }
        int sources = (Lang is null ? 0 : 1) + (Corpus is null ? 0 : 1) + (ModelFile is null ? 0 : 1);
        if (sources > 1)
        {
            return ValidationResult.Error("use only one of --lang, --corpus and --model");
        }
        if (Lang is not null && !Lang.Equals("english", StringComparison.OrdinalIgnoreCase))
        {
            return ValidationResult.Error($"unknown language '{Lang}' (built in: english)");
        }
        if (Match && Corpus is null)
        {
            return ValidationResult.Error("--match needs --corpus");
        }
        if (Spaces && (Tokens || Match))
        {
            return ValidationResult.Error("--spaces works with character input and letter models only");
        }
        return ValidationResult.Success();
    }
}

/// <summary><c>kolmo decipher</c>: trains or loads a language model, searches for the key, prints the result.</summary>
public sealed class DecipherCommand : Command<DecipherSettings>
{
    public override int Execute(CommandContext context, DecipherSettings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.CipherFile))
        {
            throw new FileNotFoundException($"ciphertext file not found: {settings.CipherFile}");
        }
        string cipherText = ReadText(settings.CipherFile, "ciphertext");
        var cipher = Cipher.Parse(cipherText, settings.Tokens, settings.Spaces);
        if (!settings.Homophonic && !settings.Match && settings.ModelFile is null && cipher.FreeSymbolCount > 26)
        {
            throw new UsageException($"the ciphertext has {cipher.FreeSymbolCount} distinct symbols but a one-to-one key allows at most 26; use --homophonic");
        }

        var model = LoadModel(settings);
        if (cipher.SpaceSymbolId >= 0 && model.Alphabet.SpaceIndex < 0)
        {
            throw new UsageException("the ciphertext has word spaces but the model has no space; train it with --spaces");
        }
        if (settings.SaveModel is not null)
        {
            using var o = new AtomicOutput(settings.SaveModel, settings.Force);
            model.Counts.Save(o.Stream);
            o.Commit();
        }
        var table = ScoreTable.ForModel(model);
        var solver = new SubstitutionSolver(table);
        int letters = model.Alphabet.Size - (model.Alphabet.SpaceIndex >= 0 ? 1 : 0);
        if (!settings.Homophonic && cipher.FreeSymbolCount > letters)
        {
            throw new UsageException($"the ciphertext has {cipher.FreeSymbolCount} distinct symbols but a one-to-one key allows at most {letters}; use --homophonic");
        }
        var options = new SolverOptions
        {
            Homophonic = settings.Homophonic,
            Restarts = settings.Restarts,
            Iterations = settings.Iterations,
            Seconds = settings.Seconds,
            Seed = (ulong)settings.Seed,
            DistributionWeight = settings.Weight,
            Temperature = settings.Temperature,
        };
        if (settings.Threads is int t)
        {
            options.Threads = t;
        }
        var sw = System.Diagnostics.Stopwatch.StartNew();
        SolverResult result;
        bool showProgress = !settings.Json && !Console.IsOutputRedirected;
        if (showProgress)
        {
            result = null!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("restarts", maxValue: options.Restarts);
                    options.Progress = p =>
                    {
                        task.Value = p.RestartsDone;
                        task.Description = $"restarts (best {p.BestBits:F1} bits)";
                    };
                    result = solver.Solve(cipher, options);
                    task.Value = task.MaxValue;
                });
        }
        else
        {
            result = solver.Solve(cipher, options);
        }
        double seconds = sw.Elapsed.TotalSeconds;
        double bits = model.Bits(result.Plaintext);
        double bps = bits / cipher.Length;
        string plaintext = model.Alphabet.Render(result.Plaintext);
        if (settings.Json)
        {
            Console.Out.WriteLine(Json(cipher, model.Alphabet, result, plaintext, bps, bits, seconds));
            return CliErrors.Ok;
        }
        var inv = CultureInfo.InvariantCulture;
        Console.Out.WriteLine(plaintext);
        Console.Out.WriteLine();
        Console.Out.WriteLine("key (cipher symbol → plaintext):");
        var sb = new StringBuilder();
        for (int s = 0; s < cipher.SymbolCount; s++)
        {
            if (s == cipher.SpaceSymbolId)
            {
                continue;
            }
            sb.Append(inv, $"{cipher.Symbols[s]}→{model.Alphabet.Symbols[result.Key[s]]} ");
        }
        Console.Out.WriteLine(sb.ToString().TrimEnd());
        Console.Out.WriteLine();
        string gap = double.IsPositiveInfinity(result.GapBits) ? "none" : result.GapBits.ToString("F1", inv) + " bits";
        Console.Out.WriteLine(string.Create(inv, $"{cipher.Length} symbols ({cipher.SymbolCount} distinct), {bps:F3} bits/symbol under the order-{model.Order} model ({bits:F1} bits)"));
        Console.Out.WriteLine(string.Create(inv, $"confidence: {result.Agreement}/{result.Restarts} restarts agree on this plaintext; next-best distinct solution {gap} worse; {seconds:F1} s, {result.Steps:N0} steps"));
        return CliErrors.Ok;
    }

    private static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {what} {path}: {e.Message}");
        }
    }

    private static KneserNeyModel LoadModel(DecipherSettings settings)
    {
        if (settings.ModelFile is not null)
        {
            if (!File.Exists(settings.ModelFile))
            {
                throw new FileNotFoundException($"model file not found: {settings.ModelFile}");
            }
            using var f = File.OpenRead(settings.ModelFile);
            var counts = NGramCounts.Load(f);
            return KneserNeyModel.Build(counts);
        }
        if (settings.Corpus is not null)
        {
            if (!File.Exists(settings.Corpus))
            {
                throw new FileNotFoundException($"corpus file not found: {settings.Corpus}");
            }
            string text = ReadText(settings.Corpus, "corpus");
            Alphabet alphabet = settings.Match ? Alphabet.FromText(text, settings.Tokens)
                : settings.Spaces ? Alphabet.LettersAndSpace : Alphabet.Letters;
            byte[] symbols = alphabet.Normalize(text);
            if (symbols.Length < settings.Order)
            {
                throw new InvalidDataException($"the corpus {settings.Corpus} has only {symbols.Length} usable symbols; an order-{settings.Order} model needs more");
            }
            return KneserNeyModel.Train(symbols, alphabet, settings.Order);
        }
        return EnglishModel.Train(settings.Spaces ? Alphabet.LettersAndSpace : Alphabet.Letters, settings.Order);
    }

    private static string Json(Cipher cipher, Alphabet alphabet, SolverResult result, string plaintext, double bps, double bits, double seconds)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("plaintext", plaintext);
            w.WriteStartObject("key");
            for (int s = 0; s < cipher.SymbolCount; s++)
            {
                if (s != cipher.SpaceSymbolId)
                {
                    w.WriteString(cipher.Symbols[s], alphabet.Symbols[result.Key[s]]);
                }
            }
            w.WriteEndObject();
            w.WriteNumber("bitsPerSymbol", Math.Round(bps, 6));
            w.WriteNumber("bits", Math.Round(bits, 3));
            w.WriteNumber("symbols", cipher.Length);
            w.WriteNumber("distinctSymbols", cipher.SymbolCount);
            w.WriteStartObject("confidence");
            w.WriteNumber("agreement", result.Agreement);
            w.WriteNumber("restarts", result.Restarts);
            if (double.IsPositiveInfinity(result.GapBits))
            {
                w.WriteNull("gapBits");
            }
            else
            {
                w.WriteNumber("gapBits", Math.Round(result.GapBits, 3));
            }
            w.WriteEndObject();
            w.WriteNumber("seconds", Math.Round(seconds, 3));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
