using System.Text;
using Kolmo.Compression.Panel;
using Kolmo.Information;
using Kolmo.Learning;
using Kolmo.Modeling;
using Kolmo.Tests.Information;

namespace Kolmo.Tests.Learning;

public class ClassificationTests
{
    private static List<LabeledDocument> Set(int perClass, int seed, int bytes = 400)
    {
        var docs = new List<LabeledDocument>();
        for (int i = 0; i < perClass; i++)
        {
            docs.Add(new("a", $"a{i}", TestText.Words(bytes, seed + i)));
            docs.Add(new("b", $"b{i}", TestText.Words(bytes, seed + 1000 + i, vocabularyB: true)));
        }
        return docs;
    }

    [Fact]
    public void Conditional_And_Knn_ClassifyATinySetPerfectly()
    {
        var train = Set(4, 1);
        var test = Set(3, 100, 150);
        var truth = test.Select(d => d.Label).ToArray();
        var docs = test.Select(d => d.Data).ToArray();
        var cond = new ConditionalClassifier(_ => new OrderMixModel(14), train);
        Assert.Equal(truth, cond.Predict(docs));
        Assert.Equal(["a", "b"], cond.Labels);
        var knn = new NcdKnnClassifier(new CompressorCodeLength(new DeflateCodec()), train, 3);
        Assert.Equal(truth, knn.Predict(docs));
        var knnModel = new NcdKnnClassifier(ModelCodeLength.OrderMix(12), train, 1);
        Assert.Equal(truth, knnModel.Predict(docs, maxThreads: 2));
    }

    [Fact]
    public void Conditional_ScoresDoNotDependOnThreads()
    {
        var train = Set(3, 7);
        var docs = Set(2, 300, 120).Select(d => d.Data).ToArray();
        var cond = new ConditionalClassifier(_ => new OrderMixModel(14), train);
        var s1 = cond.Score(docs, maxThreads: 1);
        var s2 = cond.Score(docs, maxThreads: 2);
        Assert.Equal(s1, s2);
    }

    [Fact]
    public void Knn_TieBetweenLabels_GoesToNearestNeighbour()
    {
        // k = 2 with one neighbour of each label: the nearer (an exact copy, label "b") wins; no top-2 credit.
        var x = TestText.Words(600, 42);
        var train = new List<LabeledDocument>
        {
            new("a", "far", TestText.Words(600, 43)),
            new("b", "copy", x),
        };
        var knn = new NcdKnnClassifier(new CompressorCodeLength(new DeflateCodec()), train, 2);
        Assert.Equal(["b"], knn.Predict([x]));
    }

    [Fact]
    public void Report_AccuracyMacroF1Confusion_ByHand()
    {
        var r = new ClassificationReport(["a", "a", "b", "b"], ["a", "b", "b", "b"]);
        Assert.Equal(0.75, r.Accuracy);
        // a: precision 1, recall 1/2, F1 2/3; b: precision 2/3, recall 1, F1 4/5.
        Assert.Equal((2.0 / 3 + 0.8) / 2, r.MacroF1, 12);
        Assert.Equal(new int[,] { { 1, 1 }, { 0, 2 } }, r.Confusion);
    }

    [Fact]
    public void DocumentSet_BadInputs_GiveClearErrors()
    {
        string root = Path.Combine(Path.GetTempPath(), "kolmo-docset-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.Throws<FileNotFoundException>(() => DocumentSet.Load(Path.Combine(root, "missing")));
            Directory.CreateDirectory(Path.Combine(root, "set", "spam"));
            Directory.CreateDirectory(Path.Combine(root, "set", "ham"));
            File.WriteAllText(Path.Combine(root, "set", "spam", "1.txt"), "win money now");
            var e = Assert.Throws<InvalidDataException>(() => DocumentSet.Load(Path.Combine(root, "set")));
            Assert.Contains("'ham' has no documents", e.Message, StringComparison.Ordinal);
            File.WriteAllBytes(Path.Combine(root, "set", "ham", "2.bin"), [1, 0, 2]);
            e = Assert.Throws<InvalidDataException>(() => DocumentSet.Load(Path.Combine(root, "set")));
            Assert.Contains("binary", e.Message, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(root, "set", "ham", "2.bin"), "see you at lunch");
            var docs = DocumentSet.Load(Path.Combine(root, "set"));
            Assert.Equal(["ham", "spam"], docs.Select(d => d.Label));
            e = Assert.Throws<InvalidDataException>(() => DocumentSet.ParseTsv(Encoding.UTF8.GetBytes("ham\thello\nno tab here\n"), "t.tsv"));
            Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidDataException>(() => DocumentSet.ParseTsv(Encoding.UTF8.GetBytes("\n\n"), "t.tsv"));
            var tsv = DocumentSet.ParseTsv(Encoding.UTF8.GetBytes("ham\thello\tworld\r\n\nspam\tbuy\n"), "t.tsv");
            Assert.Equal(2, tsv.Count);
            Assert.Equal("hello\tworld", Encoding.UTF8.GetString(tsv[0].Data));
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, true);
            }
        }
    }
}
