using Kolmo.Compression.Panel;
using Kolmo.Information;
using Kolmo.Modeling;

namespace Kolmo.Tests.Information;

public class CodeLengthTests
{
    private static readonly ModelCodeLength Model = ModelCodeLength.OrderMix(16);

    [Fact]
    public void Model_JointEqualsMarginalPlusConditional_Exactly()
    {
        var x = TestText.Words(3000, 1);
        var y = TestText.Words(2000, 2);
        double joint = Model.JointBits(x, y);
        double sum = Model.Bits(x) + Model.ConditionalBits(y, x);
        Assert.Equal(joint, sum, 6);
        var p = PairInfo.Measure(Model, x, y);
        Assert.Equal(p.MiJoint, p.MiConditional, 6);
    }

    [Fact]
    public void Model_PrimingOnRelatedText_SavesBits_AndOnRandomDoesNot()
    {
        var x = TestText.Words(4000, 3);
        var y = TestText.Words(2000, 4);
        var noise = TestText.Random(16_000, 5);
        double cy = Model.Bits(y);
        Assert.True(Model.ConditionalBits(y, x) < 0.8 * cy);
        // MI(x, random) ≈ 0: priming on text tells nothing about random bytes. (It costs a little: the model must
        // unlearn its trust in text contexts, about a thousand bits, so the estimate is slightly negative.)
        var withNoise = PairInfo.Measure(Model, x, noise);
        Assert.True(Math.Abs(withNoise.MiJoint) < 0.01 * withNoise.BitsY, $"MI {withNoise.MiJoint}");
        Assert.True(withNoise.MiJoint < 1, "no shared information is invented");
    }

    [Fact]
    public void Deflate_MutualInformationWithRandom_IsNearZero()
    {
        var c = new CompressorCodeLength(new DeflateCodec());
        var x = TestText.Words(4000, 6);
        var noise = TestText.Random(4000, 7);
        var p = PairInfo.Measure(c, x, noise);
        // Deflate pays for mixing text and noise in one block (Huffman tables fit neither), so MI is a little negative.
        Assert.True(Math.Abs(p.MiJoint) < 0.1 * p.BitsY, $"MI {p.MiJoint}");
        Assert.True(p.MiJoint < 0.01 * p.BitsY, "no shared information is invented");
        // Concatenation: C(y|x) is exactly C(xy) − C(x), so the two MI estimates agree.
        Assert.Equal(p.MiJoint, p.MiConditional);
    }

    [Fact]
    public void Ncd_OfSelf_IsNearZeroForModel_ButNotForGzip_BeyondItsWindow()
    {
        var x = TestText.Letters(40_000, 8);   // > 32 KiB: gzip cannot see the first copy while coding the second
        double model = Measures.Ncd(Model, x, x);
        double gzip = Measures.Ncd(new CompressorCodeLength(new GzipCodec()), x, x);
        Assert.InRange(model, 0.0, 0.02);
        Assert.True(gzip > 0.9, $"gzip NCD(x,x) = {gzip}");
    }

    [Fact]
    public void Ncd_IsNearlySymmetric_AndSatisfiesTriangle()
    {
        var a = TestText.Words(3000, 10);
        var b = TestText.Words(3000, 11);
        var c = TestText.Letters(3000, 12);
        double ab = Measures.Ncd(Model, a, b), ba = Measures.Ncd(Model, b, a);
        double ac = Measures.Ncd(Model, a, c), bc = Measures.Ncd(Model, b, c);
        Assert.True(Math.Abs(ab - ba) < 0.03, $"{ab} vs {ba}");
        Assert.True(ab < ac && ab < bc, "texts from one vocabulary are nearer each other than to random letters");
        Assert.True(ac <= ab + bc + 0.01);
        Assert.True(ab <= ac + bc + 0.01);
        Assert.InRange(ac, 0.8, 1.1);
    }

    [Fact]
    public void PrimedModel_ScoresRepeatably_AndMatchesCloneAndFreshPriming()
    {
        var x = TestText.Words(5000, 13);
        var y1 = TestText.Words(700, 14);
        var y2 = TestText.Letters(300, 15);
        var primed = Model.Prime(x);
        double first = primed.Bits(y1);
        double other = primed.Bits(y2);
        double again = primed.Bits(y1);
        Assert.Equal(first, again);                              // rollback restored the state bit for bit
        Assert.Equal(Model.ConditionalBits(y1, x), first);       // same as priming from scratch
        Assert.Equal(Model.ConditionalBits(y2, x), other);
        var viaClone = new PrimedModel(new NoCheckpoint(primed.Model.Clone())).Bits(y1);
        Assert.Equal(first, viaClone);
    }

    [Fact]
    public void OrderMix_IsDeterministic_AndCheckpointIsOptional()
    {
        var m1 = new OrderMixModel(12);
        var m2 = new OrderMixModel(12);
        var data = TestText.Words(2000, 16);
        Assert.Equal(ModelCodeLength.Code(m1, data), ModelCodeLength.Code(m2, data));
        Assert.Throws<InvalidOperationException>(() => new OrderMixModel(12).Rollback());
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrderMixModel(9));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrderMixModel(12, [9]));
    }

    [Fact]
    public void Concatenation_ConditionalIsJointMinusMarginal()
    {
        var c = new CompressorCodeLength(new DeflateCodec());
        var x = TestText.Words(2000, 17);
        var y = TestText.Words(2000, 18);
        Assert.Equal(c.JointBits(x, y) - c.Bits(x), c.ConditionalBits(y, x));
        Assert.True(c.JointBits(x, y) <= c.Bits(x) + c.Bits(y));
    }

    [Fact]
    public void Regret_And_KolmogorovBound_PickTheBest()
    {
        Assert.Equal([2.0, 0.0, 1.0], Measures.Regret([3.0, 1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => Measures.Regret([]));
        var panel = new ICodeLength[] { new Fixed("a", 1000, 100), new Fixed("b", 500, 200), new Fixed("c", 2000, 10) };
        var kb = Measures.KolmogorovUpperBound(panel, [1, 2, 3]);
        // a: 1000 + 800 = 1800; b: 500 + 1600 = 2100; c: 2000 + 80 = 2080.
        Assert.Equal("a", kb.Compressor);
        Assert.Equal(1800.0, kb.TotalBits);
        Assert.Equal((1000 / 8.0 + 100) / 3, Measures.AdjustedCompressionRate(1000, 100, 3));
        Assert.True(new DeflateCodec().DecompressorBytes > 0);
    }

    [Fact]
    public void Ncd_Formula_MatchesDefinition()
    {
        Assert.Equal((150.0 - 100) / 120, Measures.Ncd(100, 120, 150));
        Assert.Equal(0.0, Measures.Ncd(0, 0, 0));
        Assert.Equal(30.0, Measures.MutualInformationJoint(100, 80, 150));
        Assert.Equal(20.0, Measures.MutualInformationConditional(80, 60));
    }

    [Fact]
    public void Panel_UnknownName_Throws()
    {
        Assert.Throws<ArgumentException>(() => CodeLengthPanel.Create(["nope"]));
        Assert.Equal(["deflate", "ordermix"], CodeLengthPanel.Create(["deflate", "ordermix"]).Select(c => c.Name));
    }

    private sealed class Fixed(string name, double bits, long dec) : ICodeLength
    {
        public string Name => name;

        public long? WindowBytes => null;

        public long DecompressorBytes => dec;

        public double Bits(ReadOnlySpan<byte> x) => bits;

        public double JointBits(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y) => bits;

        public double ConditionalBits(ReadOnlySpan<byte> y, ReadOnlySpan<byte> x) => 0;
    }

    /// <summary>Hides ICheckpointModel so PrimedModel takes the clone path.</summary>
    private sealed class NoCheckpoint(IByteModel inner) : IByteModel
    {
        public string Name => inner.Name;

        public long MemoryBytes => inner.MemoryBytes;

        public int P() => inner.P();

        public void Update(int bit) => inner.Update(bit);

        public void Prime(ReadOnlySpan<byte> data) => inner.Prime(data);

        public IByteModel Clone() => new NoCheckpoint(inner.Clone());
    }
}
