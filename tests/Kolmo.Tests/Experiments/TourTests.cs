using Kolmo.Data;
using Kolmo.Experiments;

namespace Kolmo.Tests.Experiments;

public class TourTests
{
    private static TourResults R => TinyTour.Results;

    [Fact]
    public void Prediction_FileSizeIsTheLogLoss_AndTheFileDecodesBack()
    {
        var p = R.Prediction!;
        var m = Assert.Single(p.Models);
        Assert.True(m.RoundTrip);
        Assert.Equal(6_000, m.InputBytes);
        // the arithmetic coder and the container add a few dozen bytes to the ideal code length, never less than it
        Assert.InRange(m.OverheadBits, 0, 8 * 64);
        Assert.Equal(m.FileBytes * 8.0 - m.LogLossBits, m.OverheadBits, 6);
        var c = Assert.Single(p.Curves);
        Assert.Equal(6, c.WindowEnd.Count);
        Assert.Equal(6_000, c.WindowEnd[^1]);
        // the windows' bits add up to the log-loss
        double sum = c.BitsPerByte.Select((b, i) => b * (c.WindowEnd[i] - (i == 0 ? 0 : c.WindowEnd[i - 1]))).Sum();
        Assert.Equal(m.LogLossBits, sum, 6);
        var s = Assert.Single(p.Samples);
        Assert.Equal(60, s.Bytes);
        Assert.True(s.BitsPerByte > 0);
    }

    [Fact]
    public void Prediction_SampleIsWhatKolmoGenerateWrites_AndItsBitsAreItsCodeLength()
    {
        var options = TinyTour.Options.Prediction;
        var s = R.Prediction!.Samples[0];
        byte[] text = TourData.Book(options.Book, options.StartMarker, 0, options.Bytes);
        var m = Kolmo.Compression.ModelCatalog.Create(s.Model, options.Level);
        m.Prime(text);
        m.Prime(System.Text.Encoding.UTF8.GetBytes(options.Prompt));
        var copy = m.Clone();
        byte[] again = Kolmo.Compression.ModelSampling.Generate(m, s.Bytes, s.Seed);
        Assert.Equal(s.Text, System.Text.Encoding.UTF8.GetString(again));
        Assert.Equal(s.BitsPerByte * s.Bytes, Kolmo.Compression.ModelCompressor.CodeLength(copy, again), 6);
    }

    [Fact]
    public void SharedInformation_PrimingEqualsJointMinusMarginal_AndRandomBytesShareNothing()
    {
        var s = R.SharedInformation!;
        Assert.Equal(3, s.Pairs.Count);
        Assert.Equal(["gzip", "order3"], s.Strength.Select(x => x.Compressor).Order());
        Assert.True(s.Strength[0].BitsPerByte >= s.Strength[1].BitsPerByte);
        foreach (var p in s.Pairs)
        {
            Assert.Equal(s.Strength.Select(x => x.Compressor), p.Measures.Select(m => m.Compressor));
            var primed = p.Measures.Single(m => m.Compressor == "order3");
            Assert.True(primed.ByPriming);
            Assert.Equal(primed.SharedBits, primed.ConditionalSavedBits, 6);
        }
        var related = s.Pairs.Single(p => p.Name.StartsWith("translations", StringComparison.Ordinal));
        var unrelated = s.Pairs.Single(p => !p.Related);
        foreach (string c in new[] { "gzip", "order3" })
        {
            Assert.True(related.Measures.Single(m => m.Compressor == c).SharedBits > 1000);
            Assert.True(unrelated.Measures.Single(m => m.Compressor == c).SharedBits < 0.02 * unrelated.Measures.Single(m => m.Compressor == c).BitsY);
        }
    }

    [Fact]
    public void Kolmogorov_BoundIsCodeLengthPlusDecompressor_AndBestIsTheMinimum()
    {
        var k = R.Kolmogorov!;
        Assert.Equal([1_000, 3_000], k.Sizes);
        foreach (var row in k.Rows)
        {
            Assert.True(row.DecompressorBytes > 1000);
            Assert.Equal(row.CompressedBits[1] + 8.0 * row.DecompressorBytes, row.BoundBits(1));
            Assert.True(row.CompressedBits[1] > row.CompressedBits[0]);
        }
        for (int i = 0; i < k.Sizes.Count; i++)
        {
            Assert.Equal(k.Rows.Min(r => r.BoundBits(i)), k.Best[i].BoundBits);
            Assert.Equal(k.Rows.MinBy(r => r.CompressedBits[i])!.Compressor, k.Best[i].SmallestCompressor);
        }
    }

    [Fact]
    public void LanguageTree_IsSymmetric_AndGroupsTheNordicAndFinnicLanguages()
    {
        var t = R.LanguageTree!;
        int n = t.Languages.Count;
        Assert.Equal(6, n);
        Assert.Equal(15 + 6, t.Pairs);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(t.Distances[i][j], t.Distances[j][i]);
            }
        }
        var leaves = t.Upgma.ToTreeNode().Leaves().ToList();
        Assert.Equal(t.Languages.Select(l => l.Code).Order(), leaves.Order());
        var branch = t.Purity.Single(p => p.Classes == "branch");
        Assert.Equal(2, branch.Count);
        Assert.Equal(1.0, branch.Upgma);
        Assert.Equal(4 / 6.0, branch.OneCluster, 9);
    }

    [Fact]
    public void Classification_CountsEveryDocument_AndBeatsTheMajorityClass()
    {
        var c = R.Classification!;
        Assert.Equal(["ham", "spam"], c.Labels);
        Assert.Equal(300, c.TrainDocs);
        Assert.Equal(20, c.TestDocs);
        Assert.Equal(3, c.Classifiers.Count);
        foreach (var x in c.Classifiers)
        {
            Assert.Equal(x.Docs, x.Confusion.Sum(row => row.Sum()));
            Assert.Equal(x.Accuracy, (x.Confusion[0][0] + x.Confusion[1][1]) / (double)x.Docs, 9);
        }
        Assert.True(c.Classifiers[0].Accuracy > c.MajorityBaseline);
        var modelKnn = c.Classifiers[^1];
        Assert.Equal(("ncd-knn", "ordermix", 3), (modelKnn.Method, modelKnn.Compressor, modelKnn.Docs));
        Assert.InRange(modelKnn.ConditionalAccuracySameDocs, 0, 1);
    }

    [Fact]
    public void DescriptionLength_UniformIsEightBitsPerByte_AndTransferFromRandomBytesSavesLittle()
    {
        var d = R.DescriptionLength!;
        Assert.Equal(3, d.Mdl.Count);
        foreach (var p in d.Mdl)
        {
            Assert.Equal(8 * 1_500, p.UniformBits);
            Assert.True(p.TwoPartBits >= p.WeightBits);
            Assert.True(p.PrequentialBits > 0);
        }
        Assert.Equal(4, d.Transfer.Count);
        var random = d.Transfer.Single(t => t.Kind == "unrelated");
        var novel = d.Transfer.First(t => t.Kind == "related");
        Assert.True(novel.SavedFraction > random.SavedFraction);
        Assert.All(d.Transfer, t => Assert.Equal(d.Transfer[0].AloneBits, t.AloneBits));
    }

    [Fact]
    public void Decipher_ReportsEveryCipher_AndSolvesTheLongOne()
    {
        var q = R.Decipher!;
        Assert.Equal([40, 120], q.Points.Select(p => p.Length));
        Assert.Equal(2, q.Trials.Count);
        Assert.Equal(150, q.Showcase.Ciphertext.Length);
        Assert.Equal(150, q.Showcase.Found.Length);
        Assert.True(q.Showcase.Ciphertext.All(char.IsAsciiLetterUpper));
        Assert.True(q.Showcase.Error <= 0.02, $"showcase error {q.Showcase.Error}");
        Assert.True(q.Showcase.FoundBitsPerLetter <= q.Showcase.TrueBitsPerLetter + 1e-9);
    }

    [Fact]
    public void Occam_BoundIsTrainErrorPlusTheGapOfTheCodedProbe()
    {
        var o = R.Occam!;
        var (images, _) = TourData.Digits();
        Assert.Equal((int)(images.Count * 0.8), o.TrainImages);
        Assert.Equal(images.Count, o.TrainImages + o.TestImages);
        Assert.Equal(49, o.Features);
        Assert.Equal(10 * 49 + 10, o.Parameters);
        Assert.Equal(3, o.Points.Count);
        foreach (var p in o.Points)
        {
            Assert.Equal(Kolmo.Information.OccamBound.Gap(p.Bits, o.TrainImages, o.Delta / 3), p.Gap, 12);
            Assert.Equal(p.TrainError + p.Gap, p.Bound, 12);
            Assert.InRange(p.TestError, 0, 1);
        }
        Assert.True(o.Points[0].Bits > o.Points[^1].Bits, "a coarser step needs fewer bits");
        Assert.Equal(o.Points.Min(p => p.Bound), o.Best.Bound);
        Assert.Equal(Kolmo.Information.OccamBound.TestErrorBound(o.FloatTrainError, 32.0 * o.Parameters, o.TrainImages, o.Delta), o.FloatBound, 12);
    }

    [Fact]
    public void NextPixel_MeasuresEveryCheckpoint_CodesAndCompletesTestImages_AsKolmoIgptDoes()
    {
        var x = R.NextPixel!;
        var (images, _) = TourData.Digits();
        Assert.Equal(40, x.TestImages);
        Assert.Equal(images.Count - 40, x.TrainImages);
        Assert.Equal([0, 2, 4], x.Points.Select(m => m.Step));
        Assert.All(x.Points, m => Assert.Equal(2, m.Mean.Layers.Count));          // embeddings and one block
        Assert.All(x.Points, m => Assert.Equal(2 * 2 * 8, m.Grid!.Features));      // 2×2 grid × width 8
        Assert.Equal(14 * 14, x.Igpt.RawPixels.Features);
        Assert.InRange(x.Igpt.RawPixels.TestAccuracy, 0.3, 1.0);
        var c = x.Igpt.Compression!;
        Assert.Equal(3, c.DecodedImages);
        Assert.Equal(3L * 14 * 14, c.Pixels);
        Assert.InRange(c.CodedBitsPerDim, c.ModelBitsPerDim * 0.99, c.ModelBitsPerDim * 1.05 + 0.2);
        var comp = x.Igpt.Completions!;
        int given = comp.GivenRows * comp.Width;
        for (int i = 0; i < 2; i++)
        {
            Assert.All(comp.Completions[i], k => Assert.Equal(comp.Originals[i][..given], k[..given]));
        }
        Assert.Equal("kolmo igpt --quick --split " + (images.Count - 40) + " --sizes 1x8 --steps 4 --checkpoints 2 --probe-train 100 --probe-grid 2 --compress 3 --completions 2 --samples 0 --out igpt-tour", x.Command);

        // the same experiment run directly, on one thread, measures the same numbers
        var o = TinyTour.Options.NextPixel;
        var direct = new Kolmo.Vision.IgptExperiment(Kolmo.Vision.IgptModels.Create)
            .Run(images.Slice(0, x.TrainImages), images.Slice(x.TrainImages, 40), o.Igpt(TinyTour.Options.Seed, 1));
        Assert.Equal(x.Points.Select(m => (m.TestBits, m.Mean.TestAccuracy, m.Grid!.TestAccuracy)), direct.FinalRun.Select(m => (m.TestBits, m.Mean.TestAccuracy, m.Grid!.TestAccuracy)));
        Assert.Equal(x.Igpt.RawPixels.TestAccuracy, direct.RawPixels.TestAccuracy);
        Assert.Equal(c.CodedBitsPerDim, direct.Compression!.CodedBitsPerDim);
    }

    [Fact]
    public void Json_RoundTripsEveryChapter()
    {
        string json = TourJson.Serialize(R);
        var back = TourJson.Deserialize(json);
        Assert.Equal(json, TourJson.Serialize(back));
        Assert.Contains("\"logLossBits\"", json, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => TourJson.Deserialize("{\"preset\": 3"));
    }

    [Fact]
    public void Run_RefusesAnUnknownChapter()
    {
        var e = Assert.Throws<ArgumentException>(() => Tour.Run(TinyTour.Options with { Chapters = ["prediction", "telepathy"] }));
        Assert.Contains("telepathy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuiltInData_HoldsTheUdhrSampleAndTheSmsSample()
    {
        var langs = TourData.Languages();
        Assert.Equal(24, langs.Count);
        Assert.All(langs, l => Assert.True(TourData.Udhr(l.Code).Length > 9_000));
        var (train, test) = TourData.Sms();
        Assert.Equal(150, train.Count(d => d.Label == "spam"));
        Assert.Equal(100, test.Count(d => d.Label == "ham"));
        Assert.Throws<FileNotFoundException>(() => BuiltInData.ReadAllBytes("udhr/klingon.txt"));
    }
}
