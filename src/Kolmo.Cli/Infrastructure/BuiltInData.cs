using Kolmo.Vision;

namespace Kolmo.Cli.Infrastructure;

/// <summary>
/// Data embedded in the tool (see data/README.md for provenance and licences), so that commands run without paths in
/// any folder: the Canterbury corpus (the default input of <c>kolmo bench</c>) and a 100-image MNIST sample (the
/// default of <c>kolmo igpt</c>). The English books of the language model are embedded in the library
/// (<see cref="Kolmo.Decipher.EnglishModel"/>).
/// </summary>
public static class BuiltInData
{
    /// <summary>The Canterbury corpus files, sorted by name.</summary>
    public static IReadOnlyList<string> CanterburyFiles { get; } =
        [.. Names("canterbury/").OrderBy(n => n, StringComparer.Ordinal)];

    /// <summary>The Canterbury corpus (11 files, 2,810,784 bytes) as (file name, bytes), sorted by name.</summary>
    public static IReadOnlyList<(string Name, byte[] Data)> Canterbury() =>
        [.. CanterburyFiles.Select(n => (n, Read("canterbury/" + n)))];

    /// <summary>The first 100 MNIST test images with their labels.</summary>
    public static ImageSet MnistSample()
    {
        using var images = Open("mnist-sample/t100-images-idx3-ubyte.gz");
        using var labels = Open("mnist-sample/t100-labels-idx1-ubyte");
        return Idx.ReadImages(images, "built-in MNIST sample").WithLabels(Idx.ReadLabels(labels, "built-in MNIST labels"));
    }

    private static IEnumerable<string> Names(string prefix) =>
        typeof(BuiltInData).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => n[prefix.Length..]);

    private static Stream Open(string name) =>
        typeof(BuiltInData).Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"built-in data {name} is missing from the tool");

    private static byte[] Read(string name)
    {
        using var s = Open(name);
        var bytes = new byte[s.Length];
        s.ReadExactly(bytes);
        return bytes;
    }
}
