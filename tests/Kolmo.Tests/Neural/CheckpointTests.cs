using Kolmo.Neural;
using static Kolmo.Tests.Neural.NeuralTestUtil;

namespace Kolmo.Tests.Neural;

public class CheckpointTests
{
    private static byte[] Save(SequenceModel m)
    {
        using var ms = new MemoryStream();
        m.Save(ms);
        return ms.ToArray();
    }

    private static SequenceModel Load(byte[] b) => SequenceModel.Load(new MemoryStream(b));

    [Fact]
    public void Gpt_RoundTrip_SameParametersConfigAndPredictions()
    {
        var m = new Gpt(new GptConfig(19, 7, 2, 8, 2, Causal: false), 3) { StepsTrained = 42 };
        var back = Assert.IsType<Gpt>(Load(Save(m)));
        Assert.Equal(m.Config, back.Config);
        Assert.Equal(42, back.StepsTrained);
        AssertBitsEqual(m.Parameters.Values, back.Parameters.Values);
        int[] x = RandomSymbols(7, 19, 1);
        m.Forward(x, default, 1, 7);
        back.Forward(x, default, 1, 7);
        AssertBitsEqual(m.Probabilities(0, 6), back.Probabilities(0, 6));
    }

    [Fact]
    public void Lstm_RoundTrip()
    {
        var m = new Lstm(new LstmConfig(11, 5, 2, 6), 3);
        var back = Assert.IsType<Lstm>(Load(Save(m)));
        Assert.Equal(m.Config, back.Config);
        AssertBitsEqual(m.Parameters.Values, back.Parameters.Values);
        Assert.Equal(Save(m), Save(back));
    }

    [Fact]
    public void Header_HasDocumentedLayout()
    {
        byte[] b = Save(new Lstm(new LstmConfig(11, 5, 1, 6), 3));
        Assert.Equal("KOLMONN1"u8.ToArray(), b[..8]);
        Assert.Equal(1, BitConverter.ToUInt16(b, 8));   // version
        Assert.Equal(2, BitConverter.ToUInt16(b, 10));  // kind lstm
        Assert.Equal(4, BitConverter.ToUInt16(b, 12));  // 4 config ints
        Assert.Equal(11, BitConverter.ToInt32(b, 14));
        Assert.Equal(5, BitConverter.ToInt32(b, 18));
        ulong hash = System.IO.Hashing.XxHash64.HashToUInt64(b.AsSpan(0, b.Length - 8));
        Assert.Equal(hash, BitConverter.ToUInt64(b, b.Length - 8));
    }

    [Fact]
    public void Corrupt_Truncated_Garbage_RejectedWithInvalidData()
    {
        byte[] good = Save(new Gpt(new GptConfig(13, 4, 1, 4, 2), 1));
        for (int pos = 0; pos < good.Length; pos += Math.Max(1, good.Length / 40))
        {
            byte[] bad = (byte[])good.Clone();
            bad[pos] ^= 0x10;
            Assert.Throws<InvalidDataException>(() => Load(bad));
        }
        foreach (int len in new[] { 0, 5, 8, 20, good.Length / 2, good.Length - 1 })
        {
            var ex = Assert.Throws<InvalidDataException>(() => Load(good[..len]));
            Assert.DoesNotContain("\n", ex.Message);
        }
        Assert.Throws<InvalidDataException>(() => Load(RandomSymbols(500, 256, 1).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void ValidChecksum_ButInconsistentTable_Rejected()
    {
        byte[] b = Save(new Lstm(new LstmConfig(11, 5, 1, 6), 3));
        b[14] = 12;    // vocabulary 11 → 12: the tensor table no longer matches
        ulong hash = System.IO.Hashing.XxHash64.HashToUInt64(b.AsSpan(0, b.Length - 8));
        BitConverter.TryWriteBytes(b.AsSpan(b.Length - 8), hash);
        var ex = Assert.Throws<InvalidDataException>(() => Load(b));
        Assert.Contains("does not match", ex.Message);
        b[8] = 9;      // version 9
        hash = System.IO.Hashing.XxHash64.HashToUInt64(b.AsSpan(0, b.Length - 8));
        BitConverter.TryWriteBytes(b.AsSpan(b.Length - 8), hash);
        Assert.Contains("version", Assert.Throws<InvalidDataException>(() => Load(b)).Message);
    }
}
