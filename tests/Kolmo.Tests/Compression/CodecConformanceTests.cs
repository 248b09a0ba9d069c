using Kolmo.Compression;
using Kolmo.Compression.Panel;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Compression;

/// <summary>
/// One conformance suite run against every codec: the whole standard panel and the model compressors
/// (order3 with one block, and with many small blocks so the multi-block and stored-block paths run).
/// </summary>
public class CodecConformanceTests
{
    public static TheoryData<string> Codecs()
    {
        var data = new TheoryData<string>();
        foreach (var c in StandardPanel.Create())
        {
            data.Add(c.Name);
        }
        foreach (var e in ModelCatalog.All)
        {
            data.Add(e.Name);
            data.Add(e.Name + "/blocks");
        }
        return data;
    }

    internal static ICompressor Create(string name)
    {
        if (name.EndsWith("/blocks", StringComparison.Ordinal))
        {
            return new ModelCompressor(name[..^7], level: 1, blockSize: 700);
        }
        var panel = StandardPanel.Create().FirstOrDefault(c => c.Name == name);
        return panel ?? new ModelCompressor(name, level: 1);
    }

    private static readonly byte[] Sample = [.. TestFiles.Text(6000, 1), .. TestFiles.Random(1500, 2), .. TestFiles.Text(3000, 3)];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> PackedSamples = new();

    /// <summary>Sample compressed once per codec (zstd-22-long costs about a second per call).</summary>
    private static byte[] Packed(string name) => PackedSamples.GetOrAdd(name, n => Create(n).CompressBytes(Sample));

    [Theory]
    [MemberData(nameof(Codecs))]
    public void RoundTrip_MixedInput_GivesInputBack(string name)
    {
        var c = Create(name);
        var packed = Packed(name);
        Assert.True(packed.Length < Sample.Length * 0.6, $"{name}: {packed.Length} bytes");
        Assert.Equal(Sample, c.DecompressBytes(packed));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void RoundTrip_EmptyInput_GivesEmptyBack(string name)
    {
        var c = Create(name);
        var packed = c.CompressBytes([]);
        Assert.NotEmpty(packed);
        Assert.Empty(c.DecompressBytes(packed));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void RoundTrip_OneByte_GivesItBack(string name)
    {
        var c = Create(name);
        foreach (byte b in c is ModelCompressor ? new byte[] { 0, 0x41, 0xFF } : [0x41])
        {
            Assert.Equal(new[] { b }, c.DecompressBytes(c.CompressBytes([b])));
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void RoundTrip_ChunkedStreams_GivesInputBack(string name)
    {
        var c = Create(name);
        var packed = new MemoryStream();
        c.Compress(new TrickleStream(Sample, 5), packed);
        var back = new MemoryStream();
        c.Decompress(new TrickleStream(packed.ToArray(), 6), back);
        Assert.Equal(Sample, back.ToArray());
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decompress_TruncatedInput_ThrowsInvalidData(string name)
    {
        var c = Create(name);
        var packed = Packed(name);
        var notDetected = new List<string>();
        foreach (int keep in new[] { 0, 1, packed.Length / 2, packed.Length - 1 })
        {
            try
            {
                c.DecompressBytes(packed.AsSpan(0, keep));
                notDetected.Add($"{keep}/{packed.Length}: no exception");
            }
            catch (InvalidDataException)
            {
            }
            catch (Exception e)
            {
                notDetected.Add($"{keep}/{packed.Length}: {e.GetType().Name}");
            }
        }
        Assert.True(notDetected.Count == 0, string.Join("; ", notDetected));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decompress_Garbage_ThrowsInvalidData(string name)
    {
        var c = Create(name);
        Assert.Throws<InvalidDataException>(() => c.DecompressBytes(TestFiles.Random(3000, 9)));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void TryCompress_DestinationOneByteShort_ReturnsFalseAndWritesNothing(string name)
    {
        var c = Create(name);
        int size = Packed(name).Length;
        var small = new byte[size - 1];
        Assert.False(c.TryCompress(Sample, small, out int written));
        Assert.Equal(0, written);
        Assert.All(small, b => Assert.Equal(0, b));
        var exact = new byte[size];
        Assert.True(c.TryCompress(Sample, exact, out written));
        Assert.Equal(size, written);
        Assert.Equal(Sample, c.DecompressBytes(exact));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void TryDecompress_DestinationOneByteShort_ReturnsFalse(string name)
    {
        var c = Create(name);
        var packed = Packed(name);
        Assert.False(c.TryDecompress(packed, new byte[Sample.Length - 1], out int written));
        Assert.Equal(0, written);
        var exact = new byte[Sample.Length];
        Assert.True(c.TryDecompress(packed, exact, out written));
        Assert.Equal(Sample.Length, written);
        Assert.Equal(Sample, exact);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void CompressedBits_MatchesOutputSize(string name)
    {
        var c = Create(name);
        double bits = c.CompressedBits(Sample);
        long bytes = Packed(name).Length;
        if (c is ModelCompressor m)
        {
            // Ideal code length: the container adds its header, 9 bytes per block, 17 end bytes and ≤ 5 coder bytes per block.
            long blocks = (Sample.Length + m.BlockSize - 1) / m.BlockSize;
            int header = KolmoContainer.ReadHeader(new ContainerReader(new MemoryStream(Packed(name)))).Length;
            Assert.InRange(bytes * 8.0 - bits, 0, 8.0 * (header + blocks * 14 + 17) + bits * 0.001);
        }
        else
        {
            Assert.Equal(bytes * 8.0, bits);
        }
    }
}
