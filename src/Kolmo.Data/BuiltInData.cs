using System.Reflection;

namespace Kolmo.Data;

/// <summary>
/// Sample data built into the Kolmo.Data assembly as embedded resources, so everything that falls back on it works from
/// an installed package in any folder. Names are paths under the repository's <c>data/</c> folder (e.g.
/// <c>udhr/eng.txt</c>); provenance and licences are in <c>data/README.md</c>. Its own assembly on purpose: the size of
/// <c>Kolmo.dll</c> is the decompressor size |D| of Kolmo's models in Kolmogorov bounds, and data there would count as
/// decoder.
/// </summary>
public static class BuiltInData
{
    private const string Prefix = "data/";
    private static readonly Assembly Self = typeof(BuiltInData).Assembly;

    /// <summary>Every built-in file name (paths under <c>data/</c>), in ordinal order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. Self.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..]).Order(StringComparer.Ordinal)];

    /// <summary>True when a built-in file of that name exists.</summary>
    public static bool Exists(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>Opens a built-in file for reading.</summary>
    /// <exception cref="FileNotFoundException">No built-in file has that name.</exception>
    public static Stream Open(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Self.GetManifestResourceStream(Prefix + name)
            ?? throw new FileNotFoundException($"'{name}' is not built-in data (built in: {string.Join(", ", Folders())})", name);
    }

    /// <summary>The bytes of a built-in file.</summary>
    /// <exception cref="FileNotFoundException">No built-in file has that name.</exception>
    public static byte[] ReadAllBytes(string name)
    {
        using var s = Open(name);
        var m = new MemoryStream(s.CanSeek ? (int)s.Length : 0);
        s.CopyTo(m);
        return m.ToArray();
    }

    /// <summary>The built-in files directly in <paramref name="folder"/> (e.g. <c>udhr</c>), as full names, in ordinal order.</summary>
    public static IReadOnlyList<string> List(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string p = folder.TrimEnd('/') + "/";
        return [.. Names.Where(n => n.StartsWith(p, StringComparison.Ordinal) && n.IndexOf('/', p.Length) < 0)];
    }

    private static IEnumerable<string> Folders() => Names.Select(n => n.Split('/')[0]).Distinct();
}
