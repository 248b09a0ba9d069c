using System.Text.Json;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Experiments;

[Collection("Console")]
public sealed class TourCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kolmo-tour-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Tour_WritesReportHtmlAndJson_AndRefusesToOverwriteWithoutForce()
    {
        string outDir = Path.Combine(_dir, "report");
        var (code, stdout, err) = CliRunner.Run("tour", "--quick", "--chapters", "kolmogorov", "--out", outDir);
        Assert.True(code == 0, err + stdout);
        Assert.Contains("1/1", stdout, StringComparison.Ordinal);
        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("<section id=\"kolmogorov\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<section id=\"prediction\">", html, StringComparison.Ordinal);
        Assert.Contains("kolmo tour --quick --chapters kolmogorov", html, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
        Assert.Equal("quick", json.RootElement.GetProperty("preset").GetString());
        Assert.Equal(4, json.RootElement.GetProperty("kolmogorov").GetProperty("sizes").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("prediction").ValueKind);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));

        (code, _, err) = CliRunner.Run("tour", "--quick", "--chapters", "kolmogorov", "--out", outDir);
        Assert.Equal(1, code);
        Assert.Contains("already exists; use -f/--force", err, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportData_WritesTheFilesTheReportsCommandsUse()
    {
        string dir = Path.Combine(_dir, "data");
        var (code, stdout, err) = CliRunner.Run("tour", "--export-data", dir);
        Assert.True(code == 0, err);
        Assert.Contains("files", stdout, StringComparison.Ordinal);
        Assert.Equal(Kolmo.Experiments.TourData.Udhr("dan"), File.ReadAllBytes(Path.Combine(dir, "languages/udhr/dan.txt")));
        Assert.Equal(25, Directory.GetFiles(Path.Combine(dir, "languages/udhr")).Length);
        Assert.Equal(500, File.ReadAllLines(Path.Combine(dir, "text-classification/sms-spam/SMSSpamCollection")).Length);
        Assert.StartsWith("It is a truth universally acknowledged", File.ReadAllText(Path.Combine(dir, "english/pride-and-prejudice_pg1342-from-start.txt")), StringComparison.Ordinal);
        Assert.Equal(300, File.ReadAllText(Path.Combine(dir, "ciphers/showcase.txt")).Trim().Length);
        (code, _, err) = CliRunner.Run("tour", "--export-data", dir);
        Assert.Equal(1, code);
        Assert.Contains("already exists", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Tour_UnknownChapter_IsAUsageError_AndWritesNothing()
    {
        string outDir = Path.Combine(_dir, "none");
        var (code, _, err) = CliRunner.Run("tour", "--chapters", "prediction,telepathy", "--out", outDir);
        Assert.Equal(1, code);
        Assert.Contains("unknown chapter 'telepathy'", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }
}
