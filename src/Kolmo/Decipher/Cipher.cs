using System.Globalization;
using System.Text;

namespace Kolmo.Decipher;

/// <summary>
/// A ciphertext as a sequence of symbol ids 0..S−1 (ids in order of first occurrence), plus its layout, so a
/// solution can be printed the way the ciphertext was written. Input is either characters (every non-whitespace
/// character is a symbol) or tokens (whitespace-separated; line breaks only separate rows). With word spaces, every
/// run of whitespace between characters is a word break: it becomes the special symbol <see cref="SpaceSymbol"/>,
/// whose plaintext is fixed to the model's space. Read as text (<see cref="Parse(string, bool, bool, bool)"/> with
/// <c>asText</c>), pasted prose is normalised: letters are case-folded when both cases occur, and characters that are
/// not letters (punctuation, digits) stay as they are instead of being enciphered.
/// </summary>
public sealed class Cipher
{
    /// <summary>Display name of the word-break symbol.</summary>
    public const string SpaceSymbol = "␣";

    private readonly Piece[] _layout;

    private Cipher(string[] symbols, int[] text, int spaceSymbol, bool tokens, Piece[] layout, bool foldedCase, int literals)
    {
        Symbols = symbols;
        Text = text;
        SpaceSymbolId = spaceSymbol;
        IsTokens = tokens;
        _layout = layout;
        FoldedCase = foldedCase;
        LiteralCount = literals;
    }

    /// <summary>One piece of the written ciphertext: a symbol (its position in <see cref="Text"/>) or text kept as is.</summary>
    /// <param name="Position">Index into <see cref="Text"/>, or −1 for a literal.</param>
    /// <param name="Literal">Text printed as it is (whitespace, line breaks, kept punctuation); null for a symbol.</param>
    /// <param name="Upper">The symbol was an upper-case letter of case-folded text.</param>
    private readonly record struct Piece(int Position, string? Literal, bool Upper);

    /// <summary>The distinct cipher symbols, by id.</summary>
    public IReadOnlyList<string> Symbols { get; }

    /// <summary>The ciphertext as symbol ids.</summary>
    public IReadOnlyList<int> Text { get; }

    /// <summary>Id of the word-break symbol, or −1 without word spaces.</summary>
    public int SpaceSymbolId { get; }

    /// <summary>True when symbols are tokens.</summary>
    public bool IsTokens { get; }

    /// <summary>True when the text had both upper- and lower-case letters and they were read as one symbol each.</summary>
    public bool FoldedCase { get; }

    /// <summary>Characters kept as they are rather than read as symbols (punctuation and digits of text input).</summary>
    public int LiteralCount { get; }

    /// <summary>Number of distinct symbols S (including the word break, if any).</summary>
    public int SymbolCount => Symbols.Count;

    /// <summary>Number of distinct symbols other than the word break.</summary>
    public int FreeSymbolCount => Symbols.Count - (SpaceSymbolId >= 0 ? 1 : 0);

    /// <summary>Ciphertext length in symbols (word breaks included).</summary>
    public int Length => Text.Count;

    /// <summary>Parses a ciphertext; every non-whitespace character (or token) is a symbol.</summary>
    /// <param name="text">The raw text.</param>
    /// <param name="tokens">Whitespace-separated tokens instead of characters.</param>
    /// <param name="wordSpaces">Keep whitespace runs as word breaks (characters only).</param>
    /// <exception cref="InvalidDataException">The text holds fewer than 2 symbols.</exception>
    public static Cipher Parse(string text, bool tokens, bool wordSpaces) => Parse(text, tokens, wordSpaces, asText: false);

    /// <summary>Parses a ciphertext.</summary>
    /// <param name="text">The raw text.</param>
    /// <param name="tokens">Whitespace-separated tokens instead of characters.</param>
    /// <param name="wordSpaces">Keep whitespace runs as word breaks (characters only).</param>
    /// <param name="asText">Characters only: read pasted prose — fold case when both cases occur and keep characters
    /// that are not letters as they are — provided letters are at least half of the characters (otherwise the
    /// characters are a symbol alphabet and every one is a symbol).</param>
    /// <exception cref="InvalidDataException">The text holds fewer than 2 symbols.</exception>
    public static Cipher Parse(string text, bool tokens, bool wordSpaces, bool asText)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (tokens && (wordSpaces || asText))
        {
            throw new ArgumentException("word spaces and text reading are only available for character input", nameof(tokens));
        }
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var symbols = new List<string>();
        var seq = new List<int>();
        var layout = new List<Piece>();
        int space = -1;
        bool fold = false;
        int literals = 0;
        if (tokens)
        {
            string[] rows = text.ReplaceLineEndings("\n").Split('\n');
            foreach (string row in rows)
            {
                foreach (string t in row.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                {
                    Add(t, upper: false);
                }
                layout.Add(new Piece(-1, "\n", false));
            }
        }
        else
        {
            var elements = TextElements(text);
            var visible = elements.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
            int letterCount = visible.Count(IsLetter);
            bool readAsText = asText && letterCount * 2 >= visible.Count;
            fold = readAsText && visible.Any(s => IsLetter(s) && char.IsUpper(s, 0)) && visible.Any(s => IsLetter(s) && char.IsLower(s, 0));
            var pendingSpace = new StringBuilder();
            foreach (string s in elements)
            {
                if (string.IsNullOrWhiteSpace(s))
                {
                    pendingSpace.Append(s);
                    continue;
                }
                if (pendingSpace.Length > 0)
                {
                    if (wordSpaces && seq.Count > 0)
                    {
                        if (space < 0)
                        {
                            space = symbols.Count;
                            symbols.Add(SpaceSymbol);
                        }
                        seq.Add(space);
                    }
                    layout.Add(new Piece(-1, pendingSpace.ToString(), false));
                    pendingSpace.Clear();
                }
                if (readAsText && !IsLetter(s))
                {
                    layout.Add(new Piece(-1, s, false));
                    literals++;
                    continue;
                }
                bool upper = fold && char.IsUpper(s, 0);
                Add(fold ? s.ToUpperInvariant() : s, upper);
            }
            if (pendingSpace.Length > 0)
            {
                layout.Add(new Piece(-1, pendingSpace.ToString(), false));
            }
        }
        if (seq.Count < 2)
        {
            throw new InvalidDataException($"the ciphertext has {seq.Count} symbol(s); at least 2 are needed");
        }
        return new Cipher([.. symbols], [.. seq], space, tokens, [.. layout], fold, literals);

        void Add(string s, bool upper)
        {
            if (!ids.TryGetValue(s, out int id))
            {
                id = symbols.Count;
                ids[s] = id;
                symbols.Add(s);
            }
            layout.Add(new Piece(seq.Count, null, upper));
            seq.Add(id);
        }
    }

    /// <summary>Creates a cipher directly from symbol ids (e.g. generated by a benchmark).</summary>
    public static Cipher FromIds(IReadOnlyList<int> ids, int spaceSymbol = -1)
    {
        ArgumentNullException.ThrowIfNull(ids);
        int s = ids.Count == 0 ? 0 : ids.Max() + 1;
        if (ids.Count < 2 || ids.Any(i => i < 0))
        {
            throw new InvalidDataException("the ciphertext needs at least 2 symbols with ids ≥ 0");
        }
        string[] names = [.. Enumerable.Range(0, s).Select(i => i == spaceSymbol ? SpaceSymbol : i.ToString(CultureInfo.InvariantCulture))];
        Piece[] layout = [.. Enumerable.Range(0, ids.Count).Select(i => new Piece(i, null, false))];
        return new Cipher(names, [.. ids], spaceSymbol, tokens: true, layout, foldedCase: false, literals: 0);
    }

    /// <summary>
    /// The plaintext written the way the ciphertext was: each symbol replaced by its plaintext, whitespace, line
    /// breaks (token rows) and kept characters in place, and, for case-folded text, each letter in its original case.
    /// </summary>
    /// <param name="plaintext">Plaintext symbol of each position of <see cref="Text"/> (e.g. a letter).</param>
    /// <returns>The plaintext in the ciphertext's layout (token input: one line per row, without a final line break).</returns>
    public string Render(Func<int, string> plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var sb = new StringBuilder();
        foreach (var p in _layout)
        {
            if (p.Literal is not null)
            {
                sb.Append(p.Literal);
            }
            else if (Text[p.Position] != SpaceSymbolId)
            {
                string s = plaintext(p.Position);
                sb.Append(p.Upper ? s.ToUpperInvariant() : s);
            }
        }
        return IsTokens ? sb.ToString().TrimEnd('\n') : sb.ToString();
    }

    private static List<string> TextElements(string text)
    {
        var all = new List<string>();
        var it = StringInfo.GetTextElementEnumerator(text);
        while (it.MoveNext())
        {
            all.Add(it.GetTextElement());
        }
        return all;
    }

    private static bool IsLetter(string element) => element.Length > 0 && char.IsLetter(element, 0);
}
