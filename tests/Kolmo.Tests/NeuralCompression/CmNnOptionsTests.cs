using Kolmo.Compression.Neural;

namespace Kolmo.Tests.NeuralCompression;

public class CmNnOptionsTests
{
    [Fact]
    public void Parse_SetsEachKey_OverTheFirstDesign()
    {
        var o = CmNnOptions.Parse("lr1=4,lr2=3,cmin=3,cmctx=1,conf,final=1,sse=2");
        Assert.Equal(new CmNnOptions { Lr1 = 4, Lr2 = 3, CmInputs = 3, CmContext = 1, ConfidenceInput = true, FinalByConfidence = true, SseShare = 2 }, o);
        Assert.Equal(2048, o.CmContexts);
        Assert.Equal(CmNnOptions.First, CmNnOptions.Parse(""));
        Assert.Equal(256, CmNnOptions.First.CmContexts);
    }

    [Theory]
    [InlineData("cmin=4")]
    [InlineData("cmctx=2")]
    [InlineData("sse=5")]
    [InlineData("speed=1")]
    public void Parse_RefusesUnknownKeysAndValuesOutOfRange(string text) =>
        Assert.Throws<ArgumentException>(() => CmNnOptions.Parse(text));
}
