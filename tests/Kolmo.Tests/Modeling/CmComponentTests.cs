using Kolmo.Coding;
using Kolmo.Modeling;

namespace Kolmo.Tests.Modeling;

public class CmComponentTests
{
    [Fact]
    public void StateTable_CountsFollowBits()
    {
        Assert.True(StateTable.Count <= 256);
        Assert.Equal(0, StateTable.N0[0] + StateTable.N1[0]);
        int s = 0;
        for (int i = 0; i < 3; i++)
        {
            s = StateTable.Next[s * 2 + 1];
        }
        Assert.Equal((0, 3), (StateTable.N0[s], StateTable.N1[s]));
        s = StateTable.Next[s * 2];
        Assert.Equal((1, 2), (StateTable.N0[s], StateTable.N1[s])); // opposite count 3 > 2 is halved: 3/2+1
        for (int i = 0; i < 1000; i++)
        {
            s = StateTable.Next[s * 2 + (i % 3 == 0 ? 1 : 0)];
            Assert.InRange(s, 0, StateTable.Count - 1);
        }
        for (int t = 0; t < StateTable.Count * 2; t++)
        {
            Assert.NotEqual(0, StateTable.Next[t]); // no transition returns to the empty history
        }
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
        var mixer = new Mixer(2, [1], 1);
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
            int pr = Probability.Clamp(mixer.Mix() * 16);
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
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(1024 + 15)]
    public void MixerKernels_SimdEqualsScalar(int n)
    {
        var rng = new Random(n);
        var x = new int[n];
        var w = new int[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = rng.Next(-2047, 2048);
            w[i] = rng.Next(-MixerKernels.WeightLimit, MixerKernels.WeightLimit + 1);
        }
        int reference = MixerKernels.DotScalar(x, w, n);
        Assert.Equal(reference, MixerKernels.Dot(x, w, n, MixerKernels.Path.Auto));
        Assert.Equal(reference, MixerKernels.Dot(x, w, n, MixerKernels.Path.Vector128));
        foreach (int err in new[] { 4095 * 24, -4095 * 24, 77, 0 })
        {
            var w1 = (int[])w.Clone();
            var w2 = (int[])w.Clone();
            var w3 = (int[])w.Clone();
            MixerKernels.TrainScalar(x, w1, n, err);
            MixerKernels.Train(x, w2, n, err, MixerKernels.Path.Auto);
            MixerKernels.Train(x, w3, n, err, MixerKernels.Path.Vector128);
            Assert.Equal(w1, w2);
            Assert.Equal(w1, w3);
        }
    }

    [Fact]
    public void Apm_RefinesMiscalibratedInput()
    {
        var apm = new Apm(2, rate: 6);
        var rng = new Random(4);
        for (int i = 0; i < 5000; i++)
        {
            apm.P(2048, 1); // the input claims 1/2 ...
            apm.Update(rng.Next(10) < 9 ? 1 : 0); // ... but ones come 90% of the time
        }
        int refined = apm.P(2048, 1);
        Assert.InRange(refined, (int)(0.85 * 65536), (int)(0.95 * 65536));
        Assert.InRange(apm.P(2048, 0), 32000, 33600); // the other context still maps 1/2 to about 1/2
    }

    [Fact]
    public void MatchModel_FindsRepeatAndPredictsNextByte()
    {
        var mm = new MatchModel(1 << 16, 1 << 12);
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
        Assert.True(mm.Length >= 20 - MatchModel.MinLen, $"length {mm.Length}");
        Assert.Equal(block[20], mm.ExpectedByte);
    }

    [Fact]
    public void NibbleHashTable_FindsSameSlotAndSeparatesContexts()
    {
        var t = new NibbleHashTable(1 << 12);
        int a = t.Find(0x12345678u);
        t.Table[a + 1] = 5;
        Assert.Equal(a, t.Find(0x12345678u));
        int b = t.Find(0xABCDEF01u);
        Assert.NotEqual(a, b);
        Assert.Equal(0, t.Table[b + 1]);
    }

    [Fact]
    public void RunMap_PredictsTheByteThatKeepsRepeatingInItsContext()
    {
        var run = new RunMap(1 << 10, 1);
        var mixer = new Mixer(1, [1], 1);
        uint[] seen = [0x1234567u];
        const int a = 0x41; // 0100 0001
        for (int rep = 0; rep < 100; rep++)
        {
            run.Lookup(seen);
            int c0 = 1;
            for (int bp = 0; bp < 8; bp++)
            {
                run.Predict(mixer, c0, bp);
                int bit = (a >> (7 - bp)) & 1;
                run.Update(bit);
                mixer.Update(bit);
                c0 = (c0 << 1) | bit;
            }
            run.ByteUpdate(a);
        }
        run.Lookup(seen);
        run.Predict(mixer, 1, 0);
        Assert.True(mixer.Input(0) < -1000, $"first bit of 'A' is 0: {mixer.Input(0)}");
        mixer.Update(0);
        run.Predict(mixer, 0b10, 1);
        Assert.True(mixer.Input(0) > 1000, $"second bit of 'A' is 1: {mixer.Input(0)}");
        mixer.Update(1);
        run.Predict(mixer, 0b11, 1); // the partial byte disagrees with 'A': no opinion
        Assert.Equal(0, mixer.Input(0));
        mixer.Update(1);
        run.Lookup([0x7654321u]); // an unseen context: no opinion
        run.Predict(mixer, 1, 0);
        Assert.Equal(0, mixer.Input(0));
    }
}
