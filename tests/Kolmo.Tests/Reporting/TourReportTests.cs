using System.Globalization;
using System.Text.RegularExpressions;
using Kolmo.Experiments;
using Kolmo.Reporting;
using Kolmo.Tests.Experiments;
using Kolmo.Tests.Support;
using Xunit.Abstractions;

namespace Kolmo.Tests.Reporting;

/// <summary>report.html of the tour: self-contained, without script, every chapter with its numbers — and, in a real browser, no errors.</summary>
public class TourReportTests(ITestOutputHelper output)
{
    private static readonly Lazy<string> Page = new(() => TourReport.Html(TinyTour.Results, "kolmo tour --test"));

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    [Fact]
    public void Html_IsSelfContained_WithoutScript_AndHasEveryChapter()
    {
        string html = Page.Value;
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(new Regex(@"(src|href)=""(?!data:|#)"), html);
        var images = Regex.Matches(html, @"<img src=""data:image/png;base64,([A-Za-z0-9+/=]+)""");
        Assert.True(images.Count >= 9, $"{images.Count} images");
        foreach (Match m in images)
        {
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], Convert.FromBase64String(m.Groups[1].Value)[..4]);
        }
        foreach (var chapter in Tour.Chapters)
        {
            Assert.Contains($"<section id=\"{chapter.Id}\">", html, StringComparison.Ordinal);
        }
        Assert.Equal(Tour.Chapters.Count, Regex.Matches(html, "Repeat it on your own data").Count);
        Assert.Equal(Tour.Chapters.Count, Regex.Matches(html, "class=\"verdict").Count);
    }

    [Fact]
    public void Html_ShowsTheMeasuredNumbers()
    {
        string html = Page.Value;
        var r = TinyTour.Results;
        foreach (var (chapter, figures) in TourReport.Headlines(r))
        {
            Assert.NotEmpty(figures);
            foreach (var f in figures)
            {
                Assert.True(html.Contains(f, StringComparison.Ordinal), $"{chapter}: {f} is not on the page");
            }
        }
        // a few numbers formatted here, independently of the report's own helpers
        Assert.Contains(r.Prediction!.Models[0].FileBytes.ToString("N0", Inv), html, StringComparison.Ordinal);
        Assert.Contains((r.Classification!.Classifiers[0].Accuracy * 100).ToString("F1", Inv) + "%", html, StringComparison.Ordinal);
        Assert.Contains(r.LanguageTree!.Purity[0].Upgma.ToString("F3", Inv), html, StringComparison.Ordinal);
        Assert.Contains(r.Decipher!.Showcase.Ciphertext[..20], html, StringComparison.Ordinal);
    }

    [BrowserFact]
    public void Html_RendersInChromium_WithoutErrors_AndEveryImageLoads()
    {
        string dir = Directory.CreateTempSubdirectory("kolmo-tour-page-").FullName;
        try
        {
            string file = Path.Combine(dir, "report.html");
            File.WriteAllText(file, Page.Value);
            var page = HeadlessChromium.Load(file);
            Assert.Empty(page.ConsoleErrors);
            Assert.Equal(0, page.Scripts);
            Assert.Empty(page.ExternalUrls);
            Assert.True(page.Images.Count >= 9);
            Assert.All(page.Images, i => Assert.True(i.Loaded && i.Width > 100 && i.Height > 100, $"image {i.Source} did not load ({i.Width}x{i.Height})"));
            foreach (var (chapter, figures) in TourReport.Headlines(TinyTour.Results))
            {
                Assert.All(figures, f => Assert.True(page.Text.Contains(f, StringComparison.Ordinal), $"{chapter}: {f} is not in the rendered text"));
            }
            foreach (var c in Tour.Chapters)
            {
                Assert.Contains(c.Title, page.Text, StringComparison.Ordinal);
            }
            string shot = Path.Combine(AppContext.BaseDirectory, "tour-report.png");
            File.WriteAllBytes(shot, page.Screenshot);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], page.Screenshot[..4]);
            output.WriteLine($"screenshot: {shot} ({page.Screenshot.Length:N0} bytes)");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
