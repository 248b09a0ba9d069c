using CsCheck;
using Kolmo.Coding;
using Kolmo.Modeling;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Modeling;

public class CmTests
{
    private static CmModel Small(int level) => new(new CmOptions { Level = level, MemoryCap = CmOptions.MinimumMemory(level) });

    internal static byte[] SampleText(int n)
    {
        var words = "the quick brown fox jumps over lazy dog and then, 1234 tabs\tor lines\n".Split(' ');
        var rng = new Random(7);
        var sb = new System.Text.StringBuilder();
        while (sb.Length < n)
        {
            sb.Append(words[rng.Next(words.Length)]).Append(' ');
        }
        return System.Text.Encoding.ASCII.GetBytes(sb.ToString(0, n));
    }

    private static byte[] Encode(IByteModel model, ReadOnlySpan<byte> data)
    {
        var ms = new MemoryStream();
        var enc = new ArithmeticEncoder(ms);
        foreach (byte b in data)
        {
            for (int k = 7; k >= 0; k--)
            {
                int bit = (b >> k) & 1;
                enc.Code(bit, model.P());
                model.Update(bit);
            }
        }
        enc.Flush();
        return ms.ToArray();
    }

    private static byte[] Decode(IByteModel model, byte[] code, int length) => Decode(model, new ArithmeticDecoder(code), length);

    private static byte[] Decode(IByteModel model, ArithmeticDecoder dec, int length)
    {
        var output = new byte[length];
        for (int i = 0; i < length; i++)
        {
            int c = 0;
            for (int k = 0; k < 8; k++)
            {
                int bit = dec.Code(0, model.P());
                model.Update(bit);
                c = (c << 1) | bit;
            }
            output[i] = (byte)c;
        }
        return output;
    }

    private static double Bits(IByteModel model, ReadOnlySpan<byte> data)
    {
        var coder = new CountingBitCoder();
        foreach (byte b in data)
        {
            for (int k = 7; k >= 0; k--)
            {
                int bit = (b >> k) & 1;
                coder.Code(bit, model.P());
                model.Update(bit);
            }
        }
        return coder.Bits;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void RoundTrip_EveryLevel_TextAndBinary(int level)
    {
        var rng = new Random(level);
        var data = new byte[3000];
        SampleText(2000).CopyTo(data, 0);
        rng.NextBytes(data.AsSpan(2000, 500));
        for (int i = 2500; i < 3000; i++)
        {
            data[i] = (byte)(i % 7 == 0 ? 255 : i / 40); // a little record structure
        }
        var code = Encode(Small(level), data);
        Assert.True(code.Length < data.Length, $"level {level}: {code.Length} bytes");
        Assert.Equal(data, Decode(Small(level), code, data.Length));
    }

    [Fact]
    public void RoundTrip_Property_ArbitraryBytes()
    {
        Gen.Byte.Array[0, 400].Sample(data =>
        {
            var code = Encode(Small(2), data);
            Assert.Equal(data, Decode(Small(2), code, data.Length));
        }, iter: 25);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(9)]
    public void EncodeAndDecodeLoops_MatchTheSharedCoderStep(int level)
    {
        // The model's own loops (coder state held in locals) against bit = coder.Code(bit, P()); Update(bit): the same
        // bytes, the same decoded data, the same input consumed and the same model state afterwards.
        var data = new byte[5000];
        SampleText(3000).CopyTo(data, 0);
        new Random(level).NextBytes(data.AsSpan(3000, 1000));
        data.AsSpan(4000).Fill(0x41);
        var shared = Encode(Small(level), data);
        var ms = new MemoryStream();
        var enc = new ArithmeticEncoder(ms);
        Small(level).Encode(enc, data);
        enc.Flush();
        Assert.Equal(shared, ms.ToArray());

        var model = Small(level);
        var dec = new ArithmeticDecoder(shared);
        var back = new byte[data.Length];
        model.Decode(dec, back.AsSpan(0, 1234));   // in two calls, as the container decodes in chunks
        model.Decode(dec, back.AsSpan(1234));
        dec.CheckEnd();
        Assert.Equal(data, back);
        Assert.Equal(shared.Length, dec.BytesRead);
        var reference = Small(level);
        Decode(reference, shared, data.Length);
        Assert.Equal(reference.P(), model.P());
    }

    [Fact]
    public void DecodeLoop_CorruptInput_FailsAsTheSharedCoderStep()
    {
        // Truncated or altered code: the model's loop decodes the same bytes as the shared step, and both refuse to read
        // past the padding at the same point, or both end and CheckEnd judges them alike.
        var data = SampleText(3000);
        var code = Encode(Small(6), data);
        var rng = new Random(5);
        for (int trial = 0; trial < 12; trial++)
        {
            var bad = trial < 6 ? code[..(code.Length - 1 - trial * 37)] : (byte[])code.Clone();
            if (trial >= 6)
            {
                bad[rng.Next(bad.Length)] ^= (byte)(1 << rng.Next(8));
            }
            string Outcome(bool ownLoop)
            {
                var dec = new ArithmeticDecoder(bad);
                var model = Small(6);
                var output = new byte[data.Length];
                try
                {
                    if (ownLoop)
                    {
                        model.Decode(dec, output);
                    }
                    else
                    {
                        output = Decode(model, dec, data.Length);
                    }
                    dec.CheckEnd();
                    return "ok " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(output));
                }
                catch (InvalidDataException e)
                {
                    return "invalid: " + e.Message + " at " + dec.BytesRead;
                }
            }
            Assert.Equal(Outcome(false), Outcome(true));
        }
    }

    [Fact]
    public void Model_TextCompressesWell()
    {
        var data = SampleText(20000);
        double bpb = Bits(Small(6), data) / data.Length;
        Assert.InRange(bpb, 0.1, 1.2); // a 14-word vocabulary in random order: about log2(14)/5.6 bits per byte
    }

    [Fact]
    public void Model_RepeatedRandomBlock_SecondCopyAlmostFree()
    {
        var block = new byte[4096];
        new Random(3).NextBytes(block);
        var model = Small(6);
        double first = Bits(model, block);
        double second = Bits(model, block);
        Assert.True(first > 4096 * 7.5, $"random data cannot compress: {first}");
        Assert.True(second < 4096 * 0.25, $"second copy costs {second / 4096:F3} bits/byte");
    }

    /// <summary>Level 9 also clones the run map and the level's extra indirect tables.</summary>
    [Theory]
    [InlineData(6)]
    [InlineData(9)]
    public void Prime_EqualsCoding_AndCloneIsIndependent(int level)
    {
        var x = SampleText(3000);
        var y = System.Text.Encoding.ASCII.GetBytes("over the lazy fox the quick dog jumps");
        var coded = Small(level);
        Bits(coded, x);
        var primed = Small(level);
        primed.Prime(x);
        Assert.Equal(coded.P(), primed.P());

        var clone = primed.Clone();
        double b = Bits(clone, y); // the clone learns y ...
        Assert.Equal(coded.P(), primed.P()); // ... the original does not see it
        double a = Bits(primed, y);
        Assert.Equal(a, b);
        Assert.Equal(Bits(coded, y), a);
    }

    [Theory]
    [InlineData(MixerKernels.Path.Scalar, 1)]
    [InlineData(MixerKernels.Path.Scalar, 7)]
    [InlineData(MixerKernels.Path.Scalar, 9)]
    [InlineData(MixerKernels.Path.V128, 9)]
    [InlineData(MixerKernels.Path.V256, 9)]
    internal void Model_SimdAndScalarKernels_IdenticalPredictions(MixerKernels.Path path, int level)
    {
        var rng = new Random(11);
        var data = new byte[5048];
        SampleText(1500).CopyTo(data, 0);
        rng.NextBytes(data.AsSpan(1500, 1500));
        Bitmap().AsSpan(0, 2048).CopyTo(data.AsSpan(3000));   // the image model's inputs too
        var simd = Small(level);
        var other = Small(level);
        other.KernelPath = path;
        foreach (byte b in data)
        {
            for (int k = 7; k >= 0; k--)
            {
                Assert.Equal(simd.P(), other.P());
                int bit = (b >> k) & 1;
                simd.Update(bit);
                other.Update(bit);
            }
        }
    }

    /// <summary>A one-bit image of 64-byte rows (512 × 64 pixels): discs and a frame.</summary>
    internal static byte[] Bitmap()
    {
        const int w = 512, h = 64;
        var data = new byte[w / 8 * h];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int dx = x % 128 - 64, dy = y - 32;
                bool on = dx * dx + dy * dy <= (20 + x / 128 * 3) * (20 + x / 128 * 3) || x == 3 || y == 2 || x == w - 4;
                if (on)
                {
                    data[y * (w / 8) + x / 8] |= (byte)(0x80 >> (x % 8));
                }
            }
        }
        return data;
    }

    /// <summary>Revision 4's image model codes a one-bit image far better than revision 3, and round-trips it.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(9)]
    public void OneBitImage_Revision4CodesItSmallerThanRevision3_AndRoundTrips(int level) =>
        AssertRevisionCodesSmaller(Bitmap(), level, revision: 4, atMost: 0.9);

    /// <summary>Revision 5's text-structure weight sets (levels 6–9) and, at levels 8–9, its contexts and run map code English text smaller than revision 4, and round-trip it.</summary>
    [Theory]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(9)]
    public void EnglishText_Revision5CodesItSmallerThanRevision4_AndRoundTrips(int level) =>
        AssertRevisionCodesSmaller(TestFiles.Canterbury("alice29.txt").AsSpan(0, 40_000).ToArray(), level, revision: 5, atMost: 0.99);

    /// <summary>
    /// Revision 6's level 1 refines the mix with one APM (c0 × the previous byte's character class) instead of two: it
    /// codes English text and code smaller than revision 5's level 1 with 4 MiB less memory, and round-trips them.
    /// </summary>
    [Fact]
    public void Level1_Revision6_OneApm_CodesSmallerWithLessMemory_AndRoundTrips()
    {
        CmModel Model(int r) => new(new CmOptions { Level = 1, TableBits = 22, Revision = r });
        foreach (var data in new[] { TestFiles.Canterbury("alice29.txt"), TestFiles.Canterbury("fields.c") })
        {
            double before = Bits(Model(5), data);
            double after = Bits(Model(6), data);
            Assert.True(after < before, $"{after / 8:F0} bytes at revision 6 against {before / 8:F0} at revision 5");
            Assert.Equal(data, Decode(Model(6), Encode(Model(6), data), data.Length));
        }
        Assert.Equal(64L * (256 + 65536 - CmModel.ClassApmContexts), Model(5).MemoryBytes - Model(6).MemoryBytes);
    }

    /// <summary>
    /// Revision 7's level 1 hashes five contexts instead of six (order 5 in place of orders 4 and 6): it codes English
    /// text and code within 1.5% of revision 6's level 1, with one state map and one set of slot pointers less, and
    /// round-trips them; levels 2–9 code exactly as in revision 6.
    /// </summary>
    [Fact]
    public void Level1_Revision7_FiveContexts_CodesWithinOnePointFivePercent_AndRoundTrips()
    {
        CmModel Model(int level, int r) => new(new CmOptions { Level = level, TableBits = 22, Revision = r });
        foreach (var data in new[] { TestFiles.Canterbury("alice29.txt"), TestFiles.Canterbury("fields.c") })
        {
            double before = Bits(Model(1, 6), data);
            double after = Bits(Model(1, 7), data);
            Assert.True(after != before && after < 1.015 * before, $"{after / 8:F0} bytes at revision 7 against {before / 8:F0} at revision 6");
            Assert.Equal(data, Decode(Model(1, 7), Encode(Model(1, 7), data), data.Length));
        }
        Assert.Equal(4L * 256 + 4L * sizeof(long), Model(1, 6).MemoryBytes - Model(1, 7).MemoryBytes);
        byte[] text = TestFiles.Canterbury("fields.c");
        Assert.Equal(Encode(Model(2, 6), text), Encode(Model(2, 7), text));
    }

    /// <summary><paramref name="data"/> at <paramref name="level"/> takes at most <paramref name="atMost"/> × the bits of the
    /// revision before <paramref name="revision"/>, and <paramref name="revision"/> round-trips it.</summary>
    private static void AssertRevisionCodesSmaller(byte[] data, int level, int revision, double atMost)
    {
        CmModel Model(int r) => new(new CmOptions { Level = level, MemoryCap = CmOptions.MinimumMemory(level), Revision = r });
        double before = Bits(Model(revision - 1), data);
        double after = Bits(Model(revision), data);
        Assert.True(after < atMost * before, $"level {level}: {after / 8:F0} bytes at revision {revision} against {before / 8:F0} at revision {revision - 1}");
        var code = Encode(Model(revision), data);
        Assert.Equal(data, Decode(Model(revision), code, data.Length));
    }

    [Fact]
    public void ProfileParse_SetsAndAppends_AndRefusesBadPartsWithAMessage()
    {
        var start = CmOptions.Profile(6);
        var p = CmProfile.Parse("ctx+=Sparse14;sel+=WordHash,ColumnPartial;runs=3;lr=10", start);
        Assert.Equal([.. start.Contexts, CmContext.Sparse14], p.Contexts);
        Assert.Equal([.. start.Selectors, CmSelector.WordHash, CmSelector.ColumnPartial], p.Selectors);
        Assert.Equal(3, p.RunContexts);
        Assert.Equal(10, p.MixerRate);
        var q = CmProfile.Parse("ctx=Order2,Word;sel=Byte1;final=OrderBit", start);
        Assert.Equal([CmContext.Order2, CmContext.Word], q.Contexts);
        Assert.Equal([CmSelector.Byte1], q.Selectors);
        Assert.Equal(CmFinalSelector.OrderBit, q.Final);
        foreach (var (bad, named) in new[] { ("sel+=Nope", "Nope"), ("runs=x", "x"), ("runs=-1", "-1"), ("bogus=1", "bogus"), ("ctx=200", "200"), ("lr", "lr") })
        {
            var e = Assert.Throws<FormatException>(() => CmProfile.Parse(bad, start));
            Assert.Contains(named, e.Message);
        }
    }

    [Fact]
    public void Create_DecodesEveryKnownRevision_AndRejectsOthers()
    {
        for (int revision = CmOptions.OldestRevision; revision <= CmOptions.CurrentRevision; revision++)
        {
            var model = Assert.IsType<CmModel>(CmModel.Create(1, [16, (byte)revision]));
            Assert.Equal(revision, model.Options.Revision);
        }
        Assert.Equal(CmOptions.CurrentRevision, CmModel.Configure(1, null)[1]);
        Assert.Throws<InvalidDataException>(() => CmModel.Create(1, [16, 0]));
        Assert.Throws<InvalidDataException>(() => CmModel.Create(1, [16, (byte)(CmOptions.CurrentRevision + 1)]));
        Assert.Throws<InvalidDataException>(() => CmModel.Create(1, [15, (byte)CmOptions.CurrentRevision]));
    }

    [Fact]
    public void Options_LevelsAndMemory()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CmModel(new CmOptions { Level = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CmModel(new CmOptions { Level = 10 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CmOptions { MemoryCap = 1000 }.Sizes());
        for (int level = 1; level <= 9; level++)
        {
            long actual = new CmModel(new CmOptions { Level = level, MemoryCap = CmOptions.MinimumMemory(level) }).MemoryBytes;
            Assert.InRange(actual, CmOptions.MinimumMemory(level) / 2, CmOptions.MinimumMemory(level));
            var (hash, buffer, index) = new CmOptions { Level = level, MemoryCap = 2 * CmOptions.MinimumMemory(level) }.Sizes();
            Assert.True(hash + buffer + 4L * index + CmOptions.FixedBytes(level) <= 2 * CmOptions.MinimumMemory(level));
        }
        long full = new CmModel(new CmOptions { Level = 4 }).MemoryBytes;
        Assert.InRange(full, CmOptions.LevelMemory(4) - CmOptions.FixedBytes(4), CmOptions.LevelMemory(4));
    }
}
