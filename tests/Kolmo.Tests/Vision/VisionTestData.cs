using Kolmo.Vision;

namespace Kolmo.Tests.Vision;

/// <summary>Locates the committed MNIST sample (data/mnist-sample) from the test binaries.</summary>
internal static class VisionTestData
{
    public static string SampleDir
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Kolmo.slnx")))
            {
                dir = dir.Parent;
            }
            Assert.NotNull(dir);
            return Path.Combine(dir!.FullName, "data", "mnist-sample");
        }
    }

    public static string ImagesPath => Path.Combine(SampleDir, "t100-images-idx3-ubyte.gz");

    public static string LabelsPath => Path.Combine(SampleDir, "t100-labels-idx1-ubyte");

    public static ImageSet Sample() => Idx.ReadLabelled(ImagesPath, LabelsPath);
}
