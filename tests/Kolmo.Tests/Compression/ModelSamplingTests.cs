using System.Text;
using Kolmo.Compression;
using Kolmo.Compression.Neural;
using Kolmo.Decipher;
using Kolmo.Modeling;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Compression;

/// <summary>Sampling from a model's own distribution: exact at temperature 1, repeatable, and English after English.</summary>
public class ModelSamplingTests
{
    private static readonly byte[] English = Encoding.UTF8.GetBytes(EnglishModel.BookText("pride-and-prejudice_pg1342.txt")[..50_000]);

    /// <summary>A byte model whose every bit is 1 with probability <c>p / 65536</c>, whatever came before.</summary>
    private sealed class FixedBits(int p) : IByteModel
    {
        public string Name => "fixed";

        public long MemoryBytes => 0;

        public int P() => p;

        public void Update(int bit)
        {
        }

        public void Prime(ReadOnlySpan<byte> data)
        {
        }

        public IByteModel Clone() => new FixedBits(p);
    }

    [Fact]
    public void BitModel_AtTemperatureOne_DrawsFromItsDistribution()
    {
        // each bit is 1 with p = 1/4: the number of one bits per byte is Binomial(8, 1/4), mean 2, variance 1.5
        var bytes = ModelSampling.Generate(new FixedBits(1 << 14), 20_000, seed: 3);
        double mean = bytes.Average(b => (double)System.Numerics.BitOperations.PopCount(b));
        Assert.InRange(mean, 2 - 0.05, 2 + 0.05);   // 6 standard errors (sqrt(1.5 / 20000) = 0.0087)
        Assert.All(ModelSampling.Generate(new FixedBits(1 << 14), 50, seed: 3, temperature: 0), b => Assert.Equal(0, b));
        Assert.All(ModelSampling.Generate(new FixedBits(40_000), 50, seed: 3, temperature: 0), b => Assert.Equal(255, b));
    }

    [Fact]
    public void Temperature_SharpensOrFlattensEachBit()
    {
        Assert.Equal(0.25, ModelSampling.Tempered(0.25, 1), 12);
        Assert.Equal(0.1, ModelSampling.Tempered(0.25, 0.5), 12);     // 1/16 ÷ (1/16 + 9/16)
        Assert.Equal(0.5, ModelSampling.Tempered(0.25, 1e6), 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelSampling.Generate(new FixedBits(1000), 1, 1, temperature: -1));
    }

    [Fact]
    public void SameSeed_SameText_OtherSeed_OtherText()
    {
        byte[] Run(ulong seed)
        {
            var m = ModelCatalog.Create("order3", 2);
            m.Prime(English);
            m.Prime("It was "u8);
            return ModelSampling.Generate(m, 200, seed);
        }
        Assert.Equal(Run(5), Run(5));
        Assert.NotEqual(Run(5), Run(6));
    }

    [Fact]
    public void ContextMixing_AfterEnglish_WritesEnglishLetters()
    {
        var cm = ModelCatalog.Create("cm", 1);
        cm.Prime(English);
        cm.Prime("She said that "u8);
        var text = ModelSampling.Generate(cm, 400, seed: 1);
        double letters = text.Count(b => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (byte)' ' or (byte)'\n' or (byte)'\r');
        Assert.True(letters / text.Length > 0.85, Encoding.UTF8.GetString(text));
        var words = Encoding.ASCII.GetString(text).Split(' ', '\n', '\r', ',', '.');
        // at least one of English's most frequent words (the sample itself depends on the model revision)
        Assert.Contains(words, w => w is "the" or "and" or "of" or "to" or "a" or "in" or "was" or "I" or "her" or "she" or "he" or "it");
    }

    [Fact]
    public void SequenceModel_DrawsFromItsDistribution()
    {
        // an order-1 count model trained on "abababab…" has seen only a→b and b→a
        var model = SequenceModels.Create("order:k=1");
        var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("ab", 2000)));
        PrequentialCoder.Train(model, data, 64);
        model.Observe((byte)'a');
        var text = ModelSampling.Generate(model, 100, seed: 2, temperature: 0.5);
        Assert.Equal(string.Concat(Enumerable.Repeat("ba", 50)), Encoding.ASCII.GetString(text));
        var again = SequenceModels.Create("order:k=1");
        PrequentialCoder.Train(again, data, 64);
        again.Observe((byte)'a');
        Assert.Equal(text, ModelSampling.Generate(again, 100, seed: 2, temperature: 0.5));
    }
}

/// <summary>kolmo generate end to end (child process: it writes raw bytes to standard output).</summary>
[Collection("Console")]
public sealed class GenerateCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kolmo-gen-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Generate_ContinuesThePrompt_Repeatably()
    {
        string data = Path.Combine(_dir, "train.txt");
        File.WriteAllBytes(data, TestFiles.Canterbury("alice29.txt"));
        string[] args = ["generate", "-m", "order3", "--data", data, "--train-bytes", "60000", "-p", "Alice was ", "-n", "120", "--seed", "7", "-q"];
        var (code, output, err) = CliRunner.RunChildOutput(null, args);
        Assert.True(code == 0, err);
        Assert.Equal("", err);
        Assert.StartsWith("Alice was ", Encoding.UTF8.GetString(output), StringComparison.Ordinal);
        Assert.Equal("Alice was ".Length + 120 + 1, output.Length);   // prompt, the text, a final newline
        Assert.Equal(output, CliRunner.RunChildOutput(null, args).Out);
    }

    [Fact]
    public void Generate_RefusesConflictingSources()
    {
        Assert.Contains("give one of --model, --checkpoint and --compressor", CliRunner.Run("generate", "-m", "cm", "--compressor", "gzip").Err, StringComparison.Ordinal);
        Assert.Contains("--compressor learns nothing beforehand", CliRunner.Run("generate", "--compressor", "gzip", "--data", "x").Err, StringComparison.Ordinal);
        Assert.Contains("order:k=9: ", CliRunner.Run("generate", "-m", "order:k=9", "--data", TestFiles.Path("data/canterbury/xargs.1")).Err, StringComparison.Ordinal);
        Assert.Contains("unknown model 'zebra'", CliRunner.Run("generate", "-m", "zebra").Err, StringComparison.Ordinal);
    }
}
