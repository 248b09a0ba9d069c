using System.IO.Compression;
using Kolmo.Vision;

namespace Kolmo.Tests.Vision;

public class IdxTests
{
    [Fact]
    public void ReadLabelled_Sample_HasKnownShapeLabelsAndPixels()
    {
        var set = VisionTestData.Sample();
        Assert.Equal(100, set.Count);
        Assert.Equal(28, set.Rows);
        Assert.Equal(28, set.Cols);
        // first MNIST test labels, as published: 7 2 1 0 4 1 4 9 5 9
        Assert.Equal(new byte[] { 7, 2, 1, 0, 4, 1, 4, 9, 5, 9 }, set.Labels![..10]);
        Assert.Equal(new[] { 8, 14, 8, 11, 14, 7, 10, 15, 2, 11 }, Enumerable.Range(0, 10).Select(c => set.Labels.Count(l => l == c)));
        // the corners of an MNIST digit are background
        Assert.Equal(0, set.Image(0)[0]);
        Assert.Equal(255, set.Pixels.Max());
    }

    [Fact]
    public void WriteThenRead_RawAndGzip_RoundTrip()
    {
        var rng = new Random(3);
        var pixels = new byte[5 * 3 * 4];
        rng.NextBytes(pixels);
        var labels = new byte[] { 1, 0, 4, 2, 9 };
        var set = new ImageSet(5, 3, 4, pixels, labels);
        var raw = new MemoryStream();
        Idx.WriteImages(raw, set);
        Assert.Equal(16 + pixels.Length, raw.Length);
        var back = Idx.ReadImages(new MemoryStream(raw.ToArray()));
        Assert.Equal((5, 3, 4), (back.Count, back.Rows, back.Cols));
        Assert.Equal(pixels, back.Pixels);

        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true))
        {
            Idx.WriteLabels(z, labels);
        }
        Assert.Equal(labels, Idx.ReadLabels(new MemoryStream(gz.ToArray())));
    }

    private static byte[] ValidImages() => [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [InlineData(new byte[] { }, "truncated IDX header")]
    [InlineData(new byte[] { 0, 0, 8 }, "truncated IDX header at offset 3")]
    [InlineData(new byte[] { 0x50, 0x4B, 3, 4, 0, 0, 0, 0 }, "not an IDX file")]
    [InlineData(new byte[] { 0, 0, 0x0D, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0 }, "element type 0x0D")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 1, 5 }, "expected an image file")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2 }, "truncated IDX header at offset 12")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 2, 0, 0, 0, 2 }, "negative dimension")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 2 }, "exceed")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3 }, "data ends at offset 19")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, "unexpected bytes after")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2 }, "is empty")]
    public void ReadImages_CorruptHeader_ThrowsInvalidDataWithReason(byte[] bytes, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(new MemoryStream(bytes), "x.idx"));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("x.idx: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ReadImages_ValidMinimalFile_Parses()
    {
        var set = Idx.ReadImages(new MemoryStream(ValidImages()));
        Assert.Equal(new byte[] { 5, 6, 7, 8 }, set.Image(1).ToArray());
    }

    [Fact]
    public void ReadImages_CorruptGzip_ThrowsInvalidData()
    {
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(ValidImages());
        }
        var bytes = gz.ToArray();
        // truncated gzip stream: the IDX data ends early
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(new MemoryStream(bytes[..12]), "t.gz"));
        Assert.StartsWith("t.gz: ", e.Message, StringComparison.Ordinal);
        // garbage after the gzip magic
        var garbage = new byte[] { 0x1F, 0x8B, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0 };
        Assert.Throws<InvalidDataException>(() => Idx.ReadImages(new MemoryStream(garbage), "g.gz"));
    }

    [Fact]
    public void ReadLabelled_CountMismatch_ThrowsInvalidData()
    {
        string dir = Path.Combine(Path.GetTempPath(), "kolmo-idx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string labels = Path.Combine(dir, "l");
            using (var f = File.Create(labels))
            {
                Idx.WriteLabels(f, new byte[7]);
            }
            var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabelled(VisionTestData.ImagesPath, labels));
            Assert.Contains("7 labels", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Downsample_AveragesBlocksWithRounding()
    {
        var set = new ImageSet(1, 2, 4, [0, 1, 10, 20, 2, 2, 30, 41]);
        var d = set.Downsample(2);
        Assert.Equal((1, 2), (d.Rows, d.Cols));
        Assert.Equal(new byte[] { 1, 25 }, d.Pixels);   // (0+1+2+2)/4 = 1.25 → 1; (10+20+30+41)/4 = 25.25 → 25
        Assert.Throws<ArgumentException>(() => set.Downsample(3));
        var mnist = VisionTestData.Sample().Downsample(2);
        Assert.Equal((100, 14, 14), (mnist.Count, mnist.Rows, mnist.Cols));
        Assert.Equal(VisionTestData.Sample().Labels, mnist.Labels);
    }
}
