using System.Text.Json;
using Kolmo.Cli;
using Kolmo.Cli.Infrastructure;
using Kolmo.Decipher;

namespace Kolmo.Tests.Decipher;

[CollectionDefinition("DecipherConsole", DisableParallelization = true)]
public sealed class DecipherConsoleCollection;

[Collection("DecipherConsole")]
public sealed class DecipherCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kolmo-decipher-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string content)
    {
        string p = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(p, content);
        return p;
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => Support.CliRunner.Run(args);

    private string SmallCorpus()
    {
        return File("corpus.txt", EnglishModel.BookText("pride-and-prejudice_pg1342.txt"));
    }

    [Fact]
    public void Json_GivesPlaintextKeyAndBits_AndSavesModel()
    {
        // written for this test; Caesar-shifted by 3
        string plain = "theoldlighthousekeeperclimbedthenarrowstairseveryeveningtolightthegreatlampandwatchtheshipspasssafelyby";
        string cipher = new([.. plain.Select(c => (char)('A' + (c - 'a' + 3) % 26))]);
        string modelPath = Path.Combine(_dir, "m.kngm");
        // built-in English model (data/english), saved and reloaded
        var (code, output, err) = Run("decipher", File("c.txt", cipher), "--lang", "english", "--json", "--seed", "2", "--save-model", modelPath);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(plain, doc.RootElement.GetProperty("plaintext").GetString());
        Assert.Equal("w", doc.RootElement.GetProperty("key").GetProperty("Z").GetString());
        Assert.Equal(22, doc.RootElement.GetProperty("key").EnumerateObject().Count());
        double bps = doc.RootElement.GetProperty("bitsPerSymbol").GetDouble();
        Assert.InRange(bps, 1.0, 4.0);
        Assert.True(System.IO.File.Exists(modelPath));
        // the saved model gives the same answer; refusing to overwrite without --force
        var (code2, output2, _) = Run("decipher", Path.Combine(_dir, "c.txt"), "--model", modelPath, "--json", "--seed", "2");
        Assert.Equal(0, code2);
        Assert.Equal(plain, JsonDocument.Parse(output2).RootElement.GetProperty("plaintext").GetString());
        var (code3, _, err3) = Run("decipher", Path.Combine(_dir, "c.txt"), "--model", modelPath, "--save-model", modelPath);
        Assert.Equal(CliErrors.Usage, code3);
        Assert.Contains("--force", err3, StringComparison.Ordinal);
    }

    [Fact]
    public void WordSpaces_AreKept_AndOnlyLettersAreSearched()
    {
        string plain = "the old lighthouse keeper climbed the narrow stairs every evening to light the great lamp and watch the ships pass safely by";
        string cipher = new([.. plain.Select(c => c == ' ' ? ' ' : (char)('A' + (c - 'a' + 7) % 26))]);
        var (code, output, err) = Run("decipher", File("s.txt", cipher), "--corpus", SmallCorpus(), "--spaces", "--json", "--seed", "4");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(plain, doc.RootElement.GetProperty("plaintext").GetString());
        Assert.False(doc.RootElement.GetProperty("key").TryGetProperty(Cipher.SpaceSymbol, out _));
    }

    [Fact]
    public void BadInputs_GiveOneLineErrorsAndExitCodes()
    {
        string corpus = SmallCorpus();
        var empty = Run("decipher", File("empty.txt", ""), "--corpus", corpus);
        Assert.Equal(CliErrors.BadData, empty.Code);
        Assert.StartsWith("kolmo: ", empty.Err, StringComparison.Ordinal);
        Assert.Single(empty.Err.Trim().Split('\n'));

        var one = Run("decipher", File("one.txt", "Q"), "--corpus", corpus);
        Assert.Equal(CliErrors.BadData, one.Code);

        string many = string.Concat(Enumerable.Range(0, 40).Select(i => (char)('!' + i)));
        var tooMany = Run("decipher", File("many.txt", many));
        Assert.Equal(CliErrors.Usage, tooMany.Code);
        Assert.Contains("--homophonic", tooMany.Err, StringComparison.Ordinal);

        var missing = Run("decipher", File("c2.txt", "ABCABD"), "--corpus", Path.Combine(_dir, "nope.txt"));
        Assert.Equal(CliErrors.Usage, missing.Code);
        Assert.Contains("corpus", missing.Err, StringComparison.Ordinal);

        var unreadable = Run("decipher", Path.Combine(_dir, "c2.txt"), "--corpus", _dir);
        Assert.NotEqual(0, unreadable.Code);
        Assert.StartsWith("kolmo: ", unreadable.Err, StringComparison.Ordinal);

        var tiny = Run("decipher", Path.Combine(_dir, "c2.txt"), "--corpus", File("tiny.txt", "abc"));
        Assert.Equal(CliErrors.BadData, tiny.Code);

        var corrupt = Run("decipher", Path.Combine(_dir, "c2.txt"), "--model", File("bad.kngm", "KNGM garbage garbage"));
        Assert.Equal(CliErrors.BadData, corrupt.Code);

        var noCipher = Run("decipher", Path.Combine(_dir, "absent.txt"));
        Assert.Equal(CliErrors.Usage, noCipher.Code);

        var badOrder = Run("decipher", Path.Combine(_dir, "c2.txt"), "--order", "1");
        Assert.NotEqual(0, badOrder.Code);
    }
    /// <summary>A small model file (the first 150 kB of Pride and Prejudice), written once: loading it is quick.</summary>
    private string SmallModel()
    {
        string path = Path.Combine(_dir, "small.kngm");
        if (!System.IO.File.Exists(path))
        {
            var model = KneserNeyModel.Train(Alphabet.Letters.Normalize(EnglishModel.BookText("pride-and-prejudice_pg1342.txt")[..150_000]), Alphabet.Letters, 5);
            using var f = System.IO.File.Create(path);
            model.Counts.Save(f);
        }
        return path;
    }

    [Fact]
    public void PastedProse_IsReadAsText_PrintedInItsLayout_AndJsonCarriesTheRun()
    {
        // written for this test; Caesar-shifted by 3, capitals and punctuation as a person would paste them
        string plain = "The old lighthouse keeper climbed the narrow stairs every evening, to light the great lamp!\n\"It is a lonely job,\" he said.";
        string cipher = new([.. plain.Select(c => char.IsLetter(c) ? (char)((char.IsUpper(c) ? 'A' : 'a') + (char.ToLowerInvariant(c) - 'a' + 3) % 26) : c)]);
        var (code, output, err) = Run("decipher", File("p.txt", cipher), "--model", SmallModel(), "--json", "--seed", "9", "--restarts", "3", "--iterations", "30000");
        Assert.True(code == 0, err);
        Assert.Contains("read as text: upper and lower case taken as one letter; 6 punctuation marks and digits kept as they are", err, StringComparison.Ordinal);
        Assert.Contains("--spaces uses them", err, StringComparison.Ordinal);
        var root = JsonDocument.Parse(output).RootElement;
        string text = root.GetProperty("text").GetString()!;
        // the layout is the cipher's: same length, same non-letters in place, same case; the letters are the plaintext field
        Assert.Equal(cipher.Length, text.Length);
        Assert.Equal(cipher.Select(c => char.IsLetter(c) ? (char.IsUpper(c) ? 'A' : 'a') : c), text.Select(c => char.IsLetter(c) ? (char.IsUpper(c) ? 'A' : 'a') : c));
        Assert.Equal(root.GetProperty("plaintext").GetString(), new string([.. text.Where(char.IsLetter).Select(char.ToLowerInvariant)]));
        Assert.StartsWith("the old lighthouse keeper", text.ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Equal(9, root.GetProperty("seed").GetInt64());
        Assert.Equal(90_000, root.GetProperty("steps").GetInt64());
        Assert.False(root.GetProperty("cutByTime").GetBoolean());
        var settings = root.GetProperty("settings");
        Assert.Equal(3, settings.GetProperty("maxRestarts").GetInt32());
        Assert.Equal(30_000, settings.GetProperty("iterationsPerRestart").GetInt32());
        Assert.Equal(5, settings.GetProperty("order").GetInt32());
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("budgetSeconds").ValueKind);
    }

    [Fact]
    public void Tokens_ArePrintedInTheCiphersRows()
    {
        string plain = "theoldlighthousekeeperclimbedthenarrowstairseveryeveningtolightthegreatlamp";
        string cipher = string.Join("\n", plain.Chunk(17).Select(row => string.Join(' ', row.Select(c => (c - 'a' + 10).ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        var (code, output, err) = Run("decipher", File("t.txt", cipher), "--tokens", "--model", SmallModel(), "--json", "--restarts", "2", "--iterations", "20000");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        string letters = doc.RootElement.GetProperty("plaintext").GetString()!;
        Assert.Equal(string.Join("\n", letters.Chunk(17).Select(r => new string(r))), doc.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public void TimeCut_AndTextThatIsNotEnglish_GetWarnings()
    {
        var rng = new Random(5);
        string noise = new([.. Enumerable.Range(0, 120).Select(_ => (char)('A' + rng.Next(26)))]);
        var (code, output, err) = Run("decipher", File("n.txt", noise), "--model", SmallModel(), "--json", "--seconds", "0.000001", "--iterations", "100000000");
        Assert.True(code == 0, err);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.True(root.GetProperty("cutByTime").GetBoolean());
        Assert.Contains(root.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("ended the search", StringComparison.Ordinal));

        (code, _, err) = Run("decipher", Path.Combine(_dir, "n.txt"), "--model", SmallModel(), "--restarts", "2", "--iterations", "20000");
        Assert.Equal(0, code);
        Assert.Contains("kolmo: warning: the solution costs", err, StringComparison.Ordinal);
        Assert.Contains("does not look like the model's language", err, StringComparison.Ordinal);
    }
}
