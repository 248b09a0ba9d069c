using System.Diagnostics;
using Kolmo.Cli;
using Kolmo.Compression;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Compression;

[CollectionDefinition("Console", DisableParallelization = true)]
public class ConsoleCollection
{
}

/// <summary>kolmo compress/decompress/info/bench in-process: exit codes, messages, files left behind.</summary>
[Collection("Console")]
public sealed class CompressionCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kolmo-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static (int Code, string Out, string Err) Run(params string[] args) => Support.CliRunner.Run(args);

    [Fact]
    public void CompressThenDecompress_RoundTrips_AndPrintsSummary()
    {
        var data = TestFiles.Text(5000, 1);
        File.WriteAllBytes(P("a.txt"), data);
        var (code, _, err) = Run("c", "--model", "order3", "--level", "1", P("a.txt"));
        Assert.Equal(0, code);
        Assert.Matches(@"5000 -> \d+ bytes, \d\.\d{3} bpb, .* MB/s, peak memory \d+ MiB", err);
        Assert.True(File.Exists(P("a.txt")), "input kept by default");
        File.Move(P("a.txt"), P("orig.txt"));
        Assert.Equal(0, Run("d", P("a.txt.kolmo")).Code);
        Assert.Equal(data, File.ReadAllBytes(P("a.txt")));
        Assert.Equal(0, Run("d", P("a.txt.kolmo"), "-o", P("b.txt"), "--rm").Code);
        Assert.False(File.Exists(P("a.txt.kolmo")), "--rm removes the input");
        Assert.Equal(data, File.ReadAllBytes(P("b.txt")));
    }

    [Fact]
    public void ExistingOutput_NotOverwrittenWithoutForce()
    {
        File.WriteAllText(P("a.txt"), "hello");
        File.WriteAllText(P("a.txt.kolmo"), "precious");
        var (code, _, err) = Run("c", P("a.txt"));
        Assert.Equal(1, code);
        Assert.Contains("already exists; use -f/--force", err);
        Assert.Equal("precious", File.ReadAllText(P("a.txt.kolmo")));
        Assert.Equal(0, Run("c", "-f", "-q", P("a.txt")).Code);
        Assert.NotEqual("precious", File.ReadAllText(P("a.txt.kolmo")));
    }

    [Fact]
    public void CorruptInput_ExitCode2_OneLine_NoOutputLeft()
    {
        File.WriteAllBytes(P("x.txt"), TestFiles.Text(3000, 2));
        Run("c", "-q", "--model", "order3", "--level", "1", P("x.txt"));
        var packed = File.ReadAllBytes(P("x.txt.kolmo"));
        File.WriteAllBytes(P("t.kolmo"), packed[..(packed.Length / 2)]);
        var (code, _, err) = Run("d", P("t.kolmo"));
        Assert.Equal(2, code);
        Assert.StartsWith("kolmo: ", err);
        Assert.Contains("truncated input", err);
        Assert.Contains("offset", err);
        Assert.Single(err.Trim().Split('\n'));
        packed[^3] ^= 0x40;   // inside the checksum: detected only after all data was decoded
        File.WriteAllBytes(P("c.kolmo"), packed);
        Assert.Equal(2, Run("d", P("c.kolmo")).Code);
        Assert.Equal(2, Run("d", P("x.txt"), "-o", P("y")).Code);   // wrong magic
        Assert.Equal(new[] { "c.kolmo", "t.kolmo", "x.txt", "x.txt.kolmo" }, Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)!).Order().ToArray());
    }

    [Fact]
    public void UsageErrors_ExitCode1()
    {
        File.WriteAllText(P("a.txt"), "hello");
        Assert.Equal(1, Run("c", P("missing")).Code);
        Assert.Equal(1, Run("c", "--level", "0", P("a.txt")).Code);
        Assert.Equal(1, Run("c", "--model", "nope", P("a.txt")).Code);
        Assert.Equal(1, Run("c", "--memory", "1K", P("a.txt")).Code);
        Assert.Equal(1, Run("d", P("a.txt")).Code);                    // unknown suffix
        Assert.Equal(1, Run("c", "-o", P("o"), "-c", P("a.txt")).Code);
        // (info X Y is now the information report, see 3d941f3: no longer a usage error)
        Assert.False(File.Exists(P("a.txt.kolmo")));
    }

    [Fact]
    public void Info_PrintsHeader_TextAndJson()
    {
        File.WriteAllBytes(P("a.txt"), TestFiles.Text(2000, 3));
        Run("c", "-q", "--model", "order3", "--level", "2", P("a.txt"));
        var (code, text, _) = Run("info", P("a.txt.kolmo"));
        Assert.Equal(0, code);
        Assert.Contains("model       order3 (id 1), level 2", text);
        Assert.Contains("original    2000 bytes", text);
        var (jcode, json, _) = Run("info", "--json", P("a.txt.kolmo"));
        Assert.Equal(0, jcode);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(2000, doc.RootElement.GetProperty("originalBytes").GetInt64());
        Assert.Equal("order3", doc.RootElement.GetProperty("model").GetString());
        Assert.Equal(2, Run("info", P("a.txt")).Code);
    }

    [Fact]
    public void SegmentWarmup_Option_WrittenAndShown_BadValueRefused()
    {
        var data = TestFiles.Text(20_000, 5);
        File.WriteAllBytes(P("a.txt"), data);
        Assert.Equal(0, Run("c", "-q", "-m", "cm", "-l", "1", "--memory", "12M", "--segment-size", "8K", "-T", "2", "-o", P("warm.kolmo"), P("a.txt")).Code);
        Assert.Equal(0, Run("c", "-q", "-m", "cm", "-l", "1", "--memory", "12M", "--segment-size", "8K", "--segment-warmup", "0", "-o", P("cold.kolmo"), P("a.txt")).Code);
        Assert.Equal(0, Run("c", "-q", "-m", "cm", "-l", "1", "--memory", "12M", "--segment-size", "8K", "--segment-warmup", "3K", "-o", P("three.kolmo"), P("a.txt")).Code);
        Assert.Contains("8192 bytes each, each after the first warmed up with the input's first 1024 bytes", Run("info", P("warm.kolmo")).Out);
        Assert.Contains("8192 bytes each, independent", Run("info", P("cold.kolmo")).Out);
        using (var doc = System.Text.Json.JsonDocument.Parse(Run("info", "--json", P("three.kolmo")).Out))
        {
            Assert.Equal(8192, doc.RootElement.GetProperty("segmentSize").GetInt64());
            Assert.Equal(3072, doc.RootElement.GetProperty("segmentWarmup").GetInt64());
        }
        foreach (var name in new[] { "warm", "cold", "three" })
        {
            Assert.Equal(0, Run("d", "-T", "2", P(name + ".kolmo"), "-o", P(name + ".out")).Code);
            Assert.Equal(data, File.ReadAllBytes(P(name + ".out")));
        }
        var (code, _, err) = Run("c", "-m", "cm", "--segment-size", "8K", "--segment-warmup", "lots", "-o", P("bad.kolmo"), P("a.txt"));
        Assert.Equal(1, code);
        Assert.Contains("--segment-warmup: cannot read 'lots' as a size", err);
        var (bigCode, _, bigErr) = Run("c", "-m", "cm", "--segment-size", "8K", "--segment-warmup", "2G", "-o", P("bad.kolmo"), P("a.txt"));
        Assert.Equal(1, bigCode);
        Assert.Equal("kolmo: --segment-warmup 2G: at most 1G (1073741824 bytes)", bigErr.Trim());
        Assert.False(File.Exists(P("bad.kolmo")));
    }

    [Fact]
    public void Bench_SmallFolder_TsvWithRoundTrips()
    {
        File.WriteAllBytes(P("one"), TestFiles.Text(3000, 4));
        File.WriteAllBytes(P("two"), TestFiles.Random(500, 5));
        var (code, tsv, _) = Run("bench", "--tsv", "--compressors", "order3,gzip", _dir);
        Assert.Equal(0, code);
        var lines = tsv.Trim().Split('\n');
        Assert.Equal(1 + 4 + 2, lines.Length);   // header, 2 files × 2 compressors, 2 totals
        Assert.All(lines.Skip(1), l => Assert.EndsWith("ok", l.TrimEnd()));
        Assert.Equal(1, Run("bench", "--compressors", "nope", _dir).Code);
    }

    [Fact]
    public void ChildProcesses_WithoutSimdOrAvx512_WriteIdenticalBytes()
    {
        // Determinism: the .kolmo bytes must not depend on SIMD width or CPU features.
        byte[] data = [.. TestFiles.Canterbury("alice29.txt").AsSpan(0, 20_000), .. TestFiles.Canterbury("kennedy.xls").AsSpan(0, 10_000)];
        File.WriteAllBytes(P("in"), data);
        string cli = Path.Combine(AppContext.BaseDirectory, "Kolmo.Cli.dll");
        var expected = new ModelCompressor("order3", 3).CompressBytes(data);
        foreach (var (name, env) in new[] { ("plain", ""), ("nosimd", "DOTNET_EnableHWIntrinsic"), ("noavx512", "DOTNET_EnableAVX512F") })
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { cli, "c", "-q", "--model", "order3", "--level", "3", P("in"), "-o", P(name) })
            {
                psi.ArgumentList.Add(a);
            }
            if (env.Length > 0)
            {
                psi.Environment[env] = "0";
            }
            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{name}: exit {p.ExitCode} {err}");
            Assert.Equal(expected, File.ReadAllBytes(P(name)));
        }
    }
}
