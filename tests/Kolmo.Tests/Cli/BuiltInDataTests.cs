using System.Text.Json;
using Kolmo.Cli.Infrastructure;
using Kolmo.Decipher;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Cli;

/// <summary>The data embedded in the tool and the library is byte for byte the data committed under data/.</summary>
[Collection("Console")]
public sealed class BuiltInDataTests
{
    [Fact]
    public void Canterbury_IsTheCommittedCorpus()
    {
        var files = BuiltInData.Canterbury();
        Assert.Equal(11, files.Count);
        Assert.Equal(2_810_784, files.Sum(f => (long)f.Data.Length));
        foreach (var (name, data) in files)
        {
            Assert.Equal(File.ReadAllBytes(TestFiles.Path(Path.Combine("data", "canterbury", name))), data);
        }
    }

    [Fact]
    public void EnglishBooks_AreTheCommittedBooks()
    {
        foreach (var name in EnglishModel.TrainingFiles)
        {
            Assert.Equal(File.ReadAllText(TestFiles.Path(Path.Combine("data", "english", name))), EnglishModel.BookText(name));
        }
        Assert.Throws<ArgumentException>(() => EnglishModel.BookText("frankenstein_pg84.txt"));
    }

    [Fact]
    public void MnistSample_Has100LabelledImages()
    {
        var set = BuiltInData.MnistSample();
        Assert.Equal(100, set.Count);
        Assert.Equal((28, 28), (set.Rows, set.Cols));
        int[] counts = new int[10];
        for (int i = 0; i < set.Count; i++)
        {
            counts[set.Labels![i]]++;
        }
        Assert.Equal([8, 14, 8, 11, 14, 7, 10, 15, 2, 11], counts);   // data/README.md
    }

    [Fact]
    public void Bench_WithoutPaths_RunsOnTheBuiltInCorpus()
    {
        var (code, output, err) = CliRunner.Run("bench", "--compressors", "deflate", "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(12, rows.Count);   // 11 files + the total
        Assert.Equal(2_810_784, rows[^1].GetProperty("originalBytes").GetInt64());
        Assert.All(rows, r => Assert.True(r.GetProperty("roundTrip").GetBoolean()));
    }
}
