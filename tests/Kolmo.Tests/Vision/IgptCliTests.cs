using Kolmo.Cli.Commands.Vision;

namespace Kolmo.Tests.Vision;

public sealed class IgptCliTests : IDisposable
{
    private static readonly string[] Tiny =
    [
        "igpt", "--sizes", "1x8", "--masked-sizes", "1x8", "--seeds", "1", "--steps", "6", "--checkpoints", "2", "--batch", "4", "--downsample", "4",
        "--palette-size", "4", "--probe-train", "60", "--test-limit", "20", "--probe-grid", "2", "--compress", "2", "--completions", "1", "--samples", "2",
    ];

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
        string o = Path.Combine(_dir, "o");
        Assert.Equal(1, Run("igpt", "--palette", "octree", "--out", o));
        Assert.Equal(1, Run("igpt", "--sizes", "2by32", "--out", o));
        Assert.Equal(1, Run("igpt", "--steps", "2", "--checkpoints", "4", "--out", o));
        Assert.Equal(1, Run("igpt", "--steps", "2", "--epochs", "1", "--out", o));
        Assert.Equal(1, Run("igpt", "--downsample", "3", "--steps", "1", "--checkpoints", "1", "--out", o));
        Assert.Equal(1, Run("igpt", "--quick", "--full", "--out", o));
        Assert.Equal(1, Run("igpt", "--sizes", "1x8", "--masked-sizes", "2x8", "--out", o));
        Assert.Equal(1, Run("igpt", "-T", "0", "--out", o));
        Assert.Equal(1, Run("igpt", "--resume", o, "--steps", "5"));
        Assert.Equal(1, Run("igpt", "--resume", o));   // nothing to resume
        Assert.False(Directory.Exists(Path.Combine(o, "checkpoints")));
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

    [Fact]
    public void BuiltInSample_Has3000LabelledImages()
    {
        var set = IgptCommand.Sample();
        Assert.Equal((3000, 28, 28), (set.Count, set.Rows, set.Cols));
        Assert.Equal(new[] { 271, 340, 313, 316, 318, 283, 272, 306, 286, 295 }, Enumerable.Range(0, 10).Select(c => set.Labels!.Count(l => l == c)));   // data/README.md
        Assert.Equal(VisionTestData.Sample().Pixels, set.Slice(0, 100).Pixels);
    }

    [Fact]
    public void Presets_SetTheirValues_AndExplicitOptionsWin()
    {
        var quick = IgptCommand.Options(new IgptSettings { Quick = true, Out = "x" }, 2500);
        Assert.Equal(Kolmo.Vision.IgptOptions.Quick.Steps, quick.Steps);
        Assert.Equal("1x64", Assert.Single(quick.Sizes).Name);
        var full = IgptCommand.Options(new IgptSettings { Full = true, Out = "x", Steps = 77, Sizes = "1x32,2x64" }, 8000);
        Assert.Equal(77, full.Steps);
        Assert.Equal(new[] { "1x32" }, full.MaskedSizes);   // the preset's masked size survives when it is still a size
        Assert.Equal(3, full.Seeds);
        var epochs = IgptCommand.Options(new IgptSettings { Out = "x", Epochs = 2, Batch = 10 }, 1000);
        Assert.Equal(200, epochs.Steps);
    }

    [Fact]
    public void StoppedRun_ResumesToTheUninterruptedResults_AndRefusesToRestartWithoutForce()
    {
        string whole = Path.Combine(_dir, "whole");
        Assert.Equal(0, Run([.. Tiny, "--out", whole]));
        foreach (var f in new[] { "report.md", "results.json", "igpt-curve.png", "igpt-completions.png", "igpt-samples.png", "igpt-ar-vs-masked.png" })
        {
            Assert.True(File.Exists(Path.Combine(whole, f)), f);
        }
        Assert.Equal(1, Run([.. Tiny, "--out", whole]));   // holds a run: --resume or --force

        string parts = Path.Combine(_dir, "parts");
        Assert.Equal(IgptCommand.Stopped, Run([.. Tiny, "--out", parts, "--stop-after", "0.0001"]));
        Assert.False(File.Exists(Path.Combine(parts, "results.json")));
        int code;
        int resumes = 0;
        do
        {
            code = Run("igpt", "--resume", parts, "-T", resumes % 2 == 0 ? "1" : "2", "--stop-after", "0.005");
            resumes++;
        }
        while (code == IgptCommand.Stopped && resumes < 100);
        Assert.Equal(0, code);
        Assert.Equal(Strip(File.ReadAllText(Path.Combine(whole, "results.json"))), Strip(File.ReadAllText(Path.Combine(parts, "results.json"))));
        Assert.Equal(0, Run([.. Tiny, "--out", whole, "--force"]));
    }

    /// <summary>results.json without its time fields and paths.</summary>
    private static string Strip(string json)
    {
        var r = Kolmo.Vision.IgptResultsJson.Deserialize(json);
        return PipelineTests.Comparable(r);
    }
}
