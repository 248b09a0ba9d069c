using Kolmo.Vision;

namespace Kolmo.Tests.Vision;

public sealed class IgptCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kolmo-igpt-cli-" + Guid.NewGuid().ToString("N"));

    public IgptCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    private static int Run(params string[] args) => Kolmo.Cli.Program.CreateApp().Run(args);

    [Fact]
    public void MissingOut_IsUsageError()
    {
        Assert.Equal(1, Run("igpt", "--quick"));
    }

    [Fact]
    public void MissingFile_IsUsageError()
    {
        Assert.Equal(1, Run("igpt", "--train-images", Path.Combine(_dir, "nope"), "--train-labels", Path.Combine(_dir, "nope2"), "--out", _dir));
    }

    [Fact]
    public void BadOptionValues_AreUsageErrors()
    {
        Assert.Equal(1, Run("igpt", "--objective", "diffusion", "--out", _dir));
        Assert.Equal(1, Run("igpt", "--sizes", "2by32", "--out", _dir));
        Assert.Equal(1, Run("igpt", "--steps", "2", "--checkpoints", "4", "--out", _dir));
        Assert.Equal(1, Run("igpt", "--downsample", "3", "--out", _dir));
    }

    [Fact]
    public void CorruptIdx_IsBadDataError_AndWritesNothing()
    {
        string images = Path.Combine(_dir, "bad-images");
        File.WriteAllBytes(images, [0, 0, 8, 3, 0, 0, 0, 9, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]);
        string outDir = Path.Combine(_dir, "out");
        Assert.Equal(2, Run("igpt", "--train-images", images, "--train-labels", VisionTestData.LabelsPath, "--out", outDir));
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());
    }

    [Fact]
    public void ExistingReport_IsNotOverwrittenWithoutForce()
    {
        string report = Path.Combine(_dir, "report.md");
        File.WriteAllText(report, "mine");
        Assert.Equal(1, Run("igpt", "--quick", "--out", _dir));
        Assert.Equal("mine", File.ReadAllText(report));
    }
}
