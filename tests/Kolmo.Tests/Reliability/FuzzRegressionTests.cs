using Kolmo.Fuzz;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Reliability;

/// <summary>
/// Every input the fuzzers found (fuzz/regressions/TARGET/, minimised) and every seed (fuzz/seeds/TARGET/) is run
/// through its target's property again: the fixes stay fixed. The same FuzzTargets code runs under the fuzzers.
/// </summary>
public sealed class FuzzRegressionTests
{
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string kind in new[] { "regressions", "seeds" })
        {
            string root = TestFiles.Path(Path.Combine("fuzz", kind));
            if (!Directory.Exists(root))
            {
                continue;
            }
            foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            {
                foreach (var f in Directory.GetFiles(dir).Where(f => !f.EndsWith(".txt", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                {
                    data.Add(Path.GetFileName(dir), Path.GetRelativePath(TestFiles.RepoRoot, f));
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void FuzzInput_KeepsItsTargetsProperty(string target, string file)
    {
        FuzzTargets.Get(target).Run(File.ReadAllBytes(TestFiles.Path(file)));
    }

    [Fact]
    public void EveryTarget_HasSeeds()
    {
        var seeded = Inputs().Select(row => (string)row[0]).ToHashSet();
        Assert.All(FuzzTargets.All, t => Assert.Contains(t.Name, seeded));
    }
}
