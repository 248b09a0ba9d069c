using System.Text;

namespace Kolmo.Decipher;

/// <summary>
/// The built-in English model: Kneser-Ney n-grams trained on three public-domain novels (Project Gutenberg; see
/// data/README.md) that are embedded in the Kolmo.Data assembly (<see cref="Data.BuiltInData"/>), so the model works
/// wherever the library or the tool is installed.
/// </summary>
public static class EnglishModel
{
    /// <summary>The training books, by resource name (the file names in the repository's <c>data/english/</c>).</summary>
    public static IReadOnlyList<string> TrainingFiles { get; } =
        ["pride-and-prejudice_pg1342.txt", "adventures-of-sherlock-holmes_pg1661.txt", "moby-dick_pg2701.txt"];

    /// <summary>The text of one built-in book, as published (capitals, punctuation, line breaks).</summary>
    /// <param name="name">One of <see cref="TrainingFiles"/>.</param>
    /// <exception cref="ArgumentException">Not a built-in book.</exception>
    public static string BookText(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!TrainingFiles.Contains(name, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a built-in book (built in: {string.Join(", ", TrainingFiles)})", nameof(name));
        }
        using var s = Data.BuiltInData.Open("english/" + name);
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }

    /// <summary>
    /// Reads and normalises the training books to <paramref name="alphabet"/>: the built-in ones, or the files of
    /// the same names in <paramref name="folder"/>.
    /// </summary>
    public static byte[] TrainingText(Alphabet alphabet, string? folder = null)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        var all = new List<byte>();
        foreach (string f in TrainingFiles)
        {
            byte[] t = alphabet.Normalize(folder is null ? BookText(f) : File.ReadAllText(Path.Combine(folder, f)));
            if (all.Count > 0 && alphabet.SpaceIndex >= 0)
            {
                all.Add((byte)alphabet.SpaceIndex);
            }
            all.AddRange(t);
        }
        return [.. all];
    }

    /// <summary>Trains the built-in English model of <paramref name="order"/> over <paramref name="alphabet"/>.</summary>
    public static KneserNeyModel Train(Alphabet alphabet, int order, string? folder = null)
        => KneserNeyModel.Train(TrainingText(alphabet, folder), alphabet, order);
}
