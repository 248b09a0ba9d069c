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
    public void BenchSample_IsThePublicDomainTextsAndTheMnistImages()
    {
        var files = BuiltInData.BenchSample();
        Assert.Equal(["alice29.txt", "asyoulik.txt", "lcet10.txt", "plrabn12.txt", BuiltInData.MnistImagesName], files.Select(f => f.Name));
        foreach (var (name, data) in files.Take(4))
        {
            Assert.Equal(File.ReadAllBytes(TestFiles.Path(Path.Combine("data", "canterbury", name))), data);
        }
        Assert.Equal(1_185_883, files.Take(4).Sum(f => (long)f.Data.Length));
        var images = files[4].Data;
        Assert.Equal(16 + 100 * 28 * 28, images.Length);
        Assert.Equal(Kolmo.Vision.Idx.ReadImages(TestFiles.Path("data/mnist-sample/t100-images-idx3-ubyte.gz")).Pixels, images[16..]);
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
        Assert.Equal(6, rows.Count);   // 5 files + the total
        Assert.Equal(1_185_883 + 78_416, rows[^1].GetProperty("originalBytes").GetInt64());
        Assert.All(rows, r => Assert.True(r.GetProperty("roundTrip").GetBoolean()));
    }
}
