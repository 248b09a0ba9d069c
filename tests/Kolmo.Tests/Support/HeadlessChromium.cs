using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Kolmo.Tests.Support;

/// <summary>What a page looked like in a real browser.</summary>
/// <param name="Text">The page's rendered text (<c>document.body.innerText</c>).</param>
/// <param name="Images">Every <c>img</c>: its source (first 40 characters), whether it loaded (complete, natural width &gt; 0) and its natural size.</param>
/// <param name="Scripts">Number of <c>script</c> elements.</param>
/// <param name="ExternalUrls">Every <c>src</c>/<c>href</c> that is not a data: URI or an in-page anchor.</param>
/// <param name="ConsoleErrors">Console errors, uncaught exceptions and browser log errors seen while loading.</param>
/// <param name="Screenshot">PNG of the whole page.</param>
public sealed record PageReport(string Text, IReadOnlyList<(string Source, bool Loaded, int Width, int Height)> Images, int Scripts,
    IReadOnlyList<string> ExternalUrls, IReadOnlyList<string> ConsoleErrors, byte[] Screenshot);

/// <summary>
/// Debian's Chromium, headless, driven over the Chrome DevTools Protocol (a WebSocket, no driver or package): loads
/// a file, collects console errors, checks images and text, and takes a full-page screenshot.
/// </summary>
public static class HeadlessChromium
{
    /// <summary>The browser executable, or null when none is installed.</summary>
    public static string? Executable { get; } = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    /// <summary>Loads <paramref name="htmlFile"/> at <paramref name="width"/> CSS pixels wide and reports what rendered.</summary>
    public static PageReport Load(string htmlFile, int width = 1100, int timeoutSeconds = 60)
    {
        string exe = Executable ?? throw new InvalidOperationException("chromium is not installed");
        string profile = Directory.CreateTempSubdirectory("kolmo-chromium-").FullName;
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--remote-debugging-port=0", "--remote-allow-origins=*",
            $"--user-data-dir={profile}", $"--window-size={width},900", "about:blank",
        })
        {
            psi.ArgumentList.Add(a);
        }
        using var browser = Process.Start(psi)!;
        var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            return LoadAsync(browser, new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri, width, cts.Token).GetAwaiter().GetResult();
        }
        finally
        {
            try
            {
                browser.Kill(entireProcessTree: true);
                browser.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
            }
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<PageReport> LoadAsync(Process browser, string url, int width, CancellationToken ct)
    {
        // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID"
        int port = 0;
        while (port == 0)
        {
            string? line = await browser.StandardError.ReadLineAsync(ct);
            if (line is null)
            {
                throw new InvalidOperationException("chromium exited before its DevTools endpoint was up");
            }
            var m = Regex.Match(line, @"DevTools listening on ws://[^:]+:(\d+)/");
            if (m.Success)
            {
                port = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        _ = DrainAsync(browser.StandardError);
        _ = DrainAsync(browser.StandardOutput);
        using var http = new HttpClient();
        string? pageWs = null;
        while (pageWs is null)
        {
            var list = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list"), ct))!.AsArray();
            pageWs = list.FirstOrDefault(t => (string?)t!["type"] == "page")?["webSocketDebuggerUrl"]?.GetValue<string>();
            if (pageWs is null)
            {
                await Task.Delay(100, ct);
            }
        }
        await using var cdp = await Cdp.ConnectAsync(new Uri(pageWs), ct);
        await cdp.SendAsync("Runtime.enable", null, ct);
        await cdp.SendAsync("Log.enable", null, ct);
        await cdp.SendAsync("Page.enable", null, ct);
        await cdp.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = 900, ["deviceScaleFactor"] = 1, ["mobile"] = false }, ct);
        var loaded = cdp.WaitForEvent("Page.loadEventFired", ct);
        await cdp.SendAsync("Page.navigate", new JsonObject { ["url"] = url }, ct);
        await loaded;
        const string probe = """
            JSON.stringify({
              text: document.body ? document.body.innerText : "",
              images: [...document.images].map(i => ({ src: i.getAttribute("src").slice(0, 40), ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth, h: i.naturalHeight })),
              scripts: document.scripts.length,
              external: [...document.querySelectorAll("[src],[href]")].map(e => e.getAttribute("src") ?? e.getAttribute("href")).filter(u => !u.startsWith("data:") && !u.startsWith("#")),
              height: Math.ceil(document.documentElement.scrollHeight)
            })
            """;
        var value = await cdp.SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = probe, ["returnByValue"] = true }, ct);
        var page = JsonNode.Parse(value!["result"]!["value"]!.GetValue<string>())!;
        int height = page["height"]!.GetValue<int>();
        await cdp.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false }, ct);
        var shot = await cdp.SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true }, ct);
        return new PageReport(
            page["text"]!.GetValue<string>(),
            [.. page["images"]!.AsArray().Select(i => (i!["src"]!.GetValue<string>(), i["ok"]!.GetValue<bool>(), i["w"]!.GetValue<int>(), i["h"]!.GetValue<int>()))],
            page["scripts"]!.GetValue<int>(),
            [.. page["external"]!.AsArray().Select(u => u!.GetValue<string>())],
            cdp.Errors,
            Convert.FromBase64String(shot!["data"]!.GetValue<string>()));
    }

    private static async Task DrainAsync(StreamReader r)
    {
        try
        {
            while (await r.ReadLineAsync() is not null)
            {
            }
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>A minimal DevTools Protocol session: numbered commands, their replies, and the events we watch.</summary>
    private sealed class Cdp : IAsyncDisposable
    {
        private readonly ClientWebSocket _ws = new();
        private readonly Dictionary<int, TaskCompletionSource<JsonNode?>> _pending = [];
        private readonly Dictionary<string, TaskCompletionSource> _waits = [];
        private readonly List<string> _errors = [];
        private readonly Lock _gate = new();
        private int _next;
        private Task? _reader;

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_gate)
                {
                    return [.. _errors];
                }
            }
        }

        public static async Task<Cdp> ConnectAsync(Uri uri, CancellationToken ct)
        {
            var c = new Cdp();
            c._ws.Options.KeepAliveInterval = TimeSpan.Zero;
            await c._ws.ConnectAsync(uri, ct);
            c._reader = c.ReadAsync(ct);
            return c;
        }

        public Task WaitForEvent(string method, CancellationToken ct)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ct.Register(() => tcs.TrySetCanceled(ct));
            lock (_gate)
            {
                _waits[method] = tcs;
            }
            return tcs.Task;
        }

        public async Task<JsonNode?> SendAsync(string method, JsonObject? parameters, CancellationToken ct)
        {
            var tcs = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
            ct.Register(() => tcs.TrySetCanceled(ct));
            int id;
            lock (_gate)
            {
                id = ++_next;
                _pending[id] = tcs;
            }
            var msg = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
            await _ws.SendAsync(Encoding.UTF8.GetBytes(msg.ToJsonString()), WebSocketMessageType.Text, true, ct);
            return await tcs.Task;
        }

        private async Task ReadAsync(CancellationToken ct)
        {
            var buffer = new byte[1 << 16];
            var message = new MemoryStream();
            while (_ws.State == WebSocketState.Open && !ct.IsCancellationRequested)
            {
                WebSocketReceiveResult r;
                try
                {
                    r = await _ws.ReceiveAsync(buffer, ct);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException)
                {
                    break;
                }
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage)
                {
                    continue;
                }
                var node = JsonNode.Parse(message.ToArray());
                message.SetLength(0);
                Dispatch(node!);
            }
            lock (_gate)
            {
                foreach (var p in _pending.Values)
                {
                    p.TrySetException(new InvalidOperationException("the DevTools connection closed"));
                }
            }
        }

        private void Dispatch(JsonNode node)
        {
            if (node["id"] is { } idNode)
            {
                TaskCompletionSource<JsonNode?>? tcs;
                lock (_gate)
                {
                    _pending.Remove(idNode.GetValue<int>(), out tcs);
                }
                if (node["error"] is { } err)
                {
                    tcs?.TrySetException(new InvalidOperationException($"DevTools error: {err.ToJsonString()}"));
                }
                else
                {
                    tcs?.TrySetResult(node["result"]);
                }
                return;
            }
            string method = node["method"]?.GetValue<string>() ?? "";
            var p = node["params"];
            string? type = p is null ? null : (string?)p["type"];
            string? level = p?["entry"] is { } entry ? (string?)entry["level"] : null;
            lock (_gate)
            {
                switch (method)
                {
                    case "Runtime.consoleAPICalled" when type is "error" or "assert":
                        _errors.Add("console: " + p!["args"]!.ToJsonString());
                        break;
                    case "Runtime.exceptionThrown":
                        _errors.Add("exception: " + p!["exceptionDetails"]!.ToJsonString());
                        break;
                    case "Log.entryAdded" when level == "error":
                        _errors.Add("log: " + p!["entry"]!["text"]!.GetValue<string>());
                        break;
                }
                if (_waits.Remove(method, out var w))
                {
                    w.TrySetResult();
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_ws.State == WebSocketState.Open)
                {
                    using var t = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await _ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", t.Token);
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
            _ws.Dispose();
            if (_reader is not null)
            {
                await Task.WhenAny(_reader, Task.Delay(2000));
            }
        }
    }
}

/// <summary>
/// A test that needs a real browser: skipped, with the reason, when chromium is not installed — unless
/// <c>KOLMO_REQUIRE_BROWSER=1</c> is set (as <c>.ci/run</c> does after installing it), where a missing browser fails the test.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (HeadlessChromium.Executable is null && Environment.GetEnvironmentVariable("KOLMO_REQUIRE_BROWSER") != "1")
        {
            Skip = "chromium is not installed (apt-get install -y chromium); .ci/run installs it and sets KOLMO_REQUIRE_BROWSER=1";
        }
    }
}
