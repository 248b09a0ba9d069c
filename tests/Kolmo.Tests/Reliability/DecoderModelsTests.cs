using Kolmo.Compression;
using Kolmo.Modeling;
using Kolmo.Modeling.Legacy;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Reliability;

/// <summary>
/// Decoding with kept models (<see cref="DecoderModels"/>, the damage sweep's way) gives exactly what decoding with a
/// model built for each file gives — outputs and refusals — and a restored model predicts exactly as a fresh one.
/// </summary>
public sealed class DecoderModelsTests
{
    private static readonly string[] GoldenFiles =
    [
        "cm-legacy/fields.c.kolmo", "cm-legacy/xargs.1.kolmo", "cm-legacy/random.bin.kolmo",
        "container/calls.bin.kolmo", "container/xargs.1.segments.kolmo", "container/grammar.lsp.kolmo",
        "container/grammar.lsp.cm.kolmo", "neural/grammar.lsp.cmnn1.kolmo", "neural/layout3/xargs.head.cmnn1.kolmo",
    ];

    private static (bool Ok, byte[] Output, string Error) Decode(byte[] file, DecoderModels? models)
    {
        var output = new MemoryStream();
        try
        {
            ModelCompressor.Decompress(new MemoryStream(file, writable: false), output, null, [], 1, models);
            return (true, output.ToArray(), "");
        }
        catch (InvalidDataException e)
        {
            return (false, [], e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void GoldenFile_DecodedWithKeptModels_BetweenDamagedCopies_IsDecodedAsWithoutThem(string name)
    {
        var file = File.ReadAllBytes(TestFiles.Path(Path.Combine("tests", "Golden", name)));
        var plain = Decode(file, null);
        Assert.True(plain.Ok, plain.Error);
        var models = new DecoderModels();
        for (int round = 0; round < 3; round++)
        {
            Assert.Equal(plain.Output, Decode(file, models).Output);
            // a damaged copy leaves its model anywhere (here: a flip in the middle of the payload, then a cut); the
            // refusal must be the one a fresh model gives, and the next decode must not see any of it
            foreach (var damaged in new[] { Flipped(file, (file.Length / 2 * 8) + round), file[..(file.Length - 20 - round)] })
            {
                var fresh = Decode(damaged, null);
                var kept = Decode(damaged, models);
                Assert.False(fresh.Ok);
                Assert.Equal(fresh.Error, kept.Error);
            }
        }
        Assert.Equal(plain.Output, Decode(file, models).Output);
        bool restorable = name.StartsWith("cm-legacy", StringComparison.Ordinal) || name.Contains("calls.bin") || name.Contains("segments") || name.Contains(".cm.");
        Assert.Equal(restorable, models.Restored > 0);
    }

    public static TheoryData<string> Files() => [.. GoldenFiles];

    private static byte[] Flipped(byte[] file, int bit)
    {
        var d = (byte[])file.Clone();
        d[bit >> 3] ^= (byte)(1 << (bit & 7));
        return d;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(9)]
    public void CmModel_RestoredAfterLearning_PredictsAsAFreshModel(int level) =>
        AssertRestoresToFresh(() => CmModel.Create(level, [16, CmModel.Revision]));

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(9)]
    public void FirstCmModel_RestoredAfterLearning_PredictsAsAFreshModel(int level) =>
        AssertRestoresToFresh(() => LegacyCmModel.Create(level, [16]));

    private static void AssertRestoresToFresh(Func<IByteModel> create)
    {
        var fresh = create();
        var used = (IRestorableModel)create();
        used.Prime(TestFiles.Text(3000, seed: 5));
        used.Prime(TestFiles.Random(500, seed: 6));
        used.P();
        used.Update(1);   // stop in the middle of a byte
        used.RestoreFrom(fresh);
        var reference = create();
        var data = TestFiles.Text(2000, seed: 7);
        foreach (byte b in data)
        {
            for (int i = 7; i >= 0; i--)
            {
                int bit = (b >> i) & 1;
                Assert.Equal(reference.P(), used.P());
                reference.Update(bit);
                used.Update(bit);
            }
        }
    }

    [Fact]
    public void RestoreFrom_AnotherConfiguration_IsRefused()
    {
        var a = (IRestorableModel)CmModel.Create(1, [16, CmModel.Revision]);
        Assert.Throws<ArgumentException>(() => a.RestoreFrom(CmModel.Create(2, [16, CmModel.Revision])));
        Assert.Throws<ArgumentException>(() => a.RestoreFrom(LegacyCmModel.Create(1, [16])));
    }
}
