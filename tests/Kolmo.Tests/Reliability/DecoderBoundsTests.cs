using System.Buffers.Binary;
using Kolmo.Coding;
using Kolmo.Compression;
using Kolmo.Compression.Neural;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Reliability;

/// <summary>
/// A decoder's work and memory are bounded by the bytes it is given, not by what a header claims
/// (docs/FORMAT.md, "Worst case per model").
/// </summary>
public sealed class DecoderBoundsTests
{
    /// <summary>
    /// A long stream is decoded in constant memory: after the first block (which builds the model) each block
    /// allocates a few hundred bytes, not a buffer. (The arithmetic decoder of each block allocated its own 4 KiB read
    /// buffer: 4,248 bytes per 1 MiB block, garbage the GC did not collect for gigabytes, so `kolmo d`'s resident
    /// memory grew by about 4 MiB per GiB in the long-stream soak.)
    /// </summary>
    [Fact]
    public void LongStream_DecodingABlock_AllocatesNoBuffer()
    {
        var data = TestFiles.Text(4 << 20, 21);
        var packed = new MemoryStream();
        new ModelCompressor("order3", 1).Compress(new MemoryStream(data), packed);
        var perBlock = new List<long>();
        long last = GC.GetAllocatedBytesForCurrentThread();
        packed.Position = 0;
        var output = new MemoryStream(data.Length);
        ModelCompressor.Decompress(packed, output, _ =>
        {
            long now = GC.GetAllocatedBytesForCurrentThread();
            perBlock.Add(now - last);
            last = GC.GetAllocatedBytesForCurrentThread();
        });
        Assert.Equal(data, output.ToArray());
        Assert.Equal(4, perBlock.Count);
        Assert.All(perBlock.Skip(1), bytes => Assert.True(bytes < 1024, $"a block allocated {bytes} bytes"));
    }

    /// <summary>A container: header for <paramref name="model"/> with a 64 MiB block size, then <paramref name="body"/>.</summary>
    private static byte[] Container(ModelId model, byte[] parameters, params byte[][] body)
    {
        var ms = new MemoryStream();
        KolmoContainer.WriteHeader(ms, new KolmoHeader(KolmoContainer.Version, model, 1, KolmoContainer.MaxBlockSize, parameters));
        foreach (var b in body)
        {
            ms.Write(b);
        }
        return ms.ToArray();
    }

    private static byte[] BlockHeader(byte type, int raw, int payload)
    {
        var b = new byte[KolmoContainer.BlockHeaderBytes];
        b[0] = type;
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(1), raw);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(5), payload);
        return b;
    }

    [Theory]
    [InlineData(ModelId.Order3, new byte[] { 16 })]
    [InlineData(ModelId.Cm, new byte[] { 16 })]
    public void CodedBlock_ClaimingMegabytesFromAFewBytes_IsRefusedBeforeDecodingThem(ModelId model, byte[] parameters)
    {
        // 64 MiB of output claimed from 4 payload bytes: the old decoder produced it all, then failed on the checksum.
        var file = Container(model, parameters, BlockHeader(KolmoContainer.BlockCoded, KolmoContainer.MaxBlockSize, 4), [0, 0, 0, 0]);
        var output = new MemoryStream();
        var e = Assert.Throws<InvalidDataException>(() => ModelCompressor.Decompress(new MemoryStream(file), output, null));
        Assert.Contains("needs more than its 4 bytes", e.Message);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void Headers_ClaimingLargeBlocks_DoNotAllocateThem()
    {
        // A 64 MiB stored block whose bytes are missing, and a 64 MiB coded block: neither may cost 64 MiB of memory.
        var stored = Container(ModelId.Order3, [10], BlockHeader(KolmoContainer.BlockStored, KolmoContainer.MaxBlockSize, KolmoContainer.MaxBlockSize), new byte[100]);
        var coded = Container(ModelId.Order3, [10], BlockHeader(KolmoContainer.BlockCoded, KolmoContainer.MaxBlockSize, KolmoContainer.MaxBlockSize - 1), new byte[100]);
        foreach (var file in new[] { stored, coded })
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Throws<InvalidDataException>(() => ModelCompressor.Decompress(new MemoryStream(file), Stream.Null, null));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 8 << 20, $"allocated {allocated} bytes");
        }
    }

    [Fact]
    public void CodedBlock_WithBytesTheEncoderDidNotWrite_IsRefused()
    {
        var data = TestFiles.Text(3000, 5);
        var ms = new MemoryStream();
        new ModelCompressor("order3", 1).Compress(new MemoryStream(data), ms);
        var file = ms.ToArray().ToList();
        int at = new KolmoHeader(1, ModelId.Order3, 1, 1, new byte[1]).Length;   // the first block header
        Assert.Equal(KolmoContainer.BlockCoded, file[at]);
        int payload = BinaryPrimitives.ReadInt32LittleEndian(file.ToArray().AsSpan(at + 5));
        file.Insert(at + KolmoContainer.BlockHeaderBytes + payload, 0x55);   // one extra byte at the end of the payload
        var bytes = file.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at + 5), payload + 1);
        var e = Assert.Throws<InvalidDataException>(() => ModelCompressor.Decompress(new MemoryStream(bytes), Stream.Null, null));
        Assert.Contains($"ends after {payload} of its {payload + 1} bytes", e.Message);
    }

    /// <summary>
    /// Between <paramref name="minBits"/> and <paramref name="maxBits"/> − 1 random bits, each drawn with a random
    /// probability and coded with it: the coded bytes, the bits and their probabilities.
    /// </summary>
    private static (byte[] Coded, int[] Bits, int[] Ps) EncodeRandomBits(Random rng, int minBits, int maxBits)
    {
        var ms = new MemoryStream();
        var enc = new ArithmeticEncoder(ms);
        var bits = new int[rng.Next(minBits, maxBits)];
        var ps = new int[bits.Length];
        for (int i = 0; i < bits.Length; i++)
        {
            ps[i] = rng.Next(Probability.Min, Probability.Max + 1);
            bits[i] = rng.Next(Probability.One) < ps[i] ? 1 : 0;
            enc.Code(bits[i], ps[i]);
        }
        enc.Flush();
        return (ms.ToArray(), bits, ps);
    }

    [Fact]
    public void ArithmeticDecoder_ReadsExactlyThreeBytesPastWhatTheEncoderWrote()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 50; trial++)
        {
            var (coded, bits, ps) = EncodeRandomBits(rng, 0, 3000);
            var dec = new ArithmeticDecoder(coded);
            for (int i = 0; i < bits.Length; i++)
            {
                Assert.Equal(bits[i], dec.Code(0, ps[i]));
            }
            dec.CheckEnd();
        }
    }

    [Fact]
    public void ArithmeticDecoder_RefusesEveryOtherLastByte_EvenWhenItDecodesTheSameBits()
    {
        // The last byte the encoder flushes may take other values inside the final interval and still decode the same
        // bits (a bit flip there went unnoticed by the damage sweep); CheckEnd accepts only the encoder's own byte.
        var rng = new Random(11);
        int sameBits = 0;
        for (int trial = 0; trial < 40; trial++)
        {
            var (file, bits, ps) = EncodeRandomBits(rng, 1, 2000);
            for (int v = 0; v < 256; v++)
            {
                var damaged = (byte[])file.Clone();
                damaged[^1] = (byte)v;
                var dec = new ArithmeticDecoder(damaged);
                bool same = true;
                try
                {
                    for (int i = 0; i < bits.Length; i++)
                    {
                        same &= dec.Code(0, ps[i]) == bits[i];
                    }
                }
                catch (InvalidDataException)
                {
                    continue;
                }
                if (v == file[^1])
                {
                    Assert.True(same);
                    dec.CheckEnd();
                    continue;
                }
                if (same)
                {
                    // (different bits are the container checksum's business)
                    sameBits++;
                    Assert.Throws<InvalidDataException>(dec.CheckEnd);
                }
            }
        }
        Assert.True(sameBits > 0, "no other last byte decoded the same bits: the test does not reach the case it is about");
    }

    [Theory]
    [InlineData("container/xargs.1.segments.kolmo")]
    [InlineData("container/xargs.1.kolmo")]
    public void GoldenFile_EveryBitFlipOfABlocksLastPayloadByte_IsRefused(string golden)
    {
        // The damage sweep found flips of bit 0 of byte 500 of xargs.1.segments.kolmo (its first block's last payload
        // byte) decoding to the very same data; each block's last coded byte is now checked (ArithmeticDecoder.CheckEnd).
        byte[] file = File.ReadAllBytes(TestFiles.Path(Path.Combine("tests", "Golden", golden)));
        int at = KolmoContainer.FixedBytes(file[4]) + file[KolmoContainer.FixedBytes(file[4]) - 1] + 4;   // first block
        int blocks = 0;
        while (file[at] != KolmoContainer.BlockEnd)
        {
            int payload = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(at + 5));
            int last = at + 9 + payload - 1;
            for (int bit = 0; bit < 8; bit++)
            {
                var damaged = (byte[])file.Clone();
                damaged[last] ^= (byte)(1 << bit);
                Assert.Throws<InvalidDataException>(() => ModelCompressor.Decompress(new MemoryStream(damaged), new MemoryStream(), null));
            }
            at += 9 + payload;
            blocks++;
        }
        Assert.True(blocks >= 5, $"{golden}: {blocks} blocks");
    }

    [Theory]
    [InlineData("gpt:d=8192,l=64,heads=8,t=8192")]
    [InlineData("lstm:h=8192,l=16,t=8192")]
    [InlineData("online-lstm:h=1024,l=8,t=256")]
    public void NeuralParameters_DescribingAHugeNetwork_AreRefusedWithoutAllocating(string spec)
    {
        var parameters = NeuralModels.Encode(16, [], spec);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ModelCatalog.Get(ModelId.Nn).Create(1, parameters));
        Assert.Contains("more than the limit", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }
}
