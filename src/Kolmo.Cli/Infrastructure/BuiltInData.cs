using Kolmo.Vision;

namespace Kolmo.Cli.Infrastructure;

/// <summary>
/// The tool's defaults from the built-in data (<see cref="Kolmo.Data.BuiltInData"/>; data/README.md gives provenance
/// and licences), so that commands run without paths in any folder: the four public-domain texts of the Canterbury
/// corpus and the MNIST sample, which together make the default input of <c>kolmo bench</c>; the MNIST sample is also
/// the default of <c>kolmo igpt</c>. (The other Canterbury files may not be redistributed, so they are not built in.)
/// </summary>
public static class BuiltInData
{
    /// <summary>File name of the MNIST sample's images (raw IDX3) in <see cref="BenchSample"/>.</summary>
    public const string MnistImagesName = "mnist-100-images.idx3";

    /// <summary>The embedded Canterbury texts, sorted by name.</summary>
    public static IReadOnlyList<string> CanterburyTexts { get; } =
        [.. Names("canterbury/").OrderBy(n => n, StringComparer.Ordinal)];

    /// <summary>
    /// The default input of <c>kolmo bench</c>, as (file name, bytes): alice29.txt, asyoulik.txt, lcet10.txt and
    /// plrabn12.txt (English prose, a play, technical writing, poetry; 1,185,883 bytes) and the MNIST sample's images
    /// as raw IDX3 (78,416 bytes of 8-bit pixels).
    /// </summary>
    public static IReadOnlyList<(string Name, byte[] Data)> BenchSample()
    {
        var files = CanterburyTexts.Select(n => (n, Read("canterbury/" + n))).ToList();
        using var raw = new MemoryStream();
        Idx.WriteImages(raw, MnistSample());
        files.Add((MnistImagesName, raw.ToArray()));
        return files;
    }

    /// <summary>The first 100 MNIST test images with their labels.</summary>
    public static ImageSet MnistSample()
    {
        using var images = Open("mnist-sample/t100-images-idx3-ubyte.gz");
        using var labels = Open("mnist-sample/t100-labels-idx1-ubyte");
        return Idx.ReadImages(images, "built-in MNIST sample").WithLabels(Idx.ReadLabels(labels, "built-in MNIST labels"));
    }

    private static IEnumerable<string> Names(string prefix) =>
        Kolmo.Data.BuiltInData.List(prefix.TrimEnd('/')).Select(n => n[prefix.Length..]);

    private static Stream Open(string name) => Kolmo.Data.BuiltInData.Open(name);

    private static byte[] Read(string name) => Kolmo.Data.BuiltInData.ReadAllBytes(name);
}
