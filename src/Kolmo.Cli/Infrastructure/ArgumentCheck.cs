using System.Globalization;

namespace Kolmo.Cli.Infrastructure;

/// <summary>
/// The strict command-line rules of <c>kolmo</c>, applied before Spectre.Console.Cli binds the settings: an unknown
/// command, an unknown option or a stray argument is an error with a suggestion; a value that does not convert is
/// refused in a plain sentence naming the option; conventional spellings are rewritten (a lone <c>-</c> for standard
/// input, <c>-1</c> … <c>-9</c> for <c>--level</c>, a leading <c>-d</c>/<c>-t</c>/<c>-z</c> as in zstd, stacked short
/// flags such as <c>-kf</c>). Everything is read from the settings classes (<see cref="CommandCatalog"/>), so a
/// command that declares an option gets these rules with nothing else to do.
/// </summary>
public static class ArgumentCheck
{
    /// <summary>What a lone "-" (standard input or output) becomes: Spectre.Console.Cli rejects "-" as a nameless option.</summary>
    public const string StdinToken = "(stdin)";

    private static readonly string[] HelpFlags = ["-h", "--help", "-?"];

    /// <summary>Checks <paramref name="args"/> and returns what to hand to Spectre.</summary>
    /// <exception cref="UsageException">The command line breaks a rule; the message says what and suggests a fix.</exception>
    public static string[] Prepare(IReadOnlyList<string> args, CommandCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(catalog);
        if (args.Count == 0 || HelpFlags.Contains(args[0]))
        {
            return [.. args];
        }
        var rest = args.ToList();
        switch (rest[0])
        {
            case "-d":
                rest[0] = "decompress";
                break;
            case "-t":
                rest[0] = "decompress";
                rest.Insert(1, "--test");
                break;
            case "-z":
                rest[0] = "compress";
                break;
        }
        string name = rest[0];
        if (name.StartsWith('-'))
        {
            throw new UsageException($"unknown option {name}: a command comes first (kolmo COMMAND [OPTIONS]); 'kolmo --help' lists the commands");
        }
        if (catalog.Branches.Contains(name))
        {
            return [.. rest];
        }
        var command = catalog.Find(name)
            ?? throw new UsageException($"unknown command '{name}'{Suggest(name, catalog.AllNames, n => n)} ('kolmo --help' lists the commands)");
        if (rest.Skip(1).Any(a => HelpFlags.Contains(a)))
        {
            return [.. rest];
        }

        var output = new List<string> { name };
        var positionals = new List<string>();
        bool onlyPositionals = false;
        for (int i = 1; i < rest.Count; i++)
        {
            string a = rest[i];
            if (onlyPositionals || a.Length < 2 || !a.StartsWith('-'))
            {
                string value = a == "-" ? StdinToken : a;
                positionals.Add(value);
                output.Add(value);
                continue;
            }
            if (a == "--")
            {
                onlyPositionals = true;
                output.Add(a);
                continue;
            }
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                int eq = a.IndexOf('=', StringComparison.Ordinal);
                string optName = eq < 0 ? a[2..] : a[2..eq];
                var option = command.Long(optName)
                    ?? throw new UsageException($"unknown option --{optName} for 'kolmo {command.Name}'{Suggest(optName, command.Options.Where(o => !o.IsHidden).SelectMany(o => o.LongNames), n => "--" + n)} ('kolmo {command.Name} --help' lists the options)");
                if (eq >= 0)
                {
                    if (!option.TakesValue)
                    {
                        throw new UsageException($"--{optName} takes no value (it is a switch), but was given '{a[(eq + 1)..]}'");
                    }
                    CheckValue(option, "--" + optName, a[(eq + 1)..]);
                    output.Add(a);
                    continue;
                }
                output.Add(a);
                i = TakeValue(option, "--" + optName, rest, i, output);
                continue;
            }
            // "-…": a level shorthand, one short option, or stacked short switches (the last may take a value).
            if (a.Skip(1).All(char.IsAsciiDigit))
            {
                if (command.Long("level") is null)
                {
                    throw new UsageException($"unknown option {a} for 'kolmo {command.Name}' (it has no --level; 'kolmo {command.Name} --help' lists the options)");
                }
                int level = int.TryParse(a[1..], NumberStyles.None, CultureInfo.InvariantCulture, out int l) ? l : -1;
                if (level is < 1 or > 9)
                {
                    throw new UsageException($"{a}: levels go from -1 (fastest) to -9 (best)");
                }
                output.Add("--level");
                output.Add(a[1..]);
                continue;
            }
            for (int k = 1; k < a.Length; k++)
            {
                char c = a[k];
                var option = command.Short(c) ?? throw new UsageException(UnknownShort(command, c, a));
                output.Add("-" + c);
                if (option.TakesValue)
                {
                    if (k < a.Length - 1)
                    {
                        throw new UsageException($"{a}: -{c} takes a value, so it must come last (or alone: -{c} VALUE)");
                    }
                    i = TakeValue(option, "-" + c, rest, i, output);
                }
            }
        }

        if (!command.Arguments.Any(x => x.Many) && positionals.Count > command.Arguments.Count)
        {
            string stray = positionals[command.Arguments.Count];
            string takes = command.Arguments.Count == 0
                ? "takes no arguments, only options"
                : $"takes {command.Arguments.Count} argument{(command.Arguments.Count > 1 ? "s" : "")}: {string.Join(' ', command.Arguments.Select(x => x.Name))}";
            throw new UsageException($"unexpected argument '{stray}': 'kolmo {command.Name}' {takes} ('kolmo {command.Name} --help' shows the usage)");
        }
        return [.. output];
    }

    /// <summary>Consumes the value of <paramref name="option"/> after position <paramref name="i"/>; returns the new position.</summary>
    private static int TakeValue(OptionSpec option, string shown, List<string> args, int i, List<string> output)
    {
        if (!option.TakesValue)
        {
            return i;
        }
        if (i + 1 >= args.Count)
        {
            throw new UsageException($"{shown} needs a value");
        }
        string value = args[i + 1];
        CheckValue(option, shown, value);
        output.Add(value == "-" ? StdinToken : value);
        return i + 1;
    }

    /// <summary>Refuses a value that cannot convert to the option's type, in a plain sentence.</summary>
    private static void CheckValue(OptionSpec option, string shown, string value)
    {
        var t = option.ValueType.IsArray ? option.ValueType.GetElementType()! : option.ValueType;
        t = Nullable.GetUnderlyingType(t) ?? t;
        bool ok = Type.GetTypeCode(t) switch
        {
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 =>
                long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) && FitsSigned(t, v),
            TypeCode.UInt64 => ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal =>
                double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d),
            TypeCode.Boolean => bool.TryParse(value, out _),
            _ => !t.IsEnum || Enum.GetNames(t).Contains(value, StringComparer.OrdinalIgnoreCase),
        };
        if (ok)
        {
            return;
        }
        string expected = Type.GetTypeCode(t) switch
        {
            TypeCode.Byte or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64 => "a whole number ≥ 0",
            TypeCode.SByte or TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 => "a whole number",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number (such as 0.5 or 1e-3)",
            TypeCode.Boolean => "true or false",
            _ => "one of " + string.Join(", ", Enum.GetNames(t).Select(n => n.ToLowerInvariant())),
        };
        throw new UsageException($"{shown}: '{value}' is not {expected}");
    }

    private static bool FitsSigned(Type t, long v) => Type.GetTypeCode(t) switch
    {
        TypeCode.Byte => v is >= byte.MinValue and <= byte.MaxValue,
        TypeCode.SByte => v is >= sbyte.MinValue and <= sbyte.MaxValue,
        TypeCode.Int16 => v is >= short.MinValue and <= short.MaxValue,
        TypeCode.UInt16 => v is >= ushort.MinValue and <= ushort.MaxValue,
        TypeCode.Int32 => v is >= int.MinValue and <= int.MaxValue,
        TypeCode.UInt32 => v is >= uint.MinValue and <= uint.MaxValue,
        _ => true,
    };

    private static string UnknownShort(CommandSpec command, char c, string token)
    {
        var sameLetter = command.Options.FirstOrDefault(o => !o.IsHidden && o.ShortNames.Any(s => string.Equals(s, c.ToString(), StringComparison.OrdinalIgnoreCase)));
        string hint = sameLetter is not null
            ? $"; did you mean -{sameLetter.ShortNames[0]} ({sameLetter.Display})?"
            : "";
        string where = token.Length > 2 ? $" in {token}" : "";
        return $"unknown option -{c}{where} for 'kolmo {command.Name}'{hint} ('kolmo {command.Name} --help' lists the options)";
    }

    /// <summary>"; did you mean X?" for the closest candidate (edit distance ≤ 2, or a prefix), or nothing.</summary>
    internal static string Suggest(string wrong, IEnumerable<string> candidates, Func<string, string> show)
    {
        string w = wrong.ToLowerInvariant();
        var best = candidates.Distinct(StringComparer.Ordinal)
            .Select(c => (Name: c, Distance: IsPrefixPair(w, c) ? 0 : EditDistance(w, c.ToLowerInvariant())))
            .Where(x => x.Distance <= Math.Max(1, Math.Min(2, w.Length / 3)))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Name is null ? "" : $"; did you mean {show(best.Name)}?";
    }

    /// <summary>One is a prefix of the other and the shorter has at least 3 letters (--comp for --compressors, info-pair for info).</summary>
    private static bool IsPrefixPair(string wrong, string candidate) =>
        Math.Min(wrong.Length, candidate.Length) >= 3
        && (candidate.StartsWith(wrong, StringComparison.OrdinalIgnoreCase) || wrong.StartsWith(candidate, StringComparison.OrdinalIgnoreCase));

    /// <summary>Damerau–Levenshtein distance (optimal string alignment): insertions, deletions, substitutions, swaps.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
