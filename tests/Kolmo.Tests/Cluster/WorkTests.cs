using System.Text;
using Kolmo.Cluster.Work;
using Kolmo.Compression;
using Kolmo.Information;
using Kolmo.Learning;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Cluster;

/// <summary>Inputs shared by the scale-out tests: small, related documents so that distances and predictions mean something.</summary>
internal static class ScaleOutData
{
    /// <summary>Named documents from three "sources" (seeds), each a variation of its source's text.</summary>
    public static List<(string Name, byte[] Data)> Documents(int count, int length = 600)
    {
        var docs = new List<(string, byte[])>();
        for (int i = 0; i < count; i++)
        {
            var source = TestFiles.Text(length * 3, seed: i % 3);
            var own = TestFiles.Text(length / 3, seed: 100 + i);
            docs.Add(($"doc{i:D2}-{(char)('a' + i % 3)}", [.. source.AsSpan((i * 37) % length, length - own.Length), .. own]));
        }
        return docs;
    }

    /// <summary>A labelled training and test set (label = source).</summary>
    public static (List<LabeledDocument> Train, List<LabeledDocument> Test) Labelled(int train, int test)
    {
        var docs = Documents(train + test, 400);
        var all = docs.Select((d, i) => new LabeledDocument(d.Name[^1..], d.Name, d.Data)).ToList();
        return (all.Take(train).ToList(), all.Skip(train).ToList());
    }
}

/// <summary>The work layer: tiling, shards, shard files, and that every way of running a job gives the single-process bits.</summary>
public sealed class WorkTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(7, 3)]
    [InlineData(16, 4)]
    [InlineData(33, 5)]
    [InlineData(40, 32)]
    public void NcdTiles_CoverTheUpperTriangleExactlyOnce(int n, int side)
    {
        var seen = new int[n, n];
        int tasks = NcdTiles.Count(n, side);
        for (int t = 0; t < tasks; t++)
        {
            var pairs = NcdTiles.Pairs(n, side, t).ToList();
            Assert.Equal(NcdTiles.PairCount(n, side, t), pairs.Count);
            Assert.NotEmpty(pairs);
            foreach (var (i, j) in pairs)
            {
                Assert.True(i <= j);
                seen[i, j]++;
            }
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(i <= j ? 1 : 0, seen[i, j]);
            }
        }
        Assert.Equal(NcdMatrix.PairCount(n), Enumerable.Range(0, tasks).Sum(t => NcdTiles.PairCount(n, side, t)));
    }

    [Fact]
    public void NcdTiles_SideGrowsWithTheInputsUpToTheCap()
    {
        Assert.Equal(1, NcdTiles.SideFor(2));
        Assert.Equal(1, NcdTiles.SideFor(16));
        Assert.Equal(2, NcdTiles.SideFor(17));
        Assert.Equal(NcdTiles.MaxSide, NcdTiles.SideFor(100_000));
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/4", 3, 4)]
    public void Shard_Parses(string text, int index, int count) => Assert.Equal(new Shard(index, count), Shard.Parse(text));

    [Theory]
    [InlineData("4/4")]
    [InlineData("1/0")]
    [InlineData("-1/3")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("1/2/3")]
    [InlineData(" 1/2")]
    public void Shard_RefusesBadText(string text) => Assert.Throws<ArgumentException>(() => Shard.Parse(text));

    [Fact]
    public void Shards_PartitionTheTasks()
    {
        var all = Enumerable.Range(0, 3).SelectMany(i => new Shard(i, 3).Tasks(10)).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 10), all);
        Assert.Equal([2, 5, 8], new Shard(2, 3).Tasks(10));
        Assert.Empty(new Shard(5, 8).Tasks(3));
    }

    [Fact]
    public void JobSpec_IdDependsOnContentAndSettingsOnly()
    {
        var docs = ScaleOutData.Documents(5);
        string id = JobSpec.ForNcd(docs, "deflate").Id;
        Assert.Equal(32, id.Length);
        Assert.Equal(id, JobSpec.ForNcd(ScaleOutData.Documents(5), "deflate").Id);
        Assert.NotEqual(id, JobSpec.ForNcd(docs, "ordermix").Id);
        var changed = docs.ToList();
        changed[3] = (changed[3].Name, [.. changed[3].Data, (byte)'!']);
        Assert.NotEqual(id, JobSpec.ForNcd(changed, "deflate").Id);
    }

    [Theory]
    [InlineData("ordermix", 7)]
    [InlineData("deflate", 19)]
    public void NcdTasks_GiveTheBitsOfTheSingleProcessMatrix(string compressor, int count)
    {
        var docs = ScaleOutData.Documents(count);
        var c = CodeLengthPanel.Create([compressor]).Single();
        var expected = NcdMatrix.Compute(c, docs, maxThreads: 2);
        var spec = JobSpec.ForNcd(docs, compressor);
        var work = JobWork.Create(spec, 1);
        Assert.True(work.TaskCount > 1);
        // tasks in reverse order, one thread: the order and the grouping of the work do not matter
        var tasks = Enumerable.Range(0, work.TaskCount).Reverse().ToArray();
        var payloads = LocalRunner.Run(work, [.. docs.Select(d => d.Data)], tasks, threads: 1);
        var ordered = new byte[work.TaskCount][];
        for (int k = 0; k < tasks.Length; k++)
        {
            ordered[tasks[k]] = payloads[k];
        }
        Assert.Equal(expected.ToTsv(), JobResults.Matrix(spec, ordered).ToTsv());
    }

    [Theory]
    [InlineData("knn", "deflate", 3)]
    [InlineData("conditional", "ordermix", 1)]
    public void ClassifyTasks_GiveTheSingleProcessPredictions(string method, string compressor, int k)
    {
        var (train, test) = ScaleOutData.Labelled(12, 40);
        var c = CodeLengthPanel.Create([compressor]).Single();
        ICompressionClassifier clf = method == "knn"
            ? new NcdKnnClassifier(c, train, k)
            : new ConditionalClassifier(CodeLengthPanel.SizedFactory(compressor), train);
        var expected = clf.Predict([.. test.Select(d => d.Data)]);
        var spec = JobSpec.ForClassify(train, test, method, compressor, k);
        var work = JobWork.Create(spec, 2);
        Assert.True(work.TaskCount > 1);
        var payloads = LocalRunner.Run(work, [.. train.Concat(test).Select(d => d.Data)], [.. Enumerable.Range(0, work.TaskCount)], threads: 2);
        Assert.Equal(expected, JobResults.Predictions(spec, payloads));
        Assert.Equal(clf.Name, JobResults.ClassifierName(spec));
    }

    [Fact]
    public void CompressTasks_GiveTheContainerOfModelCompressor()
    {
        var files = new List<(string Name, byte[] Data)> { ("a.txt", TestFiles.Text(5000, 1)), ("b.bin", TestFiles.Random(3000, 2)), ("empty", []) };
        var spec = JobSpec.ForCompress(files, "order3", 2, null, 4096);
        var work = JobWork.Create(spec);
        var payloads = LocalRunner.Run(work, [.. files.Select(f => f.Data)], [0, 1, 2]);
        for (int i = 0; i < files.Count; i++)
        {
            using var expected = new MemoryStream();
            new ModelCompressor("order3", 2, null, 4096).Compress(new MemoryStream(files[i].Data), expected);
            Assert.Equal(expected.ToArray(), payloads[i]);
            using var back = new MemoryStream();
            ModelCompressor.Decompress(new MemoryStream(payloads[i]), back, null);
            Assert.Equal(files[i].Data, back.ToArray());
        }
    }

    [Fact]
    public void ShardFiles_MergeToTheWholeMatrix()
    {
        var docs = ScaleOutData.Documents(17);
        var spec = JobSpec.ForNcd(docs, "deflate");
        var data = docs.Select(d => d.Data).ToArray();
        var parts = Enumerable.Range(0, 4)
            .Select(i => ($"part{i}.json", ShardFile.Parse(ShardFile.Compute(spec, data, new Shard(i, 4), threads: 1).ToJson(), $"part{i}.json")))
            .Reverse().ToList();
        var (merged, payloads, _) = ShardFile.Merge(parts);
        Assert.Equal(spec.Id, merged.Id);
        Assert.Equal(NcdMatrix.Compute(CodeLengthPanel.Create(["deflate"]).Single(), docs).ToTsv(), JobResults.Matrix(merged, payloads).ToTsv());
    }

    [Fact]
    public void ShardFiles_Merge_RefusesMissingRepeatedForeignAndAlteredShards()
    {
        var docs = ScaleOutData.Documents(6);
        var data = docs.Select(d => d.Data).ToArray();
        var spec = JobSpec.ForNcd(docs, "deflate");
        ShardFile Part(JobSpec s, int i, int n) => ShardFile.Compute(s, data, new Shard(i, n), threads: 1);
        var p0 = Part(spec, 0, 3);
        var p1 = Part(spec, 1, 3);
        var p2 = Part(spec, 2, 3);

        var missing = Assert.Throws<InvalidDataException>(() => ShardFile.Merge([("a", p0), ("c", p2)]));
        Assert.Contains("1/3", missing.Message, StringComparison.Ordinal);
        var twice = Assert.Throws<InvalidDataException>(() => ShardFile.Merge([("a", p0), ("b", p1), ("b2", p1), ("c", p2)]));
        Assert.Contains("both shard 1/3", twice.Message, StringComparison.Ordinal);
        var foreign = Part(JobSpec.ForNcd(docs, "gzip"), 1, 3);
        Assert.Contains("different jobs", Assert.Throws<InvalidDataException>(() => ShardFile.Merge([("a", p0), ("x", foreign), ("c", p2)])).Message, StringComparison.Ordinal);
        var otherCount = Part(spec, 1, 4);
        Assert.Contains("numbers of shards", Assert.Throws<InvalidDataException>(() => ShardFile.Merge([("a", p0), ("x", otherCount), ("c", p2)])).Message, StringComparison.Ordinal);

        string json = Encoding.UTF8.GetString(p1.ToJson());
        string altered = json.Replace("\"compressor\":\"deflate\"", "\"compressor\":\"gzip\"", StringComparison.Ordinal);
        Assert.NotEqual(json, altered);
        Assert.Contains("altered", Assert.Throws<InvalidDataException>(() => ShardFile.Parse(Encoding.UTF8.GetBytes(altered), "p1")).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => ShardFile.Parse("{\"format\":\"kolmo-shard\",\"version\":2}"u8, "v2"));
        Assert.Throws<InvalidDataException>(() => ShardFile.Parse("not json"u8, "junk"));
        Assert.Throws<InvalidDataException>(() => ShardFile.Parse("{}"u8, "empty"));

        var truncated = new ShardFile { Job = p1.Job, Shard = 1, Shards = 3, Spec = p1.Spec, Tasks = [new ShardTask(p1.Tasks[0].Task, p1.Tasks[0].Payload[..^1]), .. p1.Tasks.Skip(1)] };
        Assert.Throws<InvalidDataException>(() => ShardFile.Merge([("a", p0), ("t", truncated), ("c", p2)]));
    }
}
