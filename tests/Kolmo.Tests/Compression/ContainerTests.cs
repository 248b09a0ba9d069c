using System.Buffers.Binary;
using System.IO.Hashing;
using Kolmo.Compression;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Compression;

/// <summary>The .kolmo container: layout as specified in docs/FORMAT.md, and the decoder's validation of every field.</summary>
public class ContainerTests
{
    private static readonly ModelCompressor Small = new("order3", level: 1, blockSize: 64);
    private static readonly byte[] Input = TestFiles.Text(150, 4);   // 3 blocks: 64 + 64 + 22
    private static readonly byte[] Packed = Small.CompressBytes(Input);

    private static InvalidDataException Corrupt(byte[] file) =>
        Assert.Throws<InvalidDataException>(() => ModelCompressor.Decompress(new MemoryStream(file), new MemoryStream(), null));

    private static byte[] Patched(int offset, byte value)
    {
        var b = (byte[])Packed.Clone();
        b[offset] = value;
        return b;
    }

    /// <summary>Re-signs the header after a deliberate change, so the field check (not the checksum) must catch it.</summary>
    private static byte[] Resigned(byte[] file)
    {
        int n = KolmoContainer.HeaderFixedBytes + file[12];
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(n), XxHash32.HashToUInt32(file.AsSpan(0, n)));
        return file;
    }

    [Fact]
    public void Layout_MatchesFormatDocument()
    {
        Assert.Equal("KOLM"u8.ToArray(), Packed[..4]);
        Assert.Equal(1, Packed[4]);                    // version
        Assert.Equal(0, Packed[5]);                    // flags
        Assert.Equal((byte)ModelId.Order3, Packed[6]);
        Assert.Equal(1, Packed[7]);                    // level
        Assert.Equal(64u, BinaryPrimitives.ReadUInt32LittleEndian(Packed.AsSpan(8)));
        Assert.Equal(1, Packed[12]);                   // one parameter byte
        Assert.Equal(15, Packed[13]);                  // order3 level 1: 2^15 slots
        Assert.Equal(XxHash32.HashToUInt32(Packed.AsSpan(0, 14)), BinaryPrimitives.ReadUInt32LittleEndian(Packed.AsSpan(14)));
        var summary = KolmoContainer.Inspect(new MemoryStream(Packed));
        Assert.Equal(3, summary.Blocks);
        Assert.Equal(150, summary.OriginalLength);
        Assert.Equal(XxHash64.HashToUInt64(Input), summary.Checksum);
        Assert.Equal(Packed.Length, summary.FileLength);
        Assert.Equal(KolmoContainer.BlockEnd, Packed[^17]);
        Assert.Equal(150ul, BinaryPrimitives.ReadUInt64LittleEndian(Packed.AsSpan(Packed.Length - 16)));
        Assert.Equal(18 + 3 * 9 + summary.PayloadBytes + 17, Packed.Length);
        Assert.True(Packed.Length <= Small.GetMaxCompressedLength(Input.Length));
    }

    [Fact]
    public void Decompress_WrongMagic_NamesOffset()
    {
        Assert.Contains("wrong magic at offset 0", Corrupt(Patched(0, (byte)'X')).Message);
        Assert.Contains("empty", Corrupt([]).Message);
    }

    [Fact]
    public void Decompress_EveryHeaderField_IsValidated()
    {
        Assert.Contains("version 3 at offset 4", Corrupt(Resigned(Patched(4, 3))).Message);
        Assert.Contains("reserved flag bits", Corrupt(Resigned(Patched(5, 0x80))).Message);
        Assert.Contains("unknown model id 200 at offset 6", Corrupt(Resigned(Patched(6, 200))).Message);
        Assert.Contains("invalid level 0 at offset 7", Corrupt(Resigned(Patched(7, 0))).Message);
        Assert.Contains("invalid level 10", Corrupt(Resigned(Patched(7, 10))).Message);
        Assert.Contains("invalid block size 0 at offset 8", Corrupt(ZeroBlockSize()).Message);
        Assert.Contains("invalid model parameters", Corrupt(Resigned(Patched(13, 99))).Message);
        Assert.Contains("header checksum mismatch at offset 14", Corrupt(Patched(13, 16)).Message);
    }

    private static byte[] ZeroBlockSize()
    {
        var b = (byte[])Packed.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), 0);
        return Resigned(b);
    }

    [Fact]
    public void Decompress_BlockAndTrailerFields_AreValidated()
    {
        const int firstBlock = 18;
        Assert.Contains("reserved block type 0x07 at offset 18", Corrupt(Patched(firstBlock, 7)).Message);
        var big = (byte[])Packed.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(big.AsSpan(firstBlock + 1), 65);
        Assert.Contains("invalid block raw length 65 at offset 19", Corrupt(big).Message);
        var payload = (byte[])Packed.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(firstBlock + 5), 64);
        Assert.Contains("invalid block payload length 64 at offset 23", Corrupt(payload).Message);
        var shortFirst = (byte[])Packed.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(shortFirst.AsSpan(firstBlock + 1), 63);
        // the block rule, read without decoding (decoding refuses it too, at the first block's last coded byte)
        Assert.Contains("follows a short block", Assert.Throws<InvalidDataException>(() => KolmoContainer.Inspect(new MemoryStream(shortFirst))).Message);
        Corrupt(shortFirst);
        var length = (byte[])Packed.Clone();
        length[^16] ^= 1;
        Assert.Contains("original length 151", Corrupt(length).Message);
        var hash = (byte[])Packed.Clone();
        hash[^1] ^= 1;
        Assert.Contains("checksum mismatch", Corrupt(hash).Message);
        Assert.Contains("unexpected data after the end", Corrupt([.. Packed, 0]).Message);
    }

    [Fact]
    public void Decompress_EveryTruncation_ThrowsInvalidData()
    {
        for (int keep = 0; keep < Packed.Length; keep++)
        {
            Corrupt(Packed[..keep]);
        }
    }

    [Fact]
    public void Decompress_EverySingleByteChange_ThrowsInvalidData()
    {
        // Header bytes are covered by the header checksum or field checks, block headers by the layout rules,
        // payload bytes by the xxHash64 of the output, the trailer by the length check and the hash itself.
        for (int i = 0; i < Packed.Length; i++)
        {
            foreach (byte mask in new byte[] { 0x01, 0x80 })
            {
                Corrupt(Patched(i, (byte)(Packed[i] ^ mask)));
            }
        }
    }

    [Fact]
    public void Inspect_ValidatesStructureWithoutDecoding()
    {
        Assert.Throws<InvalidDataException>(() => KolmoContainer.Inspect(new MemoryStream(Packed[..^1])));
        Assert.Throws<InvalidDataException>(() => KolmoContainer.Inspect(new MemoryStream(Patched(0, 0))));
        var s = KolmoContainer.Inspect(new TrickleStream(Packed));
        Assert.Equal(Packed.Length, s.FileLength);
    }

    [Fact]
    public void Compress_IncompressibleBlocks_AreStoredAndStillTeachTheModel()
    {
        byte[] data = [.. TestFiles.Random(200, 5), .. TestFiles.Text(200, 6), .. TestFiles.Random(200, 5)];
        var c = new ModelCompressor("order3", level: 1, blockSize: 200);
        var packed = c.CompressBytes(data);
        var s = KolmoContainer.Inspect(new MemoryStream(packed));
        Assert.Equal(3, s.Blocks);
        Assert.True(s.StoredBlocks >= 1, "random block should be stored");
        Assert.True(s.StoredBlocks < 3, "text block should be coded");
        Assert.Equal(data, c.DecompressBytes(packed));
        Assert.True(packed.Length <= c.GetMaxCompressedLength(data.Length));
    }

    [Fact]
    public void Compress_BlockSplit_DoesNotRestartTheModel()
    {
        // The model state runs on across blocks: many small blocks cost only their headers and coder flushes.
        var data = TestFiles.Text(20_000, 7);
        long one = new ModelCompressor("order3", level: 1).CompressBytes(data).Length;
        long many = new ModelCompressor("order3", level: 1, blockSize: 1000).CompressBytes(data).Length;
        Assert.InRange(many - one, 19 * 9, 19 * (9 + 5));
    }

    [Fact]
    public void Constructor_BadArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => new ModelCompressor("nope"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelCompressor("order3", level: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelCompressor("order3", level: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelCompressor("order3", memoryLimitBytes: 1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelCompressor("order3", blockSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelCompressor("order3", blockSize: KolmoContainer.MaxBlockSize + 1));
    }

    [Fact]
    public void MemoryLimit_ShrinksTheModel()
    {
        var full = new ModelCompressor("order3", level: 9);
        var limited = new ModelCompressor("order3", level: 9, memoryLimitBytes: 16 << 20);
        Assert.Equal(23, full.Parameters[0]);
        Assert.True(limited.CreateModel().MemoryBytes <= 16 << 20);
        Assert.True(limited.Parameters[0] < 23);
        var data = TestFiles.Text(3000, 8);
        Assert.Equal(data, limited.DecompressBytes(limited.CompressBytes(data)));
    }
}
