using Kolmo.Learning;
using Kolmo.Reporting;

namespace Kolmo.Tests.Learning;

public class TreeTests
{
    private static DistanceMatrix M(double[,] d) => new(["A", "B", "C", "D"], d);

    [Fact]
    public void Upgma_FourPointUltrametric_ExactNewick()
    {
        // d(A,B) = 2, d(C,D) = 4, every other pair 6: UPGMA joins AB at height 1, CD at 2, the two at 3.
        var m = M(new double[,] { { 0, 2, 6, 6 }, { 2, 0, 6, 6 }, { 6, 6, 0, 4 }, { 6, 6, 4, 0 } });
        Assert.Equal("((A:1,B:1):2,(C:2,D:2):1);", Clustering.Upgma(m).ToNewick());
    }

    [Fact]
    public void NeighborJoining_AdditiveMetric_RecoversTree()
    {
        // Tree: A–u 1, B–u 2, u–v 3, C–v 4, D–v 5 → d(A,B)=3, d(A,C)=8, d(A,D)=9, d(B,C)=9, d(B,D)=10, d(C,D)=9.
        var m = M(new double[,] { { 0, 3, 8, 9 }, { 3, 0, 9, 10 }, { 8, 9, 0, 9 }, { 9, 10, 9, 0 } });
        Assert.Equal("(C:4,D:5,(A:1,B:2):3);", Clustering.NeighborJoining(m).ToNewick());
    }

    [Fact]
    public void Cut_And_Purity()
    {
        var m = M(new double[,] { { 0, 2, 6, 6 }, { 2, 0, 6, 6 }, { 6, 6, 0, 4 }, { 6, 6, 4, 0 } });
        var tree = Clustering.Upgma(m);
        var parts = Clustering.Cut(tree, 2);
        Assert.Equal([["A", "B"], ["C", "D"]], parts.Select(p => p.ToArray()).ToArray());
        var cls = new Dictionary<string, string> { ["A"] = "x", ["B"] = "x", ["C"] = "y", ["D"] = "x" };
        Assert.Equal(0.75, Clustering.Purity(parts, cls));
        Assert.Equal(0.75, Clustering.Purity(Clustering.Cut(tree, 1), cls));
        Assert.Equal(1.0, Clustering.Purity(Clustering.Cut(tree, 4), cls));
        Assert.Throws<ArgumentOutOfRangeException>(() => Clustering.Cut(tree, 5));
    }

    [Fact]
    public void Newick_QuotesSpecialLabels()
    {
        Assert.Equal("'a b'", TreeNode.NewickLabel("a b"));
        Assert.Equal("'it''s'", TreeNode.NewickLabel("it's"));
        Assert.Equal("eng", TreeNode.NewickLabel("eng"));
    }

    [Fact]
    public void DistanceMatrix_TsvRoundTrip_AndErrors()
    {
        var m = new DistanceMatrix(["a", "b"], new double[,] { { 0, 0.1234567890123 }, { 0.1234567890123, 0 } });
        var back = DistanceMatrix.ParseTsv(m.ToTsv());
        Assert.Equal(m.Labels, back.Labels);
        Assert.Equal(m[0, 1], back[0, 1]);
        Assert.Contains("\"labels\":[\"a\",\"b\"]", m.ToJson(), StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => DistanceMatrix.ParseTsv("label\ta\tb\na\t0\tx\nb\t1\t0\n"));
        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => DistanceMatrix.ParseTsv("label\ta\tb\na\t0\t1\n"));
        Assert.Throws<InvalidDataException>(() => DistanceMatrix.ParseTsv(""));
    }

    [Fact]
    public void DistanceFigures_ArePngAndSvg()
    {
        var m = M(new double[,] { { 0, 2, 6, 6 }, { 2, 0, 6, 6 }, { 6, 6, 0, 4 }, { 6, 6, 4, 0 } });
        var tree = Clustering.NeighborJoining(m);
        var png = DistanceFigures.Dendrogram(tree, "t", svg: false);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        var svg = System.Text.Encoding.UTF8.GetString(DistanceFigures.Dendrogram(tree, "t", svg: true, groups: new Dictionary<string, string> { ["A"] = "g1", ["B"] = "g1", ["C"] = "g2", ["D"] = "g2" }));
        Assert.Contains("<svg", svg, StringComparison.Ordinal);
        var heat = DistanceFigures.Heatmap(m, "h", svg: false);
        Assert.Equal(0x89, heat[0]);
    }

    [Fact]
    public void Heatmap_RowsFollowTheTree_AndTheColourScaleSpansTheOffDiagonalValues()
    {
        // A and C are close, B and D are close: the tree pairs them, so the rows are reordered A C | B D (or a mirror)
        var m = M(new double[,] { { 0.01, 0.9, 0.2, 0.95 }, { 0.9, 0.01, 0.92, 0.3 }, { 0.2, 0.92, 0.01, 0.9 }, { 0.95, 0.3, 0.9, 0.01 } });
        int[] order = DistanceFigures.RowOrder(m, null);
        Assert.Equal(1, Math.Abs(Array.IndexOf(order, 0) - Array.IndexOf(order, 2)));
        Assert.Equal(1, Math.Abs(Array.IndexOf(order, 1) - Array.IndexOf(order, 3)));
        Assert.Equal((0.2, 0.95), DistanceFigures.ColourRange(m));
        Assert.Equal([3, 2, 1, 0], DistanceFigures.RowOrder(m, new TreeNode([(new TreeNode("D"), 1.0), (new TreeNode("C"), 1.0), (new TreeNode("B"), 1.0), (new TreeNode("A"), 1.0)])));
        Assert.Throws<ArgumentException>(() => DistanceFigures.RowOrder(m, new TreeNode([(new TreeNode("A"), 1.0), (new TreeNode("Z"), 1.0)])));
    }
}
