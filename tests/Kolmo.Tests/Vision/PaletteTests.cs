using Kolmo.Vision;

namespace Kolmo.Tests.Vision;

public class PaletteTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(16)]
    [InlineData(256)]
    public void Uniform_LevelsRoundTripAndEndsAreExact(int k)
    {
        var p = Palette.Uniform(k);
        Assert.Equal(k, p.Size);
        Assert.Equal(0, p.Decode(0));
        Assert.Equal(255, p.Decode(k - 1));
        for (int t = 0; t < k; t++)
        {
            Assert.Equal(t, p.Encode(p.Decode(t)));
        }
    }

    [Fact]
    public void Uniform_EncodesToNearestLevel()
    {
        var p = Palette.Uniform(4);   // levels 0, 85, 170, 255
        Assert.Equal(new byte[] { 0, 85, 170, 255 }, p.Levels.ToArray());
        Assert.Equal(0, p.Encode(42));   // |42−0| = 42 < |42−85| = 43
        Assert.Equal(1, p.Encode(43));   // 43 vs 42: nearer to 85
        Assert.Equal(3, p.Encode(250));
    }

    [Fact]
    public void Tokenize_Detokenize_IsExactOnPaletteLevelsAndBoundedOtherwise()
    {
        var set = VisionTestData.Sample().Downsample(2);
        var p = Palette.KMeans(set.Pixels, 8);
        var tokens = p.Tokenize(set);
        Assert.All(tokens, t => Assert.InRange(t, 0, p.Size - 1));
        var back = p.Detokenize(tokens, set.Count, set.Rows, set.Cols);
        // decoding is idempotent: tokenising the decoded image gives the same tokens
        Assert.Equal(tokens, p.Tokenize(back));
        // and each pixel lands on its nearest level
        for (int i = 0; i < set.Pixels.Length; i += 37)
        {
            int err = Math.Abs(back.Pixels[i] - set.Pixels[i]);
            foreach (byte level in p.Levels)
            {
                Assert.True(err <= Math.Abs(level - set.Pixels[i]));
            }
        }
    }

    [Fact]
    public void KMeans_FindsTheClustersOfAThreeLevelImage()
    {
        var pixels = new List<byte>();
        for (int i = 0; i < 300; i++)
        {
            pixels.Add((byte)(i % 3 == 0 ? 10 + i % 5 : i % 3 == 1 ? 128 : 250 - i % 3));
        }
        var p = Palette.KMeans(pixels.ToArray(), 3);
        Assert.Equal(3, p.Size);
        Assert.InRange(p.Decode(0), 10, 14);
        Assert.Equal(128, p.Decode(1));
        Assert.Equal(248, p.Decode(2));
    }

    [Fact]
    public void KMeans_FewerDistinctValuesThanK_IsLossless()
    {
        byte[] pixels = [0, 0, 7, 200, 200, 7];
        var p = Palette.KMeans(pixels, 16);
        Assert.Equal(new byte[] { 0, 7, 200 }, p.Levels.ToArray());
        foreach (byte v in pixels)
        {
            Assert.Equal(v, p.Decode(p.Encode(v)));
        }
    }

    [Fact]
    public void KMeans_IsDeterministicAndSorted()
    {
        var set = VisionTestData.Sample();
        var a = Palette.KMeans(set.Pixels, 16);
        var b = Palette.KMeans(set.Pixels, 16);
        Assert.Equal(a.Levels.ToArray(), b.Levels.ToArray());
        for (int i = 1; i < a.Size; i++)
        {
            Assert.True(a.Levels[i] > a.Levels[i - 1]);
        }
        Assert.True(a.Size >= 12, $"only {a.Size} levels");
    }
}
