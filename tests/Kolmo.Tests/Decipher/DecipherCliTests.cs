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
}
