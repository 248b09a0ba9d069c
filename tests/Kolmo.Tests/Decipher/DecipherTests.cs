using Kolmo.Decipher;

namespace Kolmo.Tests.Decipher;

/// <summary>One English model for all solver tests (trained once on part of the shipped books).</summary>
public sealed class EnglishFixture
{
    public EnglishFixture()
    {
        string text = EnglishModel.BookText("moby-dick_pg2701.txt") + EnglishModel.BookText("pride-and-prejudice_pg1342.txt");
        Letters = KneserNeyModel.Train(Alphabet.Letters.Normalize(text), Alphabet.Letters, 6);
        Table = ScoreTable.ForModel(Letters);
    }

    public KneserNeyModel Letters { get; }

    public ScoreTable Table { get; }
}

public sealed class NGramModelTests
{
    private static KneserNeyModel SmallModel(int order, Alphabet? alphabet = null)
    {
        alphabet ??= Alphabet.LettersAndSpace;
        string text = string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog and then the dog sleeps ", 20))
            + "a zebra quietly vexed the jumping fox";
        return KneserNeyModel.Train(alphabet.Normalize(text), alphabet, order);
    }

    public static TheoryData<string> Contexts => new() { "", "t", "th", "the", "qzx", "dog", "zzzz", "he qu", "xylophone" };

    [Theory]
    [MemberData(nameof(Contexts))]
    public void Probabilities_SumToOne_OverTheAlphabet(string context)
    {
        foreach (int order in new[] { 1, 3, 5 })
        {
            var m = SmallModel(order);
            byte[] ctx = m.Alphabet.Normalize(context);
            double sum = 0;
            for (int w = 0; w < m.Alphabet.Size; w++)
            {
                double p = m.Probability(ctx, w);
                Assert.True(p > 0, $"P({w}|{context}) = {p}");
                sum += p;
            }
            Assert.Equal(1.0, sum, 12);
        }
    }

    [Fact]
    public void Discounts_AreWithinModifiedKneserNeyRange()
    {
        var m = SmallModel(4);
        for (int k = 1; k <= 4; k++)
        {
            for (int r = 1; r <= 3; r++)
            {
                Assert.InRange(m.Discount(k, r), 0.0, r);
            }
        }
    }

    [Fact]
    public void SeenContinuation_IsMoreLikelyThanUnseen()
    {
        var m = SmallModel(4);
        var a = m.Alphabet;
        byte[] ctx = a.Normalize("qui");
        Assert.True(m.Probability(ctx, a.IndexOf("c")) > 0.5);
        Assert.True(m.Probability(ctx, a.IndexOf("c")) > 100 * m.Probability(ctx, a.IndexOf("z")));
    }

    [Fact]
    public void Bits_EqualsSumOfMinusLog2Probabilities()
    {
        var m = SmallModel(3);
        byte[] t = m.Alphabet.Normalize("the dog");
        double expected = 0;
        for (int i = 0; i < t.Length; i++)
        {
            expected -= Math.Log2(m.Probability(t.AsSpan(Math.Max(0, i - 2), Math.Min(i, 2)), t[i]));
        }
        Assert.Equal(expected, m.Bits(t), 9);
    }

    [Fact]
    public void ScoreTable_MatchesExactModelWithinQuantisation()
    {
        var m = SmallModel(4, Alphabet.Letters);
        var dense = ScoreTable.Build(m, 4);
        var hashed = ScoreTable.BuildHashed(m);
        Assert.True(hashed.IsHashed);
        byte[] t = Alphabet.Letters.Normalize("thequickbrownfoxjumpsoverazebra");
        double exact = m.Bits(t);
        // each symbol is rounded to 1/64 bit: |error| ≤ n/128 bits
        Assert.InRange(dense.Cost(t) / 64.0, exact - t.Length / 128.0, exact + t.Length / 128.0);
        Assert.InRange(hashed.Cost(t) / 64.0, exact - 2 * t.Length / 128.0, exact + 2 * t.Length / 128.0);
    }

    [Fact]
    public void ModelFile_RoundTrips_AndIsStable()
    {
        var m = SmallModel(5);
        var ms = new MemoryStream();
        m.Counts.Save(ms);
        byte[] bytes = ms.ToArray();
        var loaded = NGramCounts.Load(new MemoryStream(bytes));
        Assert.Equal(m.Counts.Order, loaded.Order);
        Assert.Equal(m.Alphabet.Symbols, loaded.Alphabet.Symbols);
        Assert.Equal(m.Counts.Keys.ToArray(), loaded.Keys.ToArray());
        Assert.Equal(m.Counts.Counts.ToArray(), loaded.Counts.ToArray());
        var m2 = KneserNeyModel.Build(loaded);
        byte[] t = m.Alphabet.Normalize("the lazy fox");
        Assert.Equal(m.Bits(t), m2.Bits(t));
        var again = new MemoryStream();
        loaded.Save(again);
        Assert.Equal(bytes, again.ToArray());
    }

    [Fact]
    public void ModelFile_TokenAlphabet_RoundTrips()
    {
        var alphabet = new Alphabet(["12", "7", "x", "héllo"], tokens: true);
        var counts = NGramCounts.Count(alphabet.Normalize("12 7 x 12 7 héllo 12 x x 7"), alphabet, 2);
        var ms = new MemoryStream();
        counts.Save(ms);
        var loaded = NGramCounts.Load(new MemoryStream(ms.ToArray()));
        Assert.True(loaded.Alphabet.IsTokens);
        Assert.Equal(alphabet.Symbols, loaded.Alphabet.Symbols);
        Assert.Equal(counts.Counts.ToArray(), loaded.Counts.ToArray());
    }

    [Fact]
    public void ModelFile_Corrupt_IsRejected()
    {
        var ms = new MemoryStream();
        SmallModel(3).Counts.Save(ms);
        byte[] good = ms.ToArray();
        for (int i = 0; i < good.Length; i += Math.Max(1, good.Length / 37))
        {
            byte[] bad = (byte[])good.Clone();
            bad[i] ^= 0x10;
            Assert.Throws<InvalidDataException>(() => NGramCounts.Load(new MemoryStream(bad)));
        }
        Assert.Throws<InvalidDataException>(() => NGramCounts.Load(new MemoryStream(good[..^1])));
        Assert.Throws<InvalidDataException>(() => NGramCounts.Load(new MemoryStream(good[..10])));
        Assert.Throws<InvalidDataException>(() => NGramCounts.Load(new MemoryStream([])));
        byte[] version = (byte[])good.Clone();
        version[4] = 9;
        var e = Assert.Throws<InvalidDataException>(() => NGramCounts.Load(new MemoryStream(version)));
        Assert.Contains("version", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_LettersAndSpace()
    {
        Assert.Equal("dont stop me now", Alphabet.LettersAndSpace.Render(Alphabet.LettersAndSpace.Normalize("  Don't — STOP! me\n now.")));
        Assert.Equal("dontstopmenow", Alphabet.Letters.Render(Alphabet.Letters.Normalize("Don’t — STOP! me\n now.")));
    }

    [Fact]
    public void Cipher_Parse_CharactersTokensAndSpaces()
    {
        var c = Cipher.Parse("AB A\nC", tokens: false, wordSpaces: false);
        Assert.Equal(new[] { 0, 1, 0, 2 }, c.Text);
        var t = Cipher.Parse("12 7 12\n99 7", tokens: true, wordSpaces: false);
        Assert.Equal(["12", "7", "99"], t.Symbols);
        Assert.Equal(new[] { 0, 1, 0, 2, 1 }, t.Text);
        var s = Cipher.Parse("AB  BA\nC", tokens: false, wordSpaces: true);
        Assert.Equal(new[] { 0, 1, 2, 1, 0, 2, 3 }, s.Text);
        Assert.Equal(2, s.SpaceSymbolId);
        Assert.Throws<InvalidDataException>(() => Cipher.Parse("", false, false));
        Assert.Throws<InvalidDataException>(() => Cipher.Parse(" Q \n", false, false));
    }

    [Fact]
    public void Cipher_ReadAsText_FoldsCaseKeepsPunctuation_AndRendersInItsLayout()
    {
        var c = Cipher.Parse("Wkh, wkh!\n\"WKH\" 3", tokens: false, wordSpaces: false, asText: true);
        Assert.True(c.FoldedCase);
        Assert.Equal(5, c.LiteralCount);                       // , ! " " 3
        Assert.Equal(["W", "K", "H"], c.Symbols);
        Assert.Equal(9, c.Length);
        Assert.Equal("The, the!\n\"THE\" 3", c.Render(i => "the"[i % 3].ToString()));

        var plain = Cipher.Parse("WKH TXLFN", tokens: false, wordSpaces: false, asText: true);   // one case: nothing to fold
        Assert.False(plain.FoldedCase);
        Assert.Equal("abc defgh", plain.Render(i => ((char)('a' + i)).ToString()));

        var symbols = Cipher.Parse("#+% A#+", tokens: false, wordSpaces: false, asText: true);  // mostly symbols: a symbol alphabet
        Assert.Equal(0, symbols.LiteralCount);
        Assert.Equal(4, symbols.SymbolCount);

        var spaced = Cipher.Parse("Wkh  txlfn.\nEuzq", tokens: false, wordSpaces: true, asText: true);
        Assert.Equal("The  quick.\nBrow", spaced.Render(i => "the_quick_brow"[i].ToString()));   // word breaks keep their whitespace
    }

    [Fact]
    public void Cipher_Tokens_RenderOneLinePerRow()
    {
        var t = Cipher.Parse("12 7 12\r\n99 7\n", tokens: true, wordSpaces: false);
        Assert.Equal("aba\ncb", t.Render(i => ((char)('a' + t.Text[i])).ToString()));
    }
}

public sealed class SolverTests(EnglishFixture english) : IClassFixture<EnglishFixture>
{
    // written for this test (not from the training books)
    private const string Sentence =
        "the old lighthouse keeper climbed the narrow stairs every evening to light the great lamp and watch the ships pass safely by";

    private static (Cipher Cipher, byte[] Plain) Encrypt(string plaintext, int seed)
    {
        byte[] plain = Alphabet.Letters.Normalize(plaintext);
        var rng = new Xoshiro256((ulong)seed);
        int[] perm = [.. Enumerable.Range(0, 26)];
        for (int i = 25; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        string cipherText = new([.. plain.Select(p => (char)('A' + perm[p]))]);
        return (Cipher.Parse(cipherText, tokens: false, wordSpaces: false), plain);
    }

    [Fact]
    public void Simple_KnownCipher_SolvedExactly()
    {
        var (cipher, plain) = Encrypt(Sentence, 7);
        var result = new SubstitutionSolver(english.Table).Solve(cipher, new SolverOptions { Seed = 3, Restarts = 8 });
        Assert.Equal(Alphabet.Letters.Render(plain), Alphabet.Letters.Render(result.Plaintext));
        Assert.True(result.Agreement >= 2);
    }

    [Fact]
    public void Solve_IsDeterministic_AcrossThreadCounts()
    {
        var (cipher, _) = Encrypt("whenthedaywasoverwewenthomeandsleptuntilmorning", 11);
        var o1 = new SolverOptions { Seed = 5, Restarts = 8, Iterations = 4000, StopAgreement = 0, Threads = 1 };
        var o2 = new SolverOptions { Seed = 5, Restarts = 8, Iterations = 4000, StopAgreement = 0, Threads = 2 };
        var solver = new SubstitutionSolver(english.Table);
        var a = solver.Solve(cipher, o1);
        var b = solver.Solve(cipher, o2);
        Assert.Equal(a.Key, b.Key);
        Assert.Equal(a.RestartBits, b.RestartBits);
        var c = solver.Solve(cipher, new SolverOptions { Seed = 6, Restarts = 8, Iterations = 4000, StopAgreement = 0 });
        Assert.NotEqual(a.RestartBits, c.RestartBits);
    }

    [Fact]
    public void Homophonic_KnownCipher_Solved()
    {
        // 48 homophones: letters get 1..5 symbols roughly by frequency; each occurrence picks one at random
        string text = "itisatruthuniversallyacknowledgedthatasinglemaninpossessionofagoodfortunemustbeinwantofawife"
            + "howeverlittleknownthefeelingsorviewsofsuchamanmaybeonhisfirstenteringaneighbourhoodthistruthissowellfixed"
            + "inthemindsofthesurroundingfamiliesthatheisconsideredastherightfulpropertyofsomeoneorotheroftheirdaughters";
        byte[] plain = Alphabet.Letters.Normalize(text);
        int[] homophones = [4, 1, 2, 2, 5, 1, 1, 3, 3, 1, 1, 2, 2, 3, 3, 1, 1, 3, 3, 4, 1, 1, 1, 1, 1, 1];
        int[] first = new int[27];
        for (int l = 0; l < 26; l++)
        {
            first[l + 1] = first[l] + homophones[l];
        }
        var rng = new Xoshiro256(42);
        int[] ids = [.. plain.Select(p => first[p] + rng.Next(homophones[p]))];
        var cipher = Cipher.FromIds(ids);
        var result = new SubstitutionSolver(english.Table).Solve(cipher, new SolverOptions
        {
            Homophonic = true, Seed = 1, Restarts = 4, Iterations = 150_000,
        });
        int wrong = plain.Zip(result.Plaintext).Count(t => t.First != t.Second);
        Assert.True(wrong <= plain.Length / 50, $"{wrong} of {plain.Length} wrong: {Alphabet.Letters.Render(result.Plaintext)}");
    }

    [Fact]
    public void OneToOne_RejectsTooManySymbols()
    {
        var cipher = Cipher.FromIds([.. Enumerable.Range(0, 30)]);
        var e = Assert.Throws<ArgumentException>(() => new SubstitutionSolver(english.Table).Solve(cipher, new SolverOptions()));
        Assert.Contains("homophonic", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GenericScorer_CompressionModel_PrefersTruth_AndSearchReportsItsOwnScore()
    {
        var (cipher, plain) = Encrypt(Sentence, 3);
        var bm = new OrderNByteModel(3, 16);
        bm.Prime(System.Text.Encoding.ASCII.GetBytes(Alphabet.Letters.Render(EnglishModel.TrainingText(Alphabet.Letters)[..200_000])));
        var scorer = new ByteModelScorer(bm, Alphabet.Letters);
        // the true plaintext compresses better than a wrong decipherment under the primed compression model
        byte[] wrong = [.. plain.Select(p => (byte)((p + 1) % 26))];
        Assert.True(scorer.Bits(plain) + 50 < scorer.Bits(wrong));
        // priming is not disturbed by scoring (each query codes with a clone)
        Assert.Equal(scorer.Bits(plain), scorer.Bits(plain));
        var (key, found, bits) = ScorerHillClimber.Solve(cipher, scorer, 2, 300, 1);
        Assert.Equal(scorer.Bits(found), bits, 9);
        Assert.Equal(found, cipher.Text.Select(c => (byte)key[c]).ToArray());
        Assert.Equal(key.Length, key.Distinct().Count());
        // deterministic per seed
        var again = ScorerHillClimber.Solve(cipher, scorer, 2, 300, 1);
        Assert.Equal(key, again.Key);
    }
}
