using System.Globalization;
using System.Text;

namespace Kolmo.Learning;

/// <summary>A node of a rooted tree with branch lengths: a leaf has a <see cref="Label"/>, an internal node children.</summary>
public sealed class TreeNode
{
    private readonly List<(TreeNode Child, double Length)> _children = [];

    /// <summary>Creates a leaf.</summary>
    public TreeNode(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        Label = label;
    }

    /// <summary>Creates an internal node.</summary>
    public TreeNode(IEnumerable<(TreeNode Child, double Length)> children, double height = 0)
    {
        ArgumentNullException.ThrowIfNull(children);
        _children.AddRange(children);
        Height = height;
    }

    /// <summary>Leaf label (null for internal nodes).</summary>
    public string? Label { get; }

    /// <summary>Children and the lengths of the branches to them.</summary>
    public IReadOnlyList<(TreeNode Child, double Length)> Children => _children;

    /// <summary>True for a leaf.</summary>
    public bool IsLeaf => _children.Count == 0;

    /// <summary>For UPGMA nodes, the merge height (half the average distance); 0 for leaves.</summary>
    public double Height { get; }

    /// <summary>Longest path (sum of branch lengths) from this node down to a leaf.</summary>
    public double Depth => IsLeaf ? 0 : _children.Max(c => c.Length + c.Child.Depth);

    /// <summary>Leaf labels below this node, left to right.</summary>
    public IEnumerable<string> Leaves()
    {
        if (IsLeaf)
        {
            yield return Label!;
            yield break;
        }
        foreach (var (c, _) in _children)
        {
            foreach (var l in c.Leaves())
            {
                yield return l;
            }
        }
    }

    /// <summary>Newick text, e.g. <c>((A:1,B:1):2,(C:2,D:2):1);</c>. Lengths are written with up to 6 decimals.</summary>
    public string ToNewick()
    {
        var sb = new StringBuilder();
        Write(this, sb);
        return sb.Append(';').ToString();
    }

    private static void Write(TreeNode n, StringBuilder sb)
    {
        if (n.IsLeaf)
        {
            sb.Append(NewickLabel(n.Label!));
            return;
        }
        sb.Append('(');
        for (int i = 0; i < n._children.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            Write(n._children[i].Child, sb);
            sb.Append(':').Append(n._children[i].Length.ToString("0.######", CultureInfo.InvariantCulture));
        }
        sb.Append(')');
    }

    /// <summary>A Newick label: as is when it has no special characters, otherwise single-quoted ('' for ').</summary>
    public static string NewickLabel(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        bool plain = label.Length > 0 && label.All(c => !char.IsWhiteSpace(c) && "()[]':;,".IndexOf(c, StringComparison.Ordinal) < 0);
        return plain ? label : "'" + label.Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}

/// <summary>
/// Hierarchical clustering of a <see cref="DistanceMatrix"/> (only the upper triangle i &lt; j is read, so the matrix is
/// treated as symmetric). Ties are broken deterministically: the pair (i, j) that comes first, in the order of the
/// active clusters (inputs first, then merged clusters in creation order), wins.
/// </summary>
public static class Clustering
{
    /// <summary>
    /// UPGMA (average linkage; Sokal &amp; Michener 1958): repeatedly merge the closest two clusters at height d/2; the
    /// distance of the merged cluster to another is the size-weighted average. Gives an ultrametric rooted tree.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix has no rows.</exception>
    public static TreeNode Upgma(DistanceMatrix m)
    {
        ArgumentNullException.ThrowIfNull(m);
        int n = m.Count;
        if (n == 0)
        {
            throw new ArgumentException("empty distance matrix", nameof(m));
        }
        var nodes = new List<TreeNode>();
        var sizes = new List<int>();
        var d = new List<List<double>>();
        for (int i = 0; i < n; i++)
        {
            nodes.Add(new TreeNode(m.Labels[i]));
            sizes.Add(1);
            d.Add([]);
            for (int j = 0; j < n; j++)
            {
                d[i].Add(i < j ? m[i, j] : m[Math.Min(i, j), Math.Max(i, j)]);
            }
        }
        var active = Enumerable.Range(0, n).ToList();
        while (active.Count > 1)
        {
            var (a, b) = ClosestPair(active, (i, j) => d[i][j]);
            double h = d[a][b] / 2;
            var node = new TreeNode([(nodes[a], h - nodes[a].Height), (nodes[b], h - nodes[b].Height)], h);
            int k = nodes.Count;
            nodes.Add(node);
            sizes.Add(sizes[a] + sizes[b]);
            var row = new List<double>(new double[k + 1]);
            foreach (int o in active)
            {
                if (o != a && o != b)
                {
                    row[o] = (sizes[a] * d[a][o] + sizes[b] * d[b][o]) / (sizes[a] + sizes[b]);
                }
            }
            foreach (var r in d)
            {
                r.Add(0);
            }
            d.Add(row);
            foreach (int o in active)
            {
                d[o][k] = row[o];
            }
            active.Remove(a);
            active.Remove(b);
            active.Add(k);
        }
        return nodes[active[0]];
    }

    /// <summary>
    /// Neighbour joining (Saitou &amp; Nei 1987): join the pair minimising Q(i, j) = (r − 2)·d(i, j) − Σd(i, ·) − Σd(j, ·)
    /// (r active nodes), with branch lengths d(i, j)/2 ± (Σd(i, ·) − Σd(j, ·)) / (2(r − 2)); the new node u has
    /// d(u, k) = (d(i, k) + d(j, k) − d(i, j)) / 2. The last three nodes hang from the root (an unrooted tree written
    /// as a trifurcation). Negative branch lengths are set to 0. Recovers any additive (tree) metric exactly.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix has no rows.</exception>
    public static TreeNode NeighborJoining(DistanceMatrix m)
    {
        ArgumentNullException.ThrowIfNull(m);
        int n = m.Count;
        if (n == 0)
        {
            throw new ArgumentException("empty distance matrix", nameof(m));
        }
        if (n == 1)
        {
            return new TreeNode(m.Labels[0]);
        }
        var nodes = new List<TreeNode>();
        var d = new Dictionary<(int, int), double>();
        double D(int i, int j) => i == j ? 0 : d[(Math.Min(i, j), Math.Max(i, j))];
        for (int i = 0; i < n; i++)
        {
            nodes.Add(new TreeNode(m.Labels[i]));
            for (int j = i + 1; j < n; j++)
            {
                d[(i, j)] = m[i, j];
            }
        }
        var active = Enumerable.Range(0, n).ToList();
        if (n == 2)
        {
            double h = m[0, 1] / 2;
            return new TreeNode([(nodes[0], h), (nodes[1], h)]);
        }
        while (active.Count > 3)
        {
            int r = active.Count;
            var sum = active.ToDictionary(i => i, i => active.Sum(k => D(i, k)));
            var (a, b) = ClosestPair(active, (i, j) => (r - 2) * D(i, j) - sum[i] - sum[j]);
            double dab = D(a, b);
            double la = dab / 2 + (sum[a] - sum[b]) / (2.0 * (r - 2));
            double lb = dab - la;
            int u = nodes.Count;
            nodes.Add(new TreeNode([(nodes[a], Math.Max(0, la)), (nodes[b], Math.Max(0, lb))]));
            foreach (int k in active)
            {
                if (k != a && k != b)
                {
                    d[(k, u)] = (D(a, k) + D(b, k) - dab) / 2;
                }
            }
            active.Remove(a);
            active.Remove(b);
            active.Add(u);
        }
        int x = active[0], y = active[1], z = active[2];
        double lx = (D(x, y) + D(x, z) - D(y, z)) / 2;
        double ly = (D(x, y) + D(y, z) - D(x, z)) / 2;
        double lz = (D(x, z) + D(y, z) - D(x, y)) / 2;
        return new TreeNode([(nodes[x], Math.Max(0, lx)), (nodes[y], Math.Max(0, ly)), (nodes[z], Math.Max(0, lz))]);
    }

    private static (int A, int B) ClosestPair(List<int> active, Func<int, int, double> score)
    {
        double best = double.PositiveInfinity;
        (int, int) arg = (active[0], active[1]);
        for (int p = 0; p < active.Count; p++)
        {
            for (int q = p + 1; q < active.Count; q++)
            {
                double s = score(active[p], active[q]);
                if (s < best)
                {
                    best = s;
                    arg = (active[p], active[q]);
                }
            }
        }
        return arg;
    }

    /// <summary>
    /// Cuts a tree into <paramref name="k"/> clusters: starting from the root, repeatedly replace the cluster whose
    /// subtree is deepest (<see cref="TreeNode.Depth"/>; the first on ties) by its children. For a UPGMA tree this is
    /// the usual cut at a height.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not in [1, number of leaves].</exception>
    public static IReadOnlyList<IReadOnlyList<string>> Cut(TreeNode root, int k)
    {
        ArgumentNullException.ThrowIfNull(root);
        int leaves = root.Leaves().Count();
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, leaves);
        var parts = new List<TreeNode> { root };
        while (parts.Count < k)
        {
            int best = -1;
            for (int i = 0; i < parts.Count; i++)
            {
                if (!parts[i].IsLeaf && (best < 0 || parts[i].Depth > parts[best].Depth))
                {
                    best = i;
                }
            }
            var node = parts[best];
            parts.RemoveAt(best);
            parts.InsertRange(best, node.Children.Select(c => c.Child));
            if (parts.Count > k)
            {
                // A multifurcation overshot: merge the surplus children back into one cluster of their own.
                var extra = parts.GetRange(best + 1, parts.Count - k);
                parts.RemoveRange(best + 1, parts.Count - k);
                var merged = new TreeNode(extra.Prepend(parts[best]).Select(c => (c, 0.0)));
                parts[best] = merged;
            }
        }
        return [.. parts.Select(p => (IReadOnlyList<string>)[.. p.Leaves()])];
    }

    /// <summary>
    /// Cluster purity: (1/N) Σ over clusters of the count of its most frequent class. 1 means every cluster is
    /// pure; one cluster scores the majority-class fraction.
    /// </summary>
    /// <exception cref="ArgumentException">A label has no class.</exception>
    public static double Purity(IReadOnlyList<IReadOnlyList<string>> clusters, IReadOnlyDictionary<string, string> classOf)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(classOf);
        int total = 0, agree = 0;
        foreach (var c in clusters)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var l in c)
            {
                if (!classOf.TryGetValue(l, out var cls))
                {
                    throw new ArgumentException($"no class for '{l}'", nameof(classOf));
                }
                counts[cls] = counts.GetValueOrDefault(cls) + 1;
                total++;
            }
            agree += counts.Count == 0 ? 0 : counts.Values.Max();
        }
        return total == 0 ? 0 : (double)agree / total;
    }
}
