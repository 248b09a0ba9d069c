using Kolmo.Coding;
using Kolmo.Compression;
using Kolmo.Compression.Panel;
using Kolmo.Modeling;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Modeling;

public class Order3ModelTests
{
    public static TheoryData<string> CanterburyText() =>
        ["alice29.txt", "asyoulik.txt", "cp.html", "fields.c", "grammar.lsp", "lcet10.txt", "plrabn12.txt", "xargs.1"];

    [Theory]
    [MemberData(nameof(CanterburyText))]
    public void Order3_BeatsGzip9_OnCanterburyTextFile(string name)
    {
        var data = TestFiles.Canterbury(name);
        long ours = new ModelCompressor("order3").CompressBytes(data).Length;   // whole .kolmo file, container included
        long gzip = new GzipCodec().CompressBytes(data).Length;
        Assert.True(ours < gzip, $"{name}: order3 {ours} bytes, gzip -9 {gzip} bytes");
    }

    [Fact]
    public void ArithmeticPayload_IsWithinIdealPlusTenthOfAPercent()
    {
        // ≥ 100 KB through the real model: the coded payload against the model's own −Σ log2 p.
        var data = TestFiles.Canterbury("alice29.txt");
        var c = new ModelCompressor("order3");
        double ideal = c.CompressedBits(data) / 8;
        var s = KolmoContainer.Inspect(new MemoryStream(c.CompressBytes(data)));
        Assert.InRange(s.PayloadBytes, ideal - 1, ideal * 1.001 + 16);
    }

    [Fact]
    public void P_StaysInRange_AndLearnsARepeatedByte()
    {
        var m = new Order3Model(12);
        for (int k = 0; k < 2000; k++)
        {
            for (int i = 7; i >= 0; i--)
            {
                int p = m.P();
                Assert.InRange(p, Probability.Min, Probability.Max);
                m.Update(('a' >> i) & 1);
            }
        }
        double bits = ModelCompressor.CodeLength(m, "aaaaaaaaaa"u8);
        Assert.True(bits < 0.5, $"{bits} bits for 10 more 'a'");
    }

    [Fact]
    public void Prime_EqualsCodingThePrefix()
    {
        var x = TestFiles.Text(3000, 1);
        var y = TestFiles.Text(2000, 2);
        var primed = new Order3Model(12);
        primed.Prime(x);
        var coded = new Order3Model(12);
        ModelCompressor.CodeLength(coded, x);
        Assert.Equal(ModelCompressor.CodeLength(coded, y), ModelCompressor.CodeLength(primed, y));
    }

    [Fact]
    public void Clone_IsADeepCopy()
    {
        var x = TestFiles.Text(3000, 3);
        var y = TestFiles.Text(1000, 4);
        var model = new Order3Model(12);
        model.Prime(x);
        var snapshot = model.Clone();
        var snapshot2 = model.Clone();
        double first = ModelCompressor.CodeLength(model, y);          // changes model, not the clones
        Assert.Equal(first, ModelCompressor.CodeLength(snapshot, y));
        ModelCompressor.CodeLength(model, TestFiles.Random(5000, 5)); // more training on the original
        Assert.Equal(first, ModelCompressor.CodeLength(snapshot2, y));
        Assert.Equal(model.MemoryBytes, snapshot.MemoryBytes);
    }

    [Fact]
    public void ConditionalBits_PrimingOnRelatedDataHelps()
    {
        var c = new ModelCompressor("order3", level: 1);
        var x = TestFiles.Text(4000, 6);
        var y = TestFiles.Text(4000, 7);
        Assert.True(c.CompressedBits(y, x) < c.CompressedBits(y) * 0.9);
        Assert.Equal(c.CompressedBits(y), c.CompressedBits(y, []));
    }

    [Fact]
    public void Levels_MapToTableSizes_AndMemoryIsReported()
    {
        Assert.Equal(15, Order3Model.HashBitsFor(1));
        Assert.Equal(20, Order3Model.HashBitsFor(6));
        Assert.Equal(23, Order3Model.HashBitsFor(9));
        Assert.Equal(Order3Model.MemoryFor(20), new Order3Model(20).MemoryBytes);
        Assert.Equal(4L * (256 + 65536 + 2 * (1 << 20)) + 2L * 65536 * 33 + 4 * 5 * 16, Order3Model.MemoryFor(20));
        Assert.Throws<ArgumentOutOfRangeException>(() => Order3Model.HashBitsFor(5, 1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Order3Model(9));
    }

    [Fact]
    public void Catalog_FindsOrder3ByNameAndId()
    {
        Assert.True(ModelCatalog.TryGet(ModelId.Order3, out var e));
        Assert.Equal("order3", e.Name);
        Assert.Same(e, ModelCatalog.Find("ORDER3"));
        Assert.Throws<ArgumentException>(() => ModelCatalog.Find("zip"));
        Assert.False(ModelCatalog.TryGet((ModelId)200, out _));
        Assert.IsType<Order3Model>(ModelCatalog.Create("order3", 1));
        Assert.Throws<InvalidDataException>(() => e.Create(1, [3]));
    }
}
