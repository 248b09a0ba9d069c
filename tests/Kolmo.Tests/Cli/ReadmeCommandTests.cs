using System.Text;
using System.Text.RegularExpressions;
using Kolmo.Cli;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Cli;

/// <summary>
/// Every <c>kolmo</c> command in README.md — in shell blocks and in inline synopses — is a command line the tool
/// accepts: the command and every option exist, values convert, and the settings validate (checked without running;
/// the commands themselves are exercised by the feature tests and by .ci/installed-tool-test).
/// </summary>
[Collection("Console")]
public sealed partial class ReadmeCommandTests
{
    // an inline code span holding a kolmo command (not one whose closing backtick is escaped inside another span)
    [GeneratedRegex(@"`(kolmo [^`]*[^`\\])`")]
    private static partial Regex InlineCommand();

    /// <summary>
    /// The README's kolmo command lines, each with the README line it came from. An inline mention of just
    /// <c>kolmo NAME</c> in prose names a command (it must exist) rather than showing a command line.
    /// </summary>
    public static IReadOnlyList<(int Line, string Command)> Commands()
    {
        var lines = File.ReadAllLines(TestFiles.Path("README.md"));
        var found = new List<(int, string)>();
        bool inShell = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inShell = !inShell && line.Trim() is "```sh" or "```bash" or "```shell";
                continue;
            }
            if (inShell)
            {
                var sb = new StringBuilder(line);
                int first = i;
                while (sb.ToString().TrimEnd().EndsWith('\\') && i + 1 < lines.Length)
                {
                    string s = sb.ToString().TrimEnd();
                    sb.Clear().Append(s[..^1]).Append(' ').Append(lines[++i].Trim());
                }
                foreach (var segment in ShellSegments(StripComment(sb.ToString())))
                {
                    if (segment.StartsWith("kolmo ", StringComparison.Ordinal))
                    {
                        found.Add((first + 1, segment));
                    }
                }
                continue;
            }
            foreach (Match m in InlineCommand().Matches(line))
            {
                foreach (var segment in ShellSegments(m.Groups[1].Value))
                {
                    if (segment.StartsWith("kolmo ", StringComparison.Ordinal))
                    {
                        found.Add((i + 1, segment));
                    }
                }
            }
        }
        return found;
    }

    [Fact]
    public void Readme_HasCommandsForEveryCommand()
    {
        var commands = Commands();
        Assert.True(commands.Count >= 40, $"only {commands.Count} kolmo commands found in README.md");
        var used = commands.Select(c => Words(c.Command)[1]).ToHashSet(StringComparer.Ordinal);
        foreach (var c in Program.CreateApp().Catalog.Commands)
        {
            Assert.True(used.Contains(c.Name) || c.Aliases.Any(used.Contains), $"README.md shows no example of 'kolmo {c.Name}'");
        }
    }

    [Fact]
    public void Readme_EveryCommandIsAccepted()
    {
        var catalog = Program.CreateApp().Catalog;
        var failures = new List<string>();
        foreach (var (line, command) in Commands())
        {
            if (Words(command) is [_, var name] && !name.StartsWith('-'))
            {
                if (catalog.Find(name) is null)
                {
                    failures.Add($"README.md:{line}: no command '{name}'");
                }
                continue;
            }
            string[] args = Normalise(Words(command).Skip(1).ToList(), catalog);
            var (code, _, err) = CliRunner.Check(args);
            if (code != 0)
            {
                failures.Add($"README.md:{line}: {command}\n    → {string.Join(' ', args)}\n    {err.Trim()}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Turns a synopsis into one concrete command line: optional parts taken, the first of alternatives, placeholders filled.</summary>
    private static string[] Normalise(List<string> words, Kolmo.Cli.Infrastructure.CommandCatalog catalog)
    {
        var args = new List<string>();
        foreach (string w0 in words)
        {
            if (w0 is "…" or "...")
            {
                args.Add("x");   // a value left to the reader (kolmo ncd DIR -o …)
                continue;
            }
            string w = w0.Replace("[", "", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal)
                .Replace("…", "", StringComparison.Ordinal).Replace("...", "", StringComparison.Ordinal).Replace("$", "", StringComparison.Ordinal);
            if (w.Length == 0)
            {
                continue;
            }
            if (w.Contains('|', StringComparison.Ordinal) && !w.StartsWith('"'))
            {
                w = w.Split('|')[0];
            }
            args.Add(w.Trim('"'));
        }
        if (args.Count > 0 && args[0] == "COMMAND")
        {
            args[0] = "compress";
        }
        // placeholders of numeric values (N, THREADS, 1-9) become a number
        var spec = args.Count > 0 ? catalog.Find(args[0]) : null;
        for (int i = 1; spec is not null && i + 1 < args.Count; i++)
        {
            var option = args[i].StartsWith("--", StringComparison.Ordinal) ? spec.Long(args[i][2..])
                : args[i].Length == 2 && args[i][0] == '-' ? spec.Short(args[i][1]) : null;
            if (option is { TakesValue: true } && IsNumeric(option.ValueType) && Regex.IsMatch(args[i + 1], @"^([A-Z]+|\d+-\d+)$"))
            {
                args[i + 1] = args[i + 1].Split('-')[0] is { Length: > 0 } n && char.IsAsciiDigit(n[0]) ? n : "2";
            }
        }
        return [.. args];
    }

    private static bool IsNumeric(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return Type.GetTypeCode(t) is >= TypeCode.SByte and <= TypeCode.Decimal;
    }

    /// <summary>The commands of a shell line: split at |, &amp;&amp;, ;, a background &amp; and redirections.</summary>
    private static IEnumerable<string> ShellSegments(string line)
    {
        var s = line.Replace("\\|", "|", StringComparison.Ordinal);
        foreach (var part in Regex.Split(s, @"\s(?:\||&&)\s|;\s|\s&(?:\s|$)"))
        {
            yield return Regex.Replace(part, @"\s[<>]\s*\S+", "").Trim();
        }
    }

    private static string StripComment(string line)
    {
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                quoted = !quoted;
            }
            if (!quoted && line[i] == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }
        return line;
    }

    /// <summary>Shell-like words: whitespace-separated, double quotes group.</summary>
    private static List<string> Words(string command)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in command)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
                continue;
            }
            if (char.IsWhiteSpace(c) && !quoted)
            {
                if (any)
                {
                    words.Add(current.ToString());
                }
                current.Clear();
                any = false;
                continue;
            }
            current.Append(c);
            any = true;
        }
        if (any)
        {
            words.Add(current.ToString());
        }
        return words;
    }
}
