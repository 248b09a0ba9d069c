using System.Buffers.Binary;
using Kolmo.Compression;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Compression;

/// <summary>
/// Container version 2: segments coded and decoded on several threads (output independent of the thread count), cold
/// or warmed up with the input's head, the x86 branch transform, and decoding that stays bounded by the bytes present.
/// </summary>
public sealed class SegmentTests
{
    /// <summary>Text, then random bytes, then x86-like code: 96 KiB.</summary>
    private static byte[] Mixed()
    {
        var data = new byte[96 << 10];
        TestFiles.Text(40 << 10, 3).CopyTo(data, 0);
        TestFiles.Random(16 << 10, 4).CopyTo(data, 40 << 10);
        X86Like(40 << 10, 5).CopyTo(data, 56 << 10);
        return data;
    }

    /// <summary>Bytes with a near CALL/JMP (E8/E9 + 3 bytes + 00/FF) every 6–40 bytes, targets repeating.</summary>
    private static byte[] X86Like(int length, int seed)
    {
        var rng = new Random(seed);
        var data = new byte[length];
        rng.NextBytes(data);
        int[] targets = [.. Enumerable.Range(0, 40).Select(_ => rng.Next(1 << 20))];
        for (int i = 0; i + 5 <= length; i += rng.Next(6, 40))
        {
            data[i] = (byte)(rng.Next(2) == 0 ? 0xE8 : 0xE9);
            int rel = (targets[rng.Next(targets.Length)] - i - 5) & 0xFFFFFF;
            data[i + 1] = (byte)rel;
            data[i + 2] = (byte)(rel >> 8);
            data[i + 3] = (byte)(rel >> 16);
            data[i + 4] = (byte)(rng.Next(2) == 0 ? 0x00 : 0xFF);
        }
        return data;
    }

    private static byte[] Decode(byte[] packed, int threads)
    {
        var output = new MemoryStream();
        Assert.Equal(1, ModelCompressor.Decompress(new MemoryStream(packed), output, null, threads: threads));
        return output.ToArray();
    }

    [Theory]
    [InlineData("order3", 3, 0)]
    [InlineData("cm", 1, 0)]
    [InlineData("order3", 3, -1)]
    [InlineData("cm", 1, -1)]
    [InlineData("cm", 1, 20_000)]
    public void Segments_SameBytesForAnyThreadCount_AndDecodeOnAnyThreadCount(string model, int level, int warmup)
    {
        var data = Mixed();
        var baseCompressor = new ModelCompressor(model, level, model == "cm" ? 12L << 20 : null, blockSize: 10_000);
        byte[]? reference = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var packed = baseCompressor.WithSegments(32 << 10, threads, x86: false, warmup: warmup < 0 ? null : warmup).CompressBytes(data);
            reference ??= packed;
            Assert.Equal(reference, packed);
        }
        var header = KolmoContainer.Inspect(new MemoryStream(reference!)).Header;
        Assert.Equal(KolmoContainer.SegmentedVersion, header.Version);
        Assert.Equal(32 << 10, header.SegmentSize);
        Assert.Equal(warmup < 0 ? 4 << 10 : warmup, header.SegmentWarmup);   // automatic: an eighth of the segment
        Assert.False(header.X86);
        foreach (int threads in new[] { 1, 2, 5 })
        {
            Assert.Equal(data, Decode(reference!, threads));
        }

        // The second segment's blocks are those of that segment compressed alone by a model that has first learned
        // the input's head (cold: nothing).
        var head = new DataPrior(data.AsSpan(0, (int)header.SegmentWarmup));
        var alone = (header.SegmentWarmup == 0 ? baseCompressor : new ModelCompressor(model, level, model == "cm" ? 12L << 20 : null, blockSize: 10_000, prior: head))
            .CompressBytes(data.AsSpan(32 << 10, 32 << 10));
        int aloneHeader = KolmoContainer.Inspect(new MemoryStream(alone)).Header.Length;
        var aloneBlocks = alone.AsSpan(aloneHeader, alone.Length - aloneHeader - KolmoContainer.EndBytes);
        Assert.True(reference.AsSpan().IndexOf(aloneBlocks) > 0);
        var whole = baseCompressor.CompressBytes(data);
        Assert.Equal(KolmoContainer.Version, KolmoContainer.Inspect(new MemoryStream(whole)).Header.Version);
    }

    [Theory]
    [InlineData("cm", 2)]
    [InlineData("order3", 6)]
    public void WarmSegments_CodeTextSmallerThanColdOnes(string model, int level)
    {
        var data = TestFiles.Canterbury("alice29.txt").AsSpan(0, 120_000).ToArray();
        var c = new ModelCompressor(model, level, model == "cm" ? 12L << 20 : null);
        int cold = c.WithSegments(40_000, 2, warmup: 0).CompressBytes(data).Length;
        int warm = c.WithSegments(40_000, 2, warmup: 10_000).CompressBytes(data).Length;
        Assert.True(warm < cold * 0.98, $"warm {warm} bytes, cold {cold}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task WarmSegments_DamagedFirstSegment_IsRefusedWithoutWaitingForever(int threads)
    {
        var data = TestFiles.Text(30_000, 8);
        var packed = new ModelCompressor("cm", 1, 12L << 20, blockSize: 4000).WithSegments(10_000, 2, warmup: 6000).CompressBytes(data);
        int at = KolmoContainer.Inspect(new MemoryStream(packed)).Header.Length;
        var bad = (byte[])packed.Clone();
        bad[at + KolmoContainer.BlockHeaderBytes + 10] ^= 0x40;   // the first block's payload: the head decodes wrong
        var decode = Task.Run(() => ModelCompressor.Decompress(new MemoryStream(bad), Stream.Null, null, threads: threads));
        Assert.True(await Task.WhenAny(decode, Task.Delay(TimeSpan.FromMinutes(2))) == decode, "the decoder finished");
        Assert.IsType<InvalidDataException>(decode.Exception?.InnerException);
        Assert.Equal(data, Decode(packed, threads));
    }

    [Fact]
    public void WarmupField_OutOfRange_IsRefused()
    {
        var packed = new ModelCompressor("order3", 1, blockSize: 1000).WithSegments(1500, 1, warmup: 700).CompressBytes(TestFiles.Text(4000, 3));
        var header = KolmoContainer.Inspect(new MemoryStream(packed)).Header;
        Assert.Equal(700, header.SegmentWarmup);
        int field = header.Length - 8;   // the warm-up u32, then the header checksum
        Assert.Equal(700u, BinaryPrimitives.ReadUInt32LittleEndian(packed.AsSpan(field)));
        foreach (uint value in new uint[] { 0, 1501 })
        {
            var bad = (byte[])packed.Clone();
            BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(field), value);
            BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(field + 4), System.IO.Hashing.XxHash32.HashToUInt32(bad.AsSpan(0, field + 4)));
            var e = Assert.Throws<InvalidDataException>(() => ModelCompressor.Decompress(new MemoryStream(bad), Stream.Null, null));
            Assert.Equal($"invalid warm-up length {value} at offset {field} (expected 1-1500: at most the segment size and 1 GiB)", e.Message);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelCompressor("cm", 1).WithSegments(5000, 1, warmup: -1));
        Assert.Equal(5000, new ModelCompressor("cm", 1).WithSegments(5000, 1, warmup: 9000).SegmentWarmupFor(5000));   // at most the segment
    }

    [Fact]
    public void AutomaticSegments_FollowThreadsAndLength()
    {
        var c = new ModelCompressor("cm", 1).WithSegments(null, 4);
        Assert.Equal(0, c.SegmentSizeFor(3 << 20));                        // shorter than the smallest segment: one
        Assert.Equal(ModelCompressor.MinAutoSegmentSize, c.SegmentSizeFor(10 << 20));
        Assert.Equal(512 << 10, c.SegmentWarmupFor(ModelCompressor.MinAutoSegmentSize));   // an eighth
        // A quarter of the input and of one warm-up (1 MiB), rounded up to 64 KiB: the first segment learns no head.
        Assert.Equal((25L << 20) + (256 << 10), c.SegmentSizeFor(100L << 20));
        Assert.Equal((25L << 20) + (256 << 10), c.SegmentSizeFor((100L << 20) - 5));
        Assert.Equal((25L << 20) + (320 << 10), c.SegmentSizeFor((100L << 20) + 5));
        Assert.Equal(ModelCompressor.MaxAutoWarmup, c.SegmentWarmupFor(25L << 20));
        Assert.Equal(0, c.SegmentWarmupFor(0));
        Assert.Equal(0, new ModelCompressor("cm", 1).WithSegments(null, 4, warmup: 0).SegmentWarmupFor(25L << 20));
        Assert.Equal(25L << 20, new ModelCompressor("cm", 1).WithSegments(null, 4, warmup: 0).SegmentSizeFor(100L << 20));
        Assert.Equal(ModelCompressor.StreamSegmentSize, c.SegmentSizeFor(-1));
        Assert.Equal(0, new ModelCompressor("cm", 1).WithSegments(null, 1).SegmentSizeFor(100L << 20));
        Assert.Equal(0, new ModelCompressor("nn", 1).WithSegments(null, 4).SegmentSizeFor(100L << 20));
        Assert.Equal(5000, new ModelCompressor("cm", 1).WithSegments(5000, 1).SegmentSizeFor(100L << 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelCompressor("cm", 1).WithSegments(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelCompressor("cm", 1).WithSegments(null, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelCompressor("cm", 1).WithSegments(null, 257));
    }

    [Fact]
    public void X86Scan_InPieces_EqualsApplyOnTheWholeBlock_AndDecodeUndoesEncode()
    {
        var data = X86Like(5000, 9);
        var whole = (byte[])data.Clone();
        X86Filter.Apply(whole, 777, encode: true);
        Assert.NotEqual(data, whole);
        var rng = new Random(10);
        for (int trial = 0; trial < 50; trial++)
        {
            // Feed the block in random pieces, carrying the undecided tail in front of the next piece.
            var pieces = new List<byte>();
            var buf = new List<byte>();
            long at = 777;
            int pos = 0;
            int lastKept = X86Filter.NoOpcode;
            while (pos < data.Length)
            {
                int n = Math.Min(rng.Next(1, 30), data.Length - pos);
                buf.AddRange(data.AsSpan(pos, n).ToArray());
                pos += n;
                var span = buf.ToArray();
                int ready = X86Filter.Scan(span, at, encode: true, final: pos == data.Length, ref lastKept);
                Assert.InRange(span.Length - ready, 0, X86Filter.Lookahead);
                pieces.AddRange(span.AsSpan(0, ready).ToArray());
                buf = [.. span.AsSpan(ready).ToArray()];
                at += ready;
            }
            Assert.Empty(buf);
            Assert.Equal(whole, pieces.ToArray());
        }
        var back = (byte[])whole.Clone();
        X86Filter.Apply(back, 777, encode: false);
        Assert.Equal(data, back);
        Assert.True(X86Filter.Detect(data));
        Assert.False(X86Filter.Detect(TestFiles.Text(5000, 1)));
    }

    [Fact]
    public void X86Transform_RoundTrips_AcrossDecodeChunks_SequentialAndParallel()
    {
        // 200 KiB blocks: the decoder works in 64 KiB chunks, so operands cross chunk ends.
        var data = X86Like(300 << 10, 11);
        var c = new ModelCompressor("order3", 2, blockSize: 200 << 10);
        var auto = c.CompressBytes(data);
        var header = KolmoContainer.Inspect(new MemoryStream(auto)).Header;
        Assert.Equal(KolmoContainer.Version, header.Version);   // detection is for cm only
        var forced = c.WithSegments(null, 1, x86: true).CompressBytes(data);
        Assert.True(KolmoContainer.Inspect(new MemoryStream(forced)).Header.X86);
        Assert.True(forced.Length < auto.Length, $"transform helps: {forced.Length} vs {auto.Length}");
        Assert.Equal(data, Decode(forced, 1));

        var segmented = c.WithSegments(100 << 10, 2, x86: true).CompressBytes(data);
        Assert.Equal(segmented, c.WithSegments(100 << 10, 1, x86: true).CompressBytes(data));
        Assert.Equal(data, Decode(segmented, 1));
        Assert.Equal(data, Decode(segmented, 3));

        var cm = new ModelCompressor("cm", 1, 12L << 20).CompressBytes(data.AsSpan(0, 20 << 10));
        Assert.True(KolmoContainer.Inspect(new MemoryStream(cm)).Header.X86, "cm detects x86 code by itself");
    }

    private static byte[] SegmentedContainer(int blockSize, long segmentSize, params byte[][] body) => SegmentedContainer(blockSize, segmentSize, 0, body);

    private static byte[] SegmentedContainer(int blockSize, long segmentSize, long warmup, params byte[][] body)
    {
        var ms = new MemoryStream();
        KolmoContainer.WriteHeader(ms, new KolmoHeader(KolmoContainer.SegmentedVersion, ModelId.Order3, 1, blockSize, [10], SegmentSize: segmentSize, SegmentWarmup: warmup));
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
    [InlineData(1)]
    [InlineData(4)]
    public void Segmented_HeadersClaimingLargeBlocks_DoNotAllocateThem(int threads)
    {
        var stored = SegmentedContainer(KolmoContainer.MaxBlockSize, KolmoContainer.MaxBlockSize, BlockHeader(KolmoContainer.BlockStored, KolmoContainer.MaxBlockSize, KolmoContainer.MaxBlockSize), new byte[100]);
        var coded = SegmentedContainer(KolmoContainer.MaxBlockSize, KolmoContainer.MaxBlockSize, BlockHeader(KolmoContainer.BlockCoded, KolmoContainer.MaxBlockSize, KolmoContainer.MaxBlockSize - 1), new byte[100]);
        var warm = SegmentedContainer(KolmoContainer.MaxBlockSize, KolmoContainer.MaxSegmentSize, KolmoContainer.MaxSegmentWarmup, BlockHeader(KolmoContainer.BlockStored, KolmoContainer.MaxBlockSize, KolmoContainer.MaxBlockSize), new byte[100]);
        foreach (var file in new[] { stored, coded, warm })
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<InvalidDataException>(() => ModelCompressor.Decompress(new MemoryStream(file), Stream.Null, null, threads: threads));
            Assert.Contains("truncated input", e.Message);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 8 << 20, $"allocated {allocated} bytes");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Segmented_LayoutErrors_AreRefused(int threads)
    {
        var data = TestFiles.Text(5000, 2);
        var packed = new ModelCompressor("order3", 1, blockSize: 1000).WithSegments(1500, threads).CompressBytes(data);
        // Blocks: 1000, 500 (segment end), 1000, 500, ... A block longer than what is left of its segment is corrupt.
        int at = KolmoContainer.Inspect(new MemoryStream(packed)).Header.Length;
        int payload = BinaryPrimitives.ReadInt32LittleEndian(packed.AsSpan(at + 5));
        int second = at + KolmoContainer.BlockHeaderBytes + payload;
        Assert.Equal(500, BinaryPrimitives.ReadInt32LittleEndian(packed.AsSpan(second + 1)));
        var bad = (byte[])packed.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(second + 1), 501);
        var e = Assert.Throws<InvalidDataException>(() => ModelCompressor.Decompress(new MemoryStream(bad), Stream.Null, null, threads: threads));
        Assert.Contains($"invalid block raw length 501 at offset {second + 1}", e.Message);
        Assert.Contains("500 bytes left in the segment", e.Message);

        var flipped = (byte[])packed.Clone();
        flipped[^20] ^= 0x10;   // inside the last payload
        Assert.Throws<InvalidDataException>(() => ModelCompressor.Decompress(new MemoryStream(flipped), Stream.Null, null, threads: threads));
        Assert.Equal(data, Decode(packed, threads));
    }

    [Fact]
    public void ConcatenatedSegmentedStreams_DecodeInSequence_OnSeveralThreads()
    {
        var a = TestFiles.Text(7000, 6);
        var b = TestFiles.Random(3000, 7);
        var c = new ModelCompressor("order3", 1, blockSize: 1024).WithSegments(2048, 2);
        byte[] both = [.. c.CompressBytes(a), .. new ModelCompressor("order3", 1).CompressBytes(b)];
        var output = new MemoryStream();
        Assert.Equal(2, ModelCompressor.Decompress(new MemoryStream(both), output, null, threads: 3));
        Assert.Equal([.. a, .. b], output.ToArray());
    }
}
