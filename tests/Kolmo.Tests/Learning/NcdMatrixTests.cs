using Kolmo.Information;
using Kolmo.Learning;
using Kolmo.Tests.Information;

namespace Kolmo.Tests.Learning;

public class NcdMatrixTests
{
    [Fact]
    public void Matrix_IsSymmetric_AndIndependentOfThreadCount()
    {
        var c = ModelCodeLength.OrderMix(14);
        var items = new List<(string, byte[])>
        {
            ("a1", TestText.Words(1500, 1)),
            ("a2", TestText.Words(1500, 2)),
            ("b1", TestText.Words(1500, 3, vocabularyB: true)),
            ("b2", TestText.Words(1500, 4, vocabularyB: true)),
            ("a1copy", TestText.Words(1500, 1)),
        };
        var one = NcdMatrix.Compute(c, items, maxThreads: 1);
        var many = NcdMatrix.Compute(c, items, maxThreads: 4);
        Assert.Equal(one.ToTsv(), many.ToTsv());
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                Assert.Equal(one[i, j], one[j, i]);
            }
        }
        Assert.True(one[0, 4] < one[0, 1] / 2, $"identical content: {one[0, 4]} vs {one[0, 1]}");
        // UPGMA groups the two vocabularies.
        var parts = Clustering.Cut(Clustering.Upgma(one), 2).Select(p => string.Join(",", p.Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal);
        Assert.Equal(["a1,a1copy,a2", "b1,b2"], parts);
    }
}
