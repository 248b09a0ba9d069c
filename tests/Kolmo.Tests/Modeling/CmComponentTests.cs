using Kolmo.Coding;
using Kolmo.Modeling;

namespace Kolmo.Tests.Modeling;

public unsafe class CmComponentTests
{
    [Fact]
    public void BitHistory_ExactThenCountsWithLastBit()
    {
        Assert.InRange(BitHistory.Count, 200, 256);
        Assert.Equal(0, BitHistory.N0[0] + BitHistory.N1[0]);
        int s = 0;
        foreach (int bit in new[] { 1, 1, 0, 1 })
        {
            s = BitHistory.Next[s * 2 + bit];
        }
        Assert.Equal((1, 3), (BitHistory.N0[s], BitHistory.N1[s])); // exact history 1101
        int t = 0;
        foreach (int bit in new[] { 1, 0, 1, 1 })
        {
            t = BitHistory.Next[t * 2 + bit];
        }
        Assert.NotEqual(s, t); // same counts, different order: different states
        s = BitHistory.Next[s * 2 + 1];
        Assert.Equal((1, 4), (BitHistory.N0[s], BitHistory.N1[s]));
        s = BitHistory.Next[s * 2 + 0];
        Assert.Equal((2, 3), (BitHistory.N0[s], BitHistory.N1[s])); // opposite count 4 > 2 fades to 4/2+1
        for (int i = 0; i < 1000; i++)
        {
            s = BitHistory.Next[s * 2 + (i % 3 == 0 ? 1 : 0)];
            Assert.InRange(s, 1, BitHistory.Count - 1);
        }
        for (int k = 0; k < BitHistory.Count * 2; k++)
        {
            Assert.NotEqual(0, BitHistory.Next[k]); // no transition returns to the empty history
        }
        int run = 0;
        for (int i = 0; i < 100; i++)
        {
            run = BitHistory.Next[run * 2];
        }
        Assert.Equal((40, 0), (BitHistory.N0[run], BitHistory.N1[run])); // a long run saturates at its limit
    }

    [Fact]
    public void StateMap_ConvergesToEmpiricalFrequency()
    {
        var sm = new StateMap(4, limit: 1023);
        var rng = new Random(5);
        int ones = 0;
        const int n = 20000;
        for (int i = 0; i < n; i++)
        {
            sm.P(2);
            int bit = rng.Next(1000) < 300 ? 1 : 0;
            ones += bit;
            sm.Update(bit);
        }
        double expected = ones / (double)n * 4096;
        Assert.InRange(sm.P(2), expected - 60, expected + 60);
        Assert.Equal(2048, sm.P(1)); // untouched contexts stay at 1/2
    }

    [Fact]
    public void Mixer_LowersLossOnLearnableStream()
    {
        // Input 0 carries the truth (stretch of the bit's real probability), input 1 is noise.
        var mixer = new Mixer(2, [1], 1, lr: 6, lr2: 2, initialWeight: 4096);
        var rng = new Random(9);
        double early = 0;
        double late = 0;
        for (int i = 0; i < 20000; i++)
        {
            int p = rng.Next(2) == 0 ? 400 : 3700;
            int bit = rng.Next(4096) < p ? 1 : 0;
            mixer.Add(Logistic.Stretch(p));
            mixer.Add(rng.Next(-2047, 2048));
            mixer.Select(0, 0);
            mixer.SelectFinal(0);
            mixer.Mix();
            int pr = Probability.Clamp(mixer.P12 * 16);
            double cost = Probability.CostBits(bit, pr);
            if (i < 2000)
            {
                early += cost;
            }
            else if (i >= 18000)
            {
                late += cost;
            }
            mixer.Update(bit);
        }
        // Entropy of the source is about 0.47 bits; the mixer must learn to trust input 0 and ignore input 1.
        Assert.True(late < early, $"late {late} early {early}");
        Assert.InRange(late / 2000, 0.40, 0.56);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(1024 + 32)]
    public void MixerKernels_EveryWidthEqualsScalar(int n)
    {
        var rng = new Random(n);
        var x = new short[n];
        var w = new short[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (short)rng.Next(-2047, 2048);
            w[i] = (short)rng.Next(short.MinValue, short.MaxValue + 1);
        }
        fixed (short* xp = x)
        fixed (short* wp = w)
        {
            int reference = MixerKernels.DotScalar(xp, wp, n);
            foreach (var path in new[] { MixerKernels.Path.V128, MixerKernels.Path.V256, MixerKernels.Path.V512 })
            {
                Assert.Equal(reference, MixerKernels.Dot(xp, wp, n, MixerKernels.Resolve(path)));
            }
        }
        foreach (int e in new[] { 32767, -32767, 77, 1 })
        {
            var w1 = (short[])w.Clone();
            fixed (short* xp = x)
            fixed (short* wp = w1)
            {
                MixerKernels.TrainScalar(xp, wp, n, e);
            }
            foreach (var path in new[] { MixerKernels.Path.V128, MixerKernels.Path.V256, MixerKernels.Path.V512 })
            {
                var w2 = (short[])w.Clone();
                fixed (short* xp = x)
                fixed (short* wp = w2)
                {
                    MixerKernels.Train(xp, wp, n, e, MixerKernels.Resolve(path));
                }
                Assert.Equal(w1, w2);
            }
        }
    }

    [Fact]
    public void Apm_RefinesMiscalibratedInput()
    {
        var apm = new Apm(2, rate: 6);
        var rng = new Random(4);
        for (int i = 0; i < 5000; i++)
        {
            apm.P(0, 1); // the input claims 1/2 ...
            apm.Update(rng.Next(10) < 9 ? 1 : 0); // ... but ones come 90% of the time
        }
        int refined = apm.P(0, 1);
        Assert.InRange(refined, (int)(0.85 * 65536), (int)(0.95 * 65536));
        Assert.InRange(apm.P(0, 0), 32000, 33600); // the other context still maps 1/2 to about 1/2
        Assert.InRange(apm.P(2047, 0), 65000, 65535); // the ends stay confident
        Assert.InRange(apm.P(-2047, 0), 0, 535);
    }

    [Fact]
    public void MatchModel_FindsRepeatAndPredictsNextByte()
    {
        var mm = new MatchModel(1 << 16, 1 << 12, 6);
        var block = new byte[300];
        new Random(2).NextBytes(block);
        foreach (byte b in block)
        {
            mm.ByteUpdate(b);
        }
        Assert.Equal(0, mm.Length);
        for (int i = 0; i < 20; i++)
        {
            mm.ByteUpdate(block[i]);
        }
        Assert.True(mm.Length >= 20 - 6, $"length {mm.Length}");
        Assert.Equal(block[20], mm.ExpectedByte);
    }

    [Fact]
    public void HashTable_FindsSameSlotAndSeparatesContexts()
    {
        var t = new HashTable(1 << 12);
        byte* a = t.Find(0x12345678u);
        a[1] = 5;
        Assert.True(a == t.Find(0x12345678u));
        byte* b = t.Find(0xABCDEF01u);
        Assert.True(a != b);
        Assert.Equal(0, b[1]);
    }

    [Fact]
    public void ImageModel_WithoutRecordLength_AddsZeros_WithOneLearnsTheBitAboveItsNeighbours()
    {
        var image = new ImageModel();
        var mixer = new Mixer(ImageModel.Inputs, [1], 1, lr: 4, lr2: 4, initialWeight: 0);
        var buf = new byte[256];
        image.Predict(mixer, buf, 255, 100, 0, 1, 0, 0);
        Assert.Equal(0, image.Selector);
        for (int i = 0; i < ImageModel.Inputs; i++)
        {
            Assert.Equal(0, mixer.Input(i));
        }
        mixer.Mix();
        image.Update(1);   // learns nothing without a record length
        mixer.Update(1);

        // Rows of 16 bytes; the byte above the next one (position 100) is all ones, everything else zero. Each time the
        // first bit of such a byte is a 1, the maps of that neighbourhood learn it.
        buf[100 - 16] = 0xFF;
        for (int k = 0; k < 40; k++)
        {
            image.Predict(mixer, buf, 255, 100, 16, 1, 0, 0);
            Assert.InRange(image.Selector, 1, ImageModel.SelectorContexts - 1);
            mixer.Mix();
            image.Update(1);
            mixer.Update(1);
        }
        image.Predict(mixer, buf, 255, 100, 16, 1, 0, 0);
        for (int i = 0; i < ImageModel.Inputs; i++)
        {
            Assert.True(mixer.Input(i) > 1000, $"input {i}: {mixer.Input(i)}");
        }
        mixer.Mix();
        mixer.Update(1);
        // A different neighbourhood (nothing above) has learned nothing.
        buf[100 - 16] = 0;
        image.Predict(mixer, buf, 255, 100, 16, 1, 0, 0);
        for (int i = 0; i < ImageModel.Inputs; i++)
        {
            Assert.Equal(0, mixer.Input(i));
        }
    }

    /// <summary>The hash <paramref name="context"/> gets after <paramref name="text"/>.</summary>
    private static uint HashAfter(string text, CmContext context)
    {
        var match = new MatchModel(1 << 12, 1 << 8, 6);
        var cs = new ContextState(moreIndirect: true);
        foreach (char ch in text)
        {
            match.ByteUpdate(ch);
            cs.ByteUpdate(ch, match);
        }
        var h = new uint[1];
        cs.Compute([context], h, match);
        return h[0];
    }

    [Fact]
    public void NestingContext_IsBracketDepthInnermostOpenerAndPreviousByte()
    {
        uint open = HashAfter("x(a", CmContext.Nesting);
        Assert.Equal(open, HashAfter("y(z)(a", CmContext.Nesting));   // a closed pair leaves depth and opener as they were
        Assert.NotEqual(open, HashAfter("((a", CmContext.Nesting));    // deeper
        Assert.NotEqual(open, HashAfter("x[a", CmContext.Nesting));    // another opener
        Assert.NotEqual(open, HashAfter("x(b", CmContext.Nesting));    // another previous byte
    }

    [Fact]
    public void DistancesContext_IsDistanceToLastSpaceAndPunctuationAndPreviousByte()
    {
        uint d = HashAfter("ab, cd", CmContext.Distances);
        Assert.Equal(d, HashAfter("xy, cd", CmContext.Distances));     // same distances, same previous byte
        Assert.NotEqual(d, HashAfter("a, bcd", CmContext.Distances));  // farther from the space
        Assert.NotEqual(d, HashAfter("abc cd", CmContext.Distances));  // no punctuation: distance from the start instead
    }
    [Fact]
    public void IndirectContexts_HashWhatFollowedTheLastThreeBytesAndTheCurrentWord()
    {
        uint x = HashAfter("abcX abc", CmContext.Indirect3);
        Assert.Equal(x, HashAfter("qabcX abc", CmContext.Indirect3));   // what came before the three bytes does not count
        Assert.NotEqual(x, HashAfter("abcY abc", CmContext.Indirect3));  // another byte followed them
        uint w = HashAfter("them the", CmContext.IndirectWord);
        Assert.Equal(w, HashAfter("them, the", CmContext.IndirectWord));
        Assert.NotEqual(w, HashAfter("then the", CmContext.IndirectWord));
    }

    [Fact]
    public void SparseAndWordContexts_HashExactlyTheirBytesAndWords()
    {
        Assert.Equal(HashAfter("abcd", CmContext.Sparse14), HashAfter("axyd", CmContext.Sparse14));   // bytes 1 and 4
        Assert.NotEqual(HashAfter("abcd", CmContext.Sparse14), HashAfter("bbcd", CmContext.Sparse14));
        Assert.Equal(HashAfter("the cat", CmContext.WordOrder2), HashAfter("the bat", CmContext.WordOrder2));   // previous word, last two bytes
        Assert.NotEqual(HashAfter("the cat", CmContext.WordOrder2), HashAfter("a cat", CmContext.WordOrder2));
        Assert.Equal(HashAfter("big ca", CmContext.WordPairByte), HashAfter("big, ca", CmContext.WordPairByte));   // both words and the previous byte
        Assert.NotEqual(HashAfter("big ca", CmContext.WordPairByte), HashAfter("bag ca", CmContext.WordPairByte));
    }

    [Fact]
    public void ContextState_ColumnCountsBytesSinceTheLineStart()
    {
        var match = new MatchModel(1 << 12, 1 << 8, 6);
        var cs = new ContextState();
        int[] expected = [1, 2, 0, 1];
        int k = 0;
        foreach (char ch in "ab\nc")
        {
            match.ByteUpdate(ch);
            cs.ByteUpdate(ch, match);
            Assert.Equal(expected[k++], cs.Column);
        }
    }

    [Fact]
    public void CharClass_SortsBytesIntoEightClasses()
    {
        int[] bytes = ['a', 'z', 'A', 'Z', '0', '9', ' ', '\n', '\t', 0, 200, '.', '~'];
        int[] classes = [0, 0, 1, 1, 2, 2, 3, 4, 5, 5, 6, 7, 7];
        Assert.Equal(classes, bytes.Select(CmModel.CharClass).ToArray());
    }

    [Fact]
    public void RunMap_PredictsTheByteThatRepeatedInAContext_AndNothingElsewhere()
    {
        var run = new RunMap(1 << 10, 1);
        const int x = 0b0110_1001;
        uint[] here = [0x1234_5678u], elsewhere = [0x8765_4321u];
        static int Input(RunMap run, int c0, int bp)
        {
            var m = new Mixer(1, [1], 1, lr: 4, lr2: 4, initialWeight: 0);
            run.Predict(m, c0, bp);
            return m.Input(0);
        }
        for (int n = 0; n < 60; n++)
        {
            run.Lookup(here);
            for (int bp = 0, c0 = 1; bp < 8; bp++)
            {
                Input(run, c0, bp);
                int bit = (x >> (7 - bp)) & 1;
                run.Update(bit);
                c0 = (c0 << 1) | bit;
            }
            run.ByteUpdate(x);
        }
        // Past the longest run the map counts (31), every bit of x is predicted with confidence, in its own direction.
        run.Lookup(here);
        for (int bp = 0, c0 = 1; bp < 8; bp++)
        {
            int bit = (x >> (7 - bp)) & 1;
            int input = Input(run, c0, bp);
            Assert.True(bit == 1 ? input > 500 : input < -500, $"bit {bp}: input {input}");
            c0 = (c0 << 1) | bit;
        }
        // A partial byte that left x, and a context that never saw a byte, give 0.
        Assert.Equal(0, Input(run, 0b11, 1));
        run.Lookup(elsewhere);
        Assert.Equal(0, Input(run, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunMap(1000, 1));
    }
}

