using System.Diagnostics;
using System.Text.Json;
using Kolmo.Cli.Commands.Information;

namespace Kolmo.Tests.Information;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kolmo-info-cli-" + Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string name, byte[] data)
    {
        string p = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllBytes(p, data);
        return p;
    }

    [Fact]
    public void InfoPair_Json_HasEveryField_AndBestHasZeroRegret()
    {
        string x = Write("x.txt", TestText.Words(3000, 1));
        string y = Write("y.txt", TestText.Words(3000, 2));
        var stdout = new StringWriter();
        int rc = InfoPair.Run(new InfoPairOptions { X = x, Y = y, Compressors = "deflate,ordermix", Json = true }, stdout, new StringWriter());
        Assert.Equal(0, rc);
        using var doc = JsonDocument.Parse(stdout.ToString());
        var comps = doc.RootElement.GetProperty("compressors").EnumerateArray().ToArray();
        Assert.Equal(["deflate", "ordermix"], comps.Select(c => c.GetProperty("name").GetString()));
        foreach (var c in comps)
        {
            foreach (var k in new[] { "bitsX", "bitsY", "bitsXY", "bitsYGivenX", "bitsXGivenY", "miJoint", "miConditional", "ncd", "regret" })
            {
                Assert.Equal(JsonValueKind.Number, c.GetProperty(k).ValueKind);
            }
            Assert.Equal(c.GetProperty("bitsX").GetDouble() + c.GetProperty("bitsY").GetDouble() - c.GetProperty("bitsXY").GetDouble(), c.GetProperty("miJoint").GetDouble(), 6);
        }
        string best = doc.RootElement.GetProperty("best").GetString()!;
        Assert.Equal(0.0, comps.Single(c => c.GetProperty("name").GetString() == best).GetProperty("regret").GetDouble());
    }

    [Fact]
    public void InfoPair_WarnsPastTheWindow()
    {
        string x = Write("big.txt", TestText.Letters(20_000, 3));
        var stderr = new StringWriter();
        InfoPair.Run(new InfoPairOptions { X = x, Y = x, Compressors = "gzip,bzip2" }, new StringWriter(), stderr);
        Assert.Contains("gzip's window of 32768 bytes", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("bzip2", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Commands_BadInput_ExitCodes()
    {
        var app = Kolmo.Cli.Program.CreateApp();
        Assert.Equal(1, app.Run(["classify", "--train", Path.Combine(_dir, "missing"), "--test", Path.Combine(_dir, "missing")]));
        Directory.CreateDirectory(Path.Combine(_dir, "train", "a"));
        Directory.CreateDirectory(Path.Combine(_dir, "train", "b"));
        Write("train/a/1.txt", TestText.Words(200, 1));
        Assert.Equal(2, app.Run(["classify", "--train", Path.Combine(_dir, "train"), "--test", Path.Combine(_dir, "train")]));
        Assert.Equal(1, app.Run(["bound", "--bits", "10", "--samples", "100", "--delta", "2"]));
        Assert.Equal(1, app.Run(["info", Path.Combine(_dir, "nope"), Path.Combine(_dir, "nope")]));
        Assert.Equal(1, app.Run(["ncd", "-c", "nosuch", Path.Combine(_dir, "train")]));
    }

    [Fact]
    public void Cluster_FromTsv_WritesNewick_AndRefusesToOverwrite()
    {
        string m = Write("m.tsv", "label\tA\tB\tC\tD\nA\t0\t2\t6\t6\nB\t2\t0\t6\t6\nC\t6\t6\t0\t4\nD\t6\t6\t4\t0\n"u8.ToArray());
        string nwk = Path.Combine(_dir, "t.nwk");
        Assert.Equal(0, Kolmo.Cli.Commands.Information.Cluster.Run(new ClusterOptions { Inputs = [m], Out = nwk }));
        Assert.Equal("((A:1,B:1):2,(C:2,D:2):1);\n", File.ReadAllText(nwk));
        var app = Kolmo.Cli.Program.CreateApp();
        Assert.Equal(1, app.Run(["cluster", m, "--method", "nj", "--out", nwk]));
        Assert.Equal("((A:1,B:1):2,(C:2,D:2):1);\n", File.ReadAllText(nwk));
        Assert.Equal(0, app.Run(["cluster", m, "--method", "nj", "--out", nwk, "--force", "--plot", Path.Combine(_dir, "t.svg")]));
        Assert.StartsWith("(", File.ReadAllText(nwk), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "t.svg")));
    }

    [Fact]
    public void Classify_Json_OnATinyDirectorySet()
    {
        for (int i = 0; i < 3; i++)
        {
            Write($"tr/a/{i}.txt", TestText.Words(300, 10 + i));
            Write($"tr/b/{i}.txt", TestText.Words(300, 20 + i, vocabularyB: true));
            Write($"te/a/{i}.txt", TestText.Words(120, 30 + i));
            Write($"te/b/{i}.txt", TestText.Words(120, 40 + i, vocabularyB: true));
        }
        foreach (var method in new[] { "conditional", "knn" })
        {
            var stdout = new StringWriter();
            string preds = Path.Combine(_dir, method + ".tsv");
            int rc = Classify.Run(new ClassifyOptions { Train = Path.Combine(_dir, "tr"), Test = Path.Combine(_dir, "te"), Method = method, Json = true, Out = preds }, stdout);
            Assert.Equal(0, rc);
            using var doc = JsonDocument.Parse(stdout.ToString());
            Assert.Equal(1.0, doc.RootElement.GetProperty("accuracy").GetDouble());
            Assert.Equal(1.0, doc.RootElement.GetProperty("macroF1").GetDouble());
            Assert.True(doc.RootElement.GetProperty("seconds").GetDouble() >= 0);
            Assert.Equal(3, doc.RootElement.GetProperty("confusion")[0][0].GetInt32());
            Assert.Equal(7, File.ReadAllLines(preds).Length);
        }
    }

    [Fact]
    public void Bound_Json_MatchesLibrary()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, Bound.Run(new BoundOptions { TrainError = 0.1, Bits = 1000, Samples = 10_000, Delta = 0.05, Json = true }, stdout));
        using var doc = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(0.2865667324, doc.RootElement.GetProperty("bound").GetDouble(), 9);
    }

    [Fact]
    public void OrderMixCodeLengths_AreIdentical_WithHardwareIntrinsicsDisabled()
    {
        string x = Write("dx.txt", TestText.Words(2000, 5));
        string y = Write("dy.txt", TestText.Letters(1000, 6));
        string cli = Path.Combine(AppContext.BaseDirectory, "Kolmo.Cli.dll");
        string Run(bool noSimd)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { cli, "info", x, y, "-c", "ordermix", "--json" })
            {
                psi.ArgumentList.Add(a);
            }
            if (noSimd)
            {
                psi.Environment["DOTNET_EnableHWIntrinsic"] = "0";
            }
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
            return output;
        }
        string a1 = Run(false);
        Assert.Contains("\"ordermix\"", a1, StringComparison.Ordinal);
        Assert.Equal(a1, Run(true));
    }
}
