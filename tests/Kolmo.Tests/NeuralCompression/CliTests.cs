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
        Assert.Equal(0, global::Kolmo.Cli.Program.CreateApp().Run(["mdl", "--data", data, "--sizes", "0,1", "--out", prefix]));
        string[] tsv = File.ReadAllLines(prefix + ".tsv");
        Assert.Equal(3, tsv.Length);
        Assert.StartsWith("order:k=0\t256\t3000\t24000.0\t", tsv[1], StringComparison.Ordinal);
        Assert.True(new FileInfo(prefix + ".png").Length > 1000);
        Assert.Equal(1, global::Kolmo.Cli.Program.CreateApp().Run(["mdl", "--data", data, "--sizes", "0", "--out", prefix]));
    }

    [Fact]
    public void Mdl_BadArguments_ExitWithUsageError()
    {
        Assert.Equal(1, global::Kolmo.Cli.Program.CreateApp().Run(["mdl", "--data", Path.Combine(_dir, "missing")]));
        string data = Write("d.txt", PrequentialTests.Text(100));
        Assert.Equal(1, global::Kolmo.Cli.Program.CreateApp().Run(["mdl", "--data", data, "--sizes", "7"]));
        Assert.Equal(1, global::Kolmo.Cli.Program.CreateApp().Run(["mdl", "--data", data, "--model", "nosuch"]));
        Assert.Equal(2, global::Kolmo.Cli.Program.CreateApp().Run(["mdl", "--data", Write("empty", [])]));
    }

    [Fact]
    public void Transfer_RelatedSourceSavesBits_RandomDoesNot()
    {
        string target = Write("y.txt", PrequentialTests.Text(2000, 2));
        string related = Write("x.txt", PrequentialTests.Text(6000, 1));
        string prefix = Path.Combine(_dir, "tr");
        Assert.Equal(0, global::Kolmo.Cli.Program.CreateApp().Run(["transfer", "--target", target, "--sources", related, "random:6000", "--models", "order1", "--out", prefix]));
        var rows = File.ReadAllLines(prefix + ".tsv").Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.Equal(2, rows.Count);
        double saved(string[] r) => double.Parse(r[8], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(saved(rows[0]) > 0.2, rows[0][8]);
        Assert.True(saved(rows[1]) < 0.01, rows[1][8]);
        Assert.Equal(1, global::Kolmo.Cli.Program.CreateApp().Run(["transfer", "--target", target]));
        Assert.Equal(1, global::Kolmo.Cli.Program.CreateApp().Run(["transfer", "--target", target, "--sources", Path.Combine(_dir, "missing")]));
    }
}
