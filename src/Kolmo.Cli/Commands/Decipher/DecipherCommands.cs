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
    [Description("Wall-clock budget in seconds for the whole command, model building included (0 = none; a budget makes the result depend on machine speed). Default 0")]
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
        bool asText = !settings.Tokens && !settings.Match && !settings.Homophonic;
        var cipher = Cipher.Parse(cipherText, settings.Tokens, settings.Spaces, asText);
        var notes = new List<string>();
        if (cipher.FoldedCase || cipher.LiteralCount > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"read as text: {(cipher.FoldedCase ? "upper and lower case taken as one letter" : "")}{(cipher.FoldedCase && cipher.LiteralCount > 0 ? "; " : "")}{(cipher.LiteralCount > 0 ? $"{cipher.LiteralCount} punctuation marks and digits kept as they are" : "")} (use --homophonic if they are cipher symbols)"));
        }
        if (!settings.Spaces && !settings.Tokens && cipher.Length > 20 && WordBreaks(cipherText) * 12 > cipher.Length)
        {
            notes.Add("the ciphertext has word breaks; --spaces uses them, which helps on short texts");
        }
        if (!settings.Homophonic && !settings.Match && settings.ModelFile is null && cipher.FreeSymbolCount > 26)
        {
            throw new UsageException(TooManySymbols(cipher.FreeSymbolCount, 26));
        }

        var model = LoadModel(settings);
        if (cipher.SpaceSymbolId >= 0 && model.Alphabet.SpaceIndex < 0)
        {
            throw new UsageException("the ciphertext has word spaces but the model has no space; train it with --spaces");
        }
        // The model is written now (an existing file is refused before the search) but published only
        // when the search has finished: a stopped or failed decipher leaves no output.
        using var savedModel = settings.SaveModel is null ? null : new AtomicOutput(settings.SaveModel, settings.Force);
        if (savedModel is not null)
        {
            model.Counts.Save(savedModel.Stream);
        }
        var table = ScoreTable.ForModel(model);
        var solver = new SubstitutionSolver(table);
        int letters = model.Alphabet.Size - (model.Alphabet.SpaceIndex >= 0 ? 1 : 0);
        if (!settings.Homophonic && cipher.FreeSymbolCount > letters)
        {
            throw new UsageException(TooManySymbols(cipher.FreeSymbolCount, letters));
        }
        var options = new SolverOptions
        {
            Homophonic = settings.Homophonic,
            Restarts = settings.Restarts,
            Iterations = settings.Iterations,
            Seconds = SearchSeconds(settings.Seconds, model, cipher),
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
        savedModel?.Commit();
        double seconds = sw.Elapsed.TotalSeconds;
        double bits = model.Bits(result.Plaintext);
        double bps = bits / cipher.Length;
        string plaintext = model.Alphabet.Render(result.Plaintext);
        string text = cipher.Render(i => model.Alphabet.Symbols[result.Plaintext[i]]);
        int letterCount = model.Alphabet.Size - (model.Alphabet.SpaceIndex >= 0 ? 1 : 0);
        double uniform = Math.Log2(letterCount);
        bool english = settings.Corpus is null && settings.ModelFile is null;
        var warnings = new List<string>();
        if (bps > FitThreshold * uniform)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"the solution costs {bps:F2} bits/symbol under the model (uniform over {letterCount} letters: {uniform:F2}; {(english ? "English text costs 2-3" : "text like the corpus costs far less")}): it does not look like {(english ? "English" : "the model's language")}. The search may have failed (try more --restarts, or --seed), or this is not a simple substitution of {(english ? "English" : "that language")}"));
        }
        if (result.CutByTime)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture, $"--seconds {settings.Seconds} ended the search before it finished: the result depends on machine speed"));
        }
        if (settings.Json)
        {
            foreach (var n in notes)
            {
                Console.Error.WriteLine($"kolmo: note: {n}");
            }
            CliJson.Print(Report(settings, cipher, model, result, plaintext, text, bps, bits, seconds, [.. notes, .. warnings]), c => c.DecipherReport, indented: false);
            return CliErrors.Ok;
        }
        foreach (var n in notes)
        {
            Console.Error.WriteLine($"kolmo: note: {n}");
        }
        var inv = CultureInfo.InvariantCulture;
        Console.Out.WriteLine(text.TrimEnd('\r', '\n'));
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
        Console.Out.WriteLine(string.Create(inv, $"confidence: {result.Agreement}/{result.Restarts} restarts agree on this plaintext; next-best distinct solution {gap} worse; {seconds:F1} s, {result.Steps:N0} steps, seed {settings.Seed}"));
        foreach (var w in warnings)
        {
            Console.Error.WriteLine($"kolmo: warning: {w}");
        }
        return CliErrors.Ok;
    }

    /// <summary>Bits per symbol above this share of log2(letters) mean the text does not fit the model (English: ≈ 0.5).</summary>
    internal const double FitThreshold = 0.75;

    private static string TooManySymbols(int symbols, int letters) =>
        $"the ciphertext has {symbols} distinct symbols but a one-to-one key allows at most {letters}: if several symbols stand for one letter, use --homophonic; if the symbols are whitespace-separated tokens, use --tokens";

    /// <summary>Runs of whitespace between non-whitespace characters.</summary>
    private static int WordBreaks(string text)
    {
        var t = text.Trim();
        int breaks = 0;
        for (int i = 1; i < t.Length; i++)
        {
            if (char.IsWhiteSpace(t[i]) && !char.IsWhiteSpace(t[i - 1]))
            {
                breaks++;
            }
        }
        return breaks;
    }

    /// <summary>
    /// The search's share of a --seconds budget, which covers the whole command: the budget less the time since the
    /// process started (start-up, reading, model and tables), less the final scoring of the plaintext and its
    /// rendering and printing (the plaintext and the text in the cipher's layout), both estimated by timing them on a
    /// sample of the text. The solver itself keeps each restart's closing work inside what it is given. At least a
    /// moment: one restart always runs, so there is a key.
    /// </summary>
    private static double SearchSeconds(double budget, KneserNeyModel model, Cipher cipher)
    {
        if (budget <= 0)
        {
            return 0;
        }
        int n = Math.Min(cipher.Length, 1 << 14);
        var sample = new byte[n];
        int letters = Math.Max(1, model.Alphabet.Size - (model.Alphabet.SpaceIndex >= 0 ? 1 : 0));
        for (int i = 0; i < n; i++)
        {
            sample[i] = (byte)(cipher.Text[i] % letters);
        }
        var sw = System.Diagnostics.Stopwatch.StartNew();
        model.Bits(sample);
        double scoring = sw.Elapsed.TotalSeconds;
        sw.Restart();
        // two strings of the text's length are rendered and written out (as JSON or as text)
        for (int copy = 0; copy < 2; copy++)
        {
            System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(model.Alphabet.Render(sample));
        }
        double output = sw.Elapsed.TotalSeconds;
        double perSample = (double)cipher.Length / Math.Max(1, n);
        double used = (DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalSeconds;
        return Math.Max(budget - used - ((scoring + output) * perSample), 1e-3);
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

    private static DecipherReport Report(DecipherSettings s, Cipher cipher, KneserNeyModel model, SolverResult result, string plaintext, string text,
        double bps, double bits, double seconds, IReadOnlyList<string> warnings)
    {
        var key = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < cipher.SymbolCount; i++)
        {
            if (i != cipher.SpaceSymbolId)
            {
                key[cipher.Symbols[i]] = model.Alphabet.Symbols[result.Key[i]];
            }
        }
        string source = s.ModelFile is not null ? $"model file {s.ModelFile}" : s.Corpus is not null ? $"corpus {s.Corpus}" : "built-in english";
        return new DecipherReport(
            plaintext, text, key, Math.Round(bps, 6), Math.Round(bits, 3), cipher.Length, cipher.SymbolCount,
            new DecipherConfidence(result.Agreement, result.Restarts, double.IsPositiveInfinity(result.GapBits) ? null : Math.Round(result.GapBits, 3)),
            Math.Round(seconds, 3), s.Seed, result.Steps, result.CutByTime,
            new DecipherRunSettings(source, model.Order, s.Homophonic, s.Spaces, s.Tokens, s.Match, s.Restarts, result.IterationsPerRestart,
                s.Seconds > 0 ? s.Seconds : null, s.Threads, s.Temperature > 0 ? s.Temperature : null, s.Weight),
            warnings);
    }
}

/// <summary>What <c>kolmo decipher --json</c> prints.</summary>
/// <param name="Plaintext">The plaintext letters, one per cipher symbol (word breaks as spaces).</param>
/// <param name="Text">The plaintext in the ciphertext's layout (its whitespace, rows, kept punctuation and case).</param>
/// <param name="Key">Cipher symbol → plaintext letter.</param>
/// <param name="BitsPerSymbol">Code length of the plaintext under the model, per symbol.</param>
/// <param name="Bits">Code length of the plaintext in bits.</param>
/// <param name="Symbols">Ciphertext length in symbols.</param>
/// <param name="DistinctSymbols">Distinct cipher symbols.</param>
/// <param name="Confidence">How many restarts agree and how far the next solution is.</param>
/// <param name="Seconds">Wall-clock time of the search.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Steps">Annealing steps over all restarts.</param>
/// <param name="CutByTime">Whether --seconds ended the search before it finished.</param>
/// <param name="Settings">The settings the search ran with.</param>
/// <param name="Warnings">Notes and warnings (reading as text, bad fit, time cut).</param>
public sealed record DecipherReport(
    string Plaintext, string Text, IReadOnlyDictionary<string, string> Key, double BitsPerSymbol, double Bits, int Symbols, int DistinctSymbols,
    DecipherConfidence Confidence, double Seconds, long Seed, long Steps, bool CutByTime, DecipherRunSettings Settings, IReadOnlyList<string> Warnings);

/// <summary>Agreement of the restarts.</summary>
/// <param name="Agreement">Restarts that ended on the reported plaintext.</param>
/// <param name="Restarts">Restarts run.</param>
/// <param name="GapBits">How many bits worse the best different solution was (null: none).</param>
public sealed record DecipherConfidence(int Agreement, int Restarts, double? GapBits);

/// <summary>Settings of one decipher run.</summary>
/// <param name="Model">Where the language model came from.</param>
/// <param name="Order">Its n-gram order.</param>
/// <param name="Homophonic">Many-to-one key.</param>
/// <param name="Spaces">Word breaks used.</param>
/// <param name="Tokens">Token input.</param>
/// <param name="Match">Generic distribution matching.</param>
/// <param name="MaxRestarts">Restarts allowed.</param>
/// <param name="IterationsPerRestart">Annealing steps per restart.</param>
/// <param name="BudgetSeconds">Time budget (null: none).</param>
/// <param name="Threads">Threads asked for (null: default).</param>
/// <param name="Temperature">Initial temperature in bits (null: default).</param>
/// <param name="Weight">Homophonic prior weight.</param>
public sealed record DecipherRunSettings(
    string Model, int Order, bool Homophonic, bool Spaces, bool Tokens, bool Match, int MaxRestarts, int IterationsPerRestart,
    double? BudgetSeconds, int? Threads, double? Temperature, double Weight);
