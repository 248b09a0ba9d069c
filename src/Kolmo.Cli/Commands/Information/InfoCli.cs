using System.Globalization;
using System.Text;
using Kolmo.Cli.Infrastructure;
using Kolmo.Information;
using Spectre.Console;

namespace Kolmo.Cli.Commands.Information;

/// <summary>Shared helpers of the information commands.</summary>
internal static class InfoCli
{
    public static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Parses a comma-separated compressor list ("all" = every source).</summary>
    public static IReadOnlyList<ICodeLength> Compressors(string? list)
    {
        if (string.IsNullOrWhiteSpace(list) || list.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return CodeLengthPanel.Create();
        }
        try
        {
            return CodeLengthPanel.Create(list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
        }
    }

    /// <summary>Reads a whole input file with a clear error when it is missing.</summary>
    public static byte[] ReadFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"{path} is a directory; a file is needed");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }
        return File.ReadAllBytes(path);
    }

    /// <summary>Expands files and directories (all files inside, sorted) into named inputs with unique names.</summary>
    public static List<(string Name, byte[] Data)> ReadInputs(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                files.AddRange(Directory.GetFiles(p).Where(f => !Path.GetFileName(f).StartsWith('.')).OrderBy(f => f, StringComparer.Ordinal));
            }
            else if (File.Exists(p))
            {
                files.Add(p);
            }
            else
            {
                throw new FileNotFoundException($"{p}: no such file or directory", p);
            }
        }
        if (files.Count < 2)
        {
            throw new UsageException($"at least 2 input files are needed, found {files.Count}");
        }
        var names = files.Select(Path.GetFileName).ToList();
        bool unique = names.Distinct(StringComparer.Ordinal).Count() == names.Count;
        return [.. files.Select((f, i) => (unique ? names[i]! : f, File.ReadAllBytes(f)))];
    }

    /// <summary>Runs <paramref name="work"/> under a progress bar on stderr (when stderr is a terminal and <paramref name="enabled"/>).</summary>
    public static T WithProgress<T>(string title, int total, bool enabled, Func<Action<int>, T> work)
    {
        if (!enabled || Console.IsErrorRedirected || total <= 0)
        {
            return work(_ => { });
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: total);
                object gate = new();
                result = work(done =>
                {
                    lock (gate)
                    {
                        if (done > task.Value)
                        {
                            task.Value = done;
                        }
                    }
                });
                task.Value = total;
            });
        return result;
    }

    public static string F(double v, string fmt = "F1") => v.ToString(fmt, Inv);

    /// <summary>Plain-text table with right-aligned numeric columns.</summary>
    public static string Table(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var w = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            for (int i = 0; i < cells.Count; i++)
            {
                sb.Append(i == 0 ? cells[i].PadRight(w[i]) : "  " + cells[i].PadLeft(w[i]));
            }
            sb.Append('\n');
        }
        Line(header);
        Line([.. w.Select(n => new string('-', n))]);
        foreach (var r in rows)
        {
            Line(r);
        }
        return sb.ToString();
    }

    public static bool IsSvg(string path) => Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase);

    public static void CheckPicturePath(string? path)
    {
        if (path is null)
        {
            return;
        }
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not ".png" and not ".svg")
        {
            throw new UsageException($"{path}: pictures are written as .png or .svg");
        }
    }
}
