namespace Kolmo.Tests.NeuralCompression;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kolmo-nncomp-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string name, byte[] data)
    {
        string p = Path.Combine(_dir, name);
        File.WriteAllBytes(p, data);
        return p;
    }

    [Fact]
    public void Mdl_WritesTableAndPlot_AndRefusesToOverwrite()
    {
        string data = Write("d.txt", PrequentialTests.Text(3000));
        string prefix = Path.Combine(_dir, "mdl");
        Assert.Equal(0, Support.CliRunner.Run(["mdl", "--data", data, "--sizes", "0,1", "--out", prefix]).Code);
        string[] tsv = File.ReadAllLines(prefix + ".tsv");
        Assert.Equal(3, tsv.Length);
        Assert.StartsWith("order:k=0\t256\t3000\t24000.0\t", tsv[1], StringComparison.Ordinal);
        Assert.True(new FileInfo(prefix + ".png").Length > 1000);
        Assert.Equal(1, Support.CliRunner.Run(["mdl", "--data", data, "--sizes", "0", "--out", prefix]).Code);
    }

    [Fact]
    public void Mdl_BadArguments_ExitWithUsageError()
    {
        Assert.Equal(1, Support.CliRunner.Run(["mdl", "--data", Path.Combine(_dir, "missing")]).Code);
        string data = Write("d.txt", PrequentialTests.Text(100));
        Assert.Equal(1, Support.CliRunner.Run(["mdl", "--data", data, "--sizes", "7"]).Code);
        Assert.Equal(1, Support.CliRunner.Run(["mdl", "--data", data, "--model", "nosuch"]).Code);
        Assert.Equal(2, Support.CliRunner.Run(["mdl", "--data", Write("empty", [])]).Code);
    }

    [Fact]
    public void Transfer_RelatedSourceSavesBits_RandomDoesNot()
    {
        string target = Write("y.txt", PrequentialTests.Text(2000, 2));
        string related = Write("x.txt", PrequentialTests.Text(6000, 1));
        string prefix = Path.Combine(_dir, "tr");
        Assert.Equal(0, Support.CliRunner.Run(["transfer", "--target", target, "--sources", related, "random:6000", "--models", "order1", "--out", prefix]).Code);
        var rows = File.ReadAllLines(prefix + ".tsv").Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.Equal(2, rows.Count);
        double saved(string[] r) => double.Parse(r[8], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(saved(rows[0]) > 0.2, rows[0][8]);
        Assert.True(saved(rows[1]) < 0.01, rows[1][8]);
        Assert.Equal(1, Support.CliRunner.Run(["transfer", "--target", target]).Code);
        Assert.Equal(1, Support.CliRunner.Run(["transfer", "--target", target, "--sources", Path.Combine(_dir, "missing")]).Code);
    }
}

public sealed class PrimeCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kolmo-prime-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData("order3")]
    [InlineData("cm")]
    public void PrimeData_CompressDecompress_AndAMissingOrDifferentPriorIsOneLineExitTwo(string model)
    {
        string x = Path.Combine(_dir, "x.txt"), y = Path.Combine(_dir, "y.txt"), other = Path.Combine(_dir, "o.txt");
        File.WriteAllBytes(x, PrequentialTests.Text(4000, 21));
        File.WriteAllBytes(y, PrequentialTests.Text(1500, 22));
        File.WriteAllBytes(other, PrequentialTests.Text(4000, 23));
        string packed = Path.Combine(_dir, "y.kolmo"), back = Path.Combine(_dir, "y.out");
        var (code, _, err) = Support.CliRunner.Run("c", "-q", "-m", model, "-l", "1", "--prime-data", x, "-o", packed, y);
        Assert.True(code == 0, err);
        var (infoCode, info, _) = Support.CliRunner.Run("info", packed);
        Assert.Equal(0, infoCode);
        Assert.Contains("prior       data file", info, StringComparison.Ordinal);

        var missing = Support.CliRunner.Run("d", "-q", "-o", back, packed);
        Assert.Equal(2, missing.Code);
        Assert.Contains("--prime-data", missing.Err, StringComparison.Ordinal);
        Assert.Single(missing.Err.Trim().Split('\n'));
        Assert.False(File.Exists(back));

        var different = Support.CliRunner.Run("d", "-q", "--prime-data", other, "-o", back, packed);
        Assert.Equal(2, different.Code);
        Assert.Contains("differs", different.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(back));

        var ok = Support.CliRunner.Run("d", "-q", "--prime-data", x, "-o", back, packed);
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Equal(File.ReadAllBytes(y), File.ReadAllBytes(back));

        var noFile = Support.CliRunner.Run("c", "-q", "-m", model, "--prime-data", Path.Combine(_dir, "nope"), "-f", "-o", packed, y);
        Assert.NotEqual(0, noFile.Code);
        Assert.Contains("--prime-data", noFile.Err, StringComparison.Ordinal);
    }
}
