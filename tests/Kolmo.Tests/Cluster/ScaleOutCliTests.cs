using System.Text.RegularExpressions;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Cluster;

/// <summary>
/// <c>--shard i/N</c> and <c>kolmo merge</c> on the command line give byte for byte what one run gives; the scale-out
/// options refuse what they cannot do with one clear line.
/// </summary>
[Collection("Console")]
public sealed partial class ScaleOutCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kolmo-shard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private string Corpus(int count)
    {
        string dir = P("docs");
        Directory.CreateDirectory(dir);
        foreach (var (name, data) in ScaleOutData.Documents(count))
        {
            File.WriteAllBytes(Path.Combine(dir, name + ".txt"), data);
        }
        return dir;
    }

    [Fact]
    public void Ncd_ThreeShardsMerged_AreTheOneRunMatrix()
    {
        string docs = Corpus(11);
        var whole = CliRunner.Run("ncd", docs, "-c", "deflate", "-o", P("whole.tsv"));
        Assert.Equal(0, whole.Code);
        for (int i = 0; i < 3; i++)
        {
            var part = CliRunner.Run("ncd", docs, "-c", "deflate", "--shard", $"{i}/3", "-o", P($"part-{i}.json"), "-T", "1");
            Assert.True(part.Code == 0, part.Err);
            Assert.Contains($"shard {i}/3", part.Err, StringComparison.Ordinal);
        }
        var merged = CliRunner.Run("merge", P("part-2.json"), P("part-0.json"), P("part-1.json"), "-o", P("merged.tsv"));
        Assert.True(merged.Code == 0, merged.Err);
        Assert.Equal(File.ReadAllBytes(P("whole.tsv")), File.ReadAllBytes(P("merged.tsv")));

        // JSON on stdout too, and a folder of shard files
        Directory.CreateDirectory(P("parts"));
        for (int i = 0; i < 3; i++)
        {
            File.Move(P($"part-{i}.json"), P($"parts/part-{i}.json"));
        }
        Assert.Equal(CliRunner.Run("ncd", docs, "-c", "deflate", "--json").Out, CliRunner.Run("merge", P("parts"), "--json").Out);
    }

    [Fact]
    public void Classify_ShardsMerged_AreTheOneRunReport()
    {
        var (train, test) = ScaleOutData.Labelled(9, 20);
        File.WriteAllLines(P("train.tsv"), train.Select(d => d.Label + "\t" + System.Text.Encoding.ASCII.GetString(d.Data).ReplaceLineEndings(" ")));
        File.WriteAllLines(P("test.tsv"), test.Select(d => d.Label + "\t" + System.Text.Encoding.ASCII.GetString(d.Data).ReplaceLineEndings(" ")));
        string[] common = ["classify", "--train", P("train.tsv"), "--test", P("test.tsv"), "-m", "conditional", "-c", "order3"];
        var whole = CliRunner.Run([.. common, "-o", P("pred.tsv")]);
        Assert.True(whole.Code == 0, whole.Err);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(0, CliRunner.Run([.. common, "--shard", $"{i}/2", "-o", P($"c{i}.json")]).Code);
        }
        var merged = CliRunner.Run("merge", P("c0.json"), P("c1.json"), "-o", P("pred-merged.tsv"));
        Assert.True(merged.Code == 0, merged.Err);
        Assert.Equal(File.ReadAllText(P("pred.tsv")), File.ReadAllText(P("pred-merged.tsv")));
        Assert.Equal(WithoutSeconds(whole.Out), WithoutSeconds(merged.Out));
    }

    [Fact]
    public void Compress_Shard_TakesEveryNthFile_WithTheUsualOutput()
    {
        var files = Enumerable.Range(0, 5).Select(i => P($"f{i}.txt")).ToArray();
        for (int i = 0; i < files.Length; i++)
        {
            File.WriteAllBytes(files[i], TestFiles.Text(2000 + i, i));
        }
        var r = CliRunner.Run(["compress", "-m", "order3", "--shard", "1/2", .. files]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal([false, true, false, true, false], files.Select(f => File.Exists(f + ".kolmo")));
        Assert.Equal(0, CliRunner.Run("compress", "-m", "order3", files[1], "-o", P("alone.kolmo")).Code);
        Assert.Equal(File.ReadAllBytes(P("alone.kolmo")), File.ReadAllBytes(files[1] + ".kolmo"));
    }

    [Fact]
    public void ScaleOutOptions_RefuseWhatTheyCannotDo()
    {
        string docs = Corpus(4);
        (int Code, string Err) Run(params string[] args)
        {
            var r = CliRunner.Run(args);
            return (r.Code, r.Err);
        }
        Assert.Contains("-o FILE", Run("ncd", docs, "--shard", "0/2").Err, StringComparison.Ordinal);
        Assert.Contains("0..N-1", Run("ncd", docs, "--shard", "2/2", "-o", P("x.json")).Err, StringComparison.Ordinal);
        Assert.Contains("i/N", Run("ncd", docs, "--shard", "half", "-o", P("x.json")).Err, StringComparison.Ordinal);
        Assert.Contains("cannot be combined", Run("ncd", docs, "--shard", "0/2", "--cluster", "localhost", "-o", P("x.json")).Err, StringComparison.Ordinal);
        Assert.Contains("redis://HOST:PORT", Run("ncd", docs, "--cluster", "http://example").Err, StringComparison.Ordinal);
        Assert.Contains("standard input", Run("compress", "-", "--cluster", "localhost").Err, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1 only", Run("worker", "--address", "10.1.2.3").Err, StringComparison.Ordinal);
        Assert.False(File.Exists(P("x.json")));

        // an unreachable cluster: one line, exit 1, nothing written, for the client and for a worker
        string nowhere = $"redis://127.0.0.1:{ChildProcess.FreePort()}";
        var unreachable = Run("ncd", docs, "-c", "deflate", "--cluster", nowhere, "-o", P("x.json"));
        Assert.Equal(1, unreachable.Code);
        Assert.Contains("cannot reach Redis", unreachable.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(P("x.json")));
        string input = Directory.GetFiles(docs).Order(StringComparer.Ordinal).First();
        var packing = Run("compress", "-m", "order3", input, "--cluster", nowhere);
        Assert.Equal(1, packing.Code);
        Assert.False(File.Exists(input + ".kolmo"));
        var worker = Run("worker", "--cluster", nowhere);
        Assert.Equal(1, worker.Code);
        Assert.Contains("cannot reach Redis", worker.Err, StringComparison.Ordinal);
        foreach (var err in new[] { unreachable.Err, packing.Err, worker.Err })
        {
            Assert.Single(err.Trim().Split('\n'));
            Assert.StartsWith("kolmo: ", err, StringComparison.Ordinal);
        }

        Assert.Equal(0, Run("ncd", docs, "-c", "deflate", "--shard", "0/2", "-o", P("p0.json")).Code);
        var missing = Run("merge", P("p0.json"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("1/2 missing", missing.Err, StringComparison.Ordinal);
        File.WriteAllText(P("junk.json"), "{\"format\":\"something else\"}");
        Assert.Equal(2, Run("merge", P("junk.json")).Code);
        Assert.Equal(1, Run("merge", P("nope.json")).Code);
    }

    private static string WithoutSeconds(string report) => Seconds().Replace(report, "");

    [GeneratedRegex(@"\s+[0-9.]+ s\n")]
    private static partial Regex Seconds();
}
