using CsCheck;
using Kolmo.Compression;
using Kolmo.Compression.Panel;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Compression;

public class CompressorPredictorTests
{
    [Fact]
    public void Distribution_SumsToOne_ForGzipAndOrder3()
    {
        var past = "the cat sat on the mat and the cat sat on th"u8.ToArray();
        foreach (ICompressor c in new ICompressor[] { new GzipCodec(), new ModelCompressor("order3", level: 1) })
        {
            var p = new CompressorPredictor(c).Distribution(past);
            Assert.Equal(256, p.Length);
            Assert.Equal(1.0, p.Sum(), 12);
            Assert.All(p, v => Assert.True(v > 0));
        }
    }

    [Fact]
    public void Distribution_FromAModel_FavoursTheContinuation()
    {
        var past = "abcabcabcabcabcabcabcabcabcab"u8.ToArray();
        var p = new CompressorPredictor(new ModelCompressor("order3", level: 1)).Distribution(past);
        Assert.Equal((byte)'c', (byte)Array.IndexOf(p, p.Max()));
        Assert.True(p['c'] > 0.2);
    }

    [Fact]
    public void Distribution_IsExactlyTheNormalisedCodeLengths()
    {
        var gzip = new GzipCodec();
        var past = "hello hello hel"u8.ToArray();
        var p = new CompressorPredictor(gzip).Distribution(past);
        double a = gzip.CompressedBits([.. past, (byte)'l']);
        double b = gzip.CompressedBits([.. past, (byte)'Q']);
        Assert.Equal(Math.Pow(2, b - a), p['l'] / p['Q'], 9);
    }

    [Fact]
    public void Generate_SameSeed_SameText_DifferentSeed_DifferentText()
    {
        var predictor = new CompressorPredictor(new GzipCodec(), contextBytes: 64);
        var prompt = "to be or not to be"u8.ToArray();
        var a = predictor.Generate(prompt, 12, seed: 1);
        var b = predictor.Generate(prompt, 12, seed: 1);
        var c = predictor.Generate(prompt, 12, seed: 2);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Sample_FollowsCumulativeProbabilities()
    {
        var p = new double[256];
        p[10] = 0.25;
        p[20] = 0.75;
        Assert.Equal(10, CompressorPredictor.Sample(p, 1, 0.0));
        Assert.Equal(10, CompressorPredictor.Sample(p, 1, 0.2499));
        Assert.Equal(20, CompressorPredictor.Sample(p, 1, 0.25));
        Assert.Equal(20, CompressorPredictor.Sample(p, 0, 0.0));   // temperature 0: argmax
    }

    [Fact]
    public void Xoshiro256_MatchesTheReferenceAlgorithm()
    {
        // SplitMix64's first output for seed 0 (Steele, Lea & Flood's reference generator) seeds the first word.
        ulong x = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, Xoshiro256.SplitMix(ref x));
        // xoshiro256** from the state {1, 2, 3, 4}: the first outputs of Blackman & Vigna's reference code.
        var rng = Xoshiro256.FromState(1, 2, 3, 4);
        Assert.Equal([11520UL, 0UL, 1509978240UL, 1215971899390074240UL], new[] { rng.NextUInt64(), rng.NextUInt64(), rng.NextUInt64(), rng.NextUInt64() });
    }

    [Fact]
    public void Xoshiro256_SameSeedSameSequence_StreamsDiffer_BoundsHold()
    {
        var a = new Xoshiro256(7);
        var b = new Xoshiro256(7);
        var c = new Xoshiro256(7, stream: 1);
        Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.NotEqual(a.NextUInt64(), c.NextUInt64());
        for (int i = 0; i < 1000; i++)
        {
            Assert.InRange(a.Next(10), 0, 9);
            Assert.InRange(a.NextDouble(), 0.0, 0.9999999999999999);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Next(0));
        double sum = 0, sq = 0;
        for (int i = 0; i < 20000; i++)
        {
            double z = b.NextNormal();
            sum += z;
            sq += z * z;
        }
        Assert.InRange(sum / 20000, -0.05, 0.05);
        Assert.InRange(sq / 20000, 0.95, 1.05);
    }
}

public class CompressionPropertyTests
{
    private static readonly ModelCompressor Tiny = new("order3", level: 1, blockSize: 97);

    [Fact]
    public void Order3_RoundTrips_RandomBytes()
    {
        Gen.Byte.Array[0, 600].Sample(data => Tiny.DecompressBytes(Tiny.CompressBytes(data)).AsSpan().SequenceEqual(data), iter: 40);
    }

    [Fact]
    public void Order3_RoundTrips_StructuredInputs()
    {
        // Repeats of a short random word, runs of one byte, and mixtures: the shapes a model locks onto.
        var gen = Gen.Select(Gen.Byte.Array[1, 12], Gen.Int[0, 80], Gen.Byte, Gen.Int[0, 300])
            .Select((word, repeats, run, runLength) =>
                Enumerable.Repeat(word, repeats).SelectMany(w => w).Concat(Enumerable.Repeat(run, runLength)).ToArray());
        gen.Sample(data => Tiny.DecompressBytes(Tiny.CompressBytes(data)).AsSpan().SequenceEqual(data), iter: 40);
    }

    [Fact]
    public void Order3_IdealBits_NeverExceedStoredSizeByMuch()
    {
        // Payload ≤ input + container overhead (stored blocks), whatever the input.
        Gen.Byte.Array[0, 600].Sample(data => Tiny.CompressBytes(data).Length <= Tiny.GetMaxCompressedLength(data.Length), iter: 40);
    }

    [Fact]
    public void Panel_RoundTrips_RandomBytes()
    {
        var panel = StandardPanel.Create().Where(c => c.Name is "deflate" or "gzip" or "bzip2" or "lzma" or "brotli").ToList();
        Gen.Byte.Array[0, 400].Sample(data => panel.All(c => c.DecompressBytes(c.CompressBytes(data)).AsSpan().SequenceEqual(data)), iter: 15);
    }

    [Fact]
    public void DeflateScanner_FindsTheExactEnd_OfAnyStream()
    {
        var deflate = new DeflateCodec();
        Gen.Byte.Array[0, 3000].Sample(data =>
        {
            var packed = deflate.CompressBytes(data);
            return DeflateScanner.FindEnd([.. packed, 0xAB, 0xCD]) == packed.Length;
        }, iter: 30);
    }
}
