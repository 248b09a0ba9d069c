using System.Text;

namespace Kolmo.Decipher;

/// <summary>
/// The plaintext alphabet of a language model: symbol i (0 ≤ i &lt; <see cref="Size"/>) is the string
/// <c>Symbols[i]</c>. The built-in alphabets are the 26 letters a–z (<see cref="Letters"/>) and a–z plus the
/// word space (<see cref="LettersAndSpace"/>, space = index 26). Generic alphabets (any symbols, e.g. the distinct
/// characters or tokens of a corpus) are used for distribution matching between arbitrary streams.
/// </summary>
public sealed class Alphabet
{
    /// <summary>Largest alphabet a model may use (keys of order-8 n-grams must fit in 63 bits).</summary>
    public const int MaxSize = 200;

    private readonly string[] _symbols;
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates an alphabet from distinct, non-empty symbols.</summary>
    /// <param name="symbols">The symbols, in index order.</param>
    /// <param name="tokens">True when symbols are whitespace-separated tokens (rendered with spaces between).</param>
    /// <exception cref="ArgumentException">Empty, duplicate or too many symbols.</exception>
    public Alphabet(IEnumerable<string> symbols, bool tokens)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        _symbols = [.. symbols];
        if (_symbols.Length < 2 || _symbols.Length > MaxSize)
        {
            throw new ArgumentException($"an alphabet needs 2..{MaxSize} symbols, got {_symbols.Length}", nameof(symbols));
        }
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _symbols.Length; i++)
        {
            if (string.IsNullOrEmpty(_symbols[i]) || !_index.TryAdd(_symbols[i], i))
            {
                throw new ArgumentException($"alphabet symbol {i} is empty or repeated", nameof(symbols));
            }
        }
        IsTokens = tokens;
        SpaceIndex = _index.TryGetValue(" ", out int s) ? s : -1;
        IsLetters = !tokens && _symbols.Length >= 26 && _symbols.Take(26).SequenceEqual(LetterStrings)
            && (_symbols.Length == 26 || (_symbols.Length == 27 && SpaceIndex == 26));
    }

    private static readonly string[] LetterStrings = [.. Enumerable.Range(0, 26).Select(i => ((char)('a' + i)).ToString())];

    /// <summary>The 26 letters a–z (index 0 = a).</summary>
    public static Alphabet Letters { get; } = new(LetterStrings, tokens: false);

    /// <summary>The 26 letters a–z and the word space (index 26).</summary>
    public static Alphabet LettersAndSpace { get; } = new([.. LetterStrings, " "], tokens: false);

    /// <summary>Number of symbols.</summary>
    public int Size => _symbols.Length;

    /// <summary>The symbols in index order.</summary>
    public IReadOnlyList<string> Symbols => _symbols;

    /// <summary>Index of the word space, or −1 when the alphabet has none.</summary>
    public int SpaceIndex { get; }

    /// <summary>True for symbols that are whitespace-separated tokens rather than single characters.</summary>
    public bool IsTokens { get; }

    /// <summary>True for the built-in letter alphabets (a–z, optionally followed by space).</summary>
    public bool IsLetters { get; }

    /// <summary>Index of <paramref name="symbol"/>, or −1.</summary>
    public int IndexOf(string symbol) => _index.TryGetValue(symbol, out int i) ? i : -1;

    /// <summary>
    /// Converts raw text to symbol indices. For the letter alphabets: lower-cases, keeps a–z, and maps every run
    /// of other characters to one space (with space) or drops it (without). For generic alphabets: each
    /// non-whitespace character (or token) must be in the alphabet; unknown ones are skipped.
    /// </summary>
    public byte[] Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<byte>(text.Length);
        if (IsLetters)
        {
            bool pendingSpace = false;
            foreach (char ch in text)
            {
                char c = char.ToLowerInvariant(ch);
                if (c is >= 'a' and <= 'z')
                {
                    if (pendingSpace && SpaceIndex >= 0 && result.Count > 0)
                    {
                        result.Add((byte)SpaceIndex);
                    }
                    pendingSpace = false;
                    result.Add((byte)(c - 'a'));
                }
                else if (c is '\'' or '\u2019')
                {
                    // apostrophes inside words ("don't") are dropped, not turned into word breaks
                }
                else
                {
                    pendingSpace = true;
                }
            }
            return [.. result];
        }
        foreach (string sym in Split(text, IsTokens))
        {
            int i = IndexOf(sym);
            if (i >= 0)
            {
                result.Add((byte)i);
            }
        }
        return [.. result];
    }

    /// <summary>Renders symbol indices as text (tokens joined by spaces; characters concatenated).</summary>
    public string Render(ReadOnlySpan<byte> symbols)
    {
        var sb = new StringBuilder(symbols.Length * (IsTokens ? 3 : 1));
        for (int i = 0; i < symbols.Length; i++)
        {
            if (IsTokens && i > 0)
            {
                sb.Append(' ');
            }
            sb.Append(_symbols[symbols[i]]);
        }
        return sb.ToString();
    }

    /// <summary>
    /// Splits text into symbols: every non-whitespace character (<paramref name="tokens"/> false) or every
    /// whitespace-separated token (true).
    /// </summary>
    public static IEnumerable<string> Split(string text, bool tokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (tokens)
        {
            foreach (string t in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                yield return t;
            }
            yield break;
        }
        var e = StringInfoEnumerator(text);
        foreach (string s in e)
        {
            if (!string.IsNullOrWhiteSpace(s))
            {
                yield return s;
            }
        }
    }

    private static IEnumerable<string> StringInfoEnumerator(string text)
    {
        var it = System.Globalization.StringInfo.GetTextElementEnumerator(text);
        while (it.MoveNext())
        {
            yield return it.GetTextElement();
        }
    }

    /// <summary>Builds a generic alphabet from the distinct symbols of <paramref name="text"/>, ordered by first occurrence.</summary>
    /// <exception cref="InvalidDataException">Fewer than 2 or more than <see cref="MaxSize"/> distinct symbols.</exception>
    public static Alphabet FromText(string text, bool tokens)
    {
        var seen = new List<string>();
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (string s in Split(text, tokens))
        {
            if (set.Add(s))
            {
                seen.Add(s);
                if (seen.Count > MaxSize)
                {
                    throw new InvalidDataException($"the corpus has more than {MaxSize} distinct symbols");
                }
            }
        }
        if (seen.Count < 2)
        {
            throw new InvalidDataException($"the corpus has {seen.Count} distinct symbol(s); a model needs at least 2");
        }
        return new Alphabet(seen, tokens);
    }
}
