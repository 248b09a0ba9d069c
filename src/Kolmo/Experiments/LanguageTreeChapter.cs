using Kolmo.Information;
using Kolmo.Learning;

namespace Kolmo.Experiments;

/// <summary>Settings of the NCD language-tree chapter.</summary>
public sealed record LanguageTreeOptions
{
    /// <summary>Languages (codes of the built-in UDHR sample); null = all of them.</summary>
    public IReadOnlyList<string>? Languages { get; init; }

    /// <summary>The compressor whose code lengths give the NCD (a name of <see cref="CodeLengthPanel"/>).</summary>
    public string Compressor { get; init; } = "ordermix";
}

/// <summary>A tree as a record (JSON-serialisable): a leaf has a label, an inner node children with branch lengths.</summary>
/// <param name="Label">Leaf label, or null for an inner node.</param>
/// <param name="Children">Children, with the length of the branch to each.</param>
public sealed record TreeShape(string? Label, IReadOnlyList<TreeBranch> Children)
{
    /// <summary>The record of <paramref name="node"/>.</summary>
    public static TreeShape From(TreeNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.IsLeaf ? new TreeShape(node.Label, []) : new TreeShape(null, [.. node.Children.Select(c => new TreeBranch(c.Length, From(c.Child)))]);
    }

    /// <summary>Back to a <see cref="TreeNode"/>.</summary>
    public TreeNode ToTreeNode() => Label is not null && Children.Count == 0
        ? new TreeNode(Label)
        : new TreeNode(Children.Select(c => (c.Child.ToTreeNode(), c.Length)));
}

/// <summary>A branch of a <see cref="TreeShape"/>.</summary>
/// <param name="Length">Branch length.</param>
/// <param name="Child">The subtree.</param>
public sealed record TreeBranch(double Length, TreeShape Child);

/// <summary>Cluster purity of a tree cut into as many clusters as there are classes.</summary>
/// <param name="Classes">"family" or "branch".</param>
/// <param name="Count">Number of classes (and clusters).</param>
/// <param name="Upgma">Purity of the UPGMA tree.</param>
/// <param name="NeighborJoining">Purity of the neighbour-joining tree.</param>
/// <param name="OneCluster">Purity of one cluster holding everything (the majority class's share): the baseline.</param>
public sealed record TreePurity(string Classes, int Count, double Upgma, double NeighborJoining, double OneCluster);

/// <summary>The NCD matrix of the UDHR in several languages, its trees and how well they recover the language families.</summary>
/// <param name="Compressor">Compressor of the NCD.</param>
/// <param name="Languages">The languages, in matrix order.</param>
/// <param name="Bytes">Bytes of each text.</param>
/// <param name="Distances">NCD matrix [i][j] (symmetric; diagonal = measured NCD(x, x)).</param>
/// <param name="Upgma">UPGMA tree (leaf labels are language codes).</param>
/// <param name="NeighborJoining">Neighbour-joining tree.</param>
/// <param name="Purity">Purity by family and by family/branch.</param>
/// <param name="Pairs">Pairs compressed (i ≤ j).</param>
/// <param name="Cost">Time spent.</param>
public sealed record LanguageTreeResult(string Compressor, IReadOnlyList<UdhrLanguage> Languages, IReadOnlyList<int> Bytes, IReadOnlyList<IReadOnlyList<double>> Distances,
    TreeShape Upgma, TreeShape NeighborJoining, IReadOnlyList<TreePurity> Purity, int Pairs, ChapterCost Cost)
{
    /// <summary>The distance matrix as a <see cref="DistanceMatrix"/> (labels = codes).</summary>
    public DistanceMatrix ToMatrix()
    {
        int n = Languages.Count;
        var d = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                d[i, j] = Distances[i][j];
            }
        }
        return new DistanceMatrix([.. Languages.Select(l => l.Code)], d);
    }
}

/// <summary>
/// Chapter "NCD → a language tree": the normalised compression distance between translations of one text, the UPGMA
/// and neighbour-joining trees built from it, and their purity against the language families (Cilibrasi &amp; Vitányi 2005).
/// </summary>
public static class LanguageTreeChapter
{
    /// <summary>Runs the chapter.</summary>
    public static LanguageTreeResult Run(LanguageTreeOptions o, int threads, ChapterProgress progress)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(progress);
        var (result, cost) = ChapterCost.Measure(() =>
        {
            var all = TourData.Languages();
            var langs = o.Languages is null ? all : [.. o.Languages.Select(c => all.FirstOrDefault(l => l.Code == c) ?? throw new ArgumentException($"no UDHR text for '{c}' (built in: {string.Join(", ", all.Select(l => l.Code))})", nameof(o)))];
            if (langs.Count < 3)
            {
                throw new ArgumentException("a tree needs at least 3 languages", nameof(o));
            }
            var items = langs.Select(l => (l.Code, TourData.Udhr(l.Code))).ToArray();
            var c = CodeLengthPanel.Create([o.Compressor])[0];
            int pairs = NcdMatrix.PairCount(items.Length);
            var m = NcdMatrix.Compute(c, items, Math.Max(1, threads), done => progress.Step(0, 0.98, done, pairs, $"{c.Name}: {done} of {pairs} pairs"));
            var upgma = Clustering.Upgma(m);
            var nj = Clustering.NeighborJoining(m);
            var family = langs.ToDictionary(l => l.Code, l => l.Family);
            var branch = langs.ToDictionary(l => l.Code, l => l.Family + "/" + l.Branch);
            TreePurity P(string name, Dictionary<string, string> cls)
            {
                int k = cls.Values.Distinct().Count();
                return new TreePurity(name, k, Clustering.Purity(Clustering.Cut(upgma, k), cls), Clustering.Purity(Clustering.Cut(nj, k), cls), Clustering.Purity([[.. cls.Keys]], cls));
            }
            var distances = Enumerable.Range(0, m.Count).Select(i => (IReadOnlyList<double>)[.. Enumerable.Range(0, m.Count).Select(j => m[i, j])]).ToArray();
            progress.Report(1, "done");
            return new LanguageTreeResult(c.Name, langs, [.. items.Select(i => i.Item2.Length)], distances, TreeShape.From(upgma), TreeShape.From(nj),
                [P("family", family), P("branch", branch)], pairs, new ChapterCost(0, 0));
        });
        return result with { Cost = cost };
    }
}
