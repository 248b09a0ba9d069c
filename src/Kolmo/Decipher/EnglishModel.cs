namespace Kolmo.Decipher;

/// <summary>
/// The built-in English model: Kneser-Ney n-grams trained on the public-domain novels shipped in
/// <c>data/english/</c> (see data/README.md). The books are found beside the running program
/// (<c>AppContext.BaseDirectory/data/english</c>, where the CLI build copies them) or in a <c>data/english</c>
/// folder above it (a source checkout).
/// </summary>
public static class EnglishModel
{
    /// <summary>The training books (file names in <c>data/english/</c>).</summary>
    public static IReadOnlyList<string> TrainingFiles { get; } =
        ["pride-and-prejudice_pg1342.txt", "adventures-of-sherlock-holmes_pg1661.txt", "moby-dick_pg2701.txt"];

    /// <summary>Finds the folder holding the training books.</summary>
    /// <exception cref="FileNotFoundException">No <c>data/english</c> folder with the books was found.</exception>
    public static string FindDataFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "data", "english");
            if (TrainingFiles.All(f => File.Exists(Path.Combine(candidate, f))))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("the built-in English books (data/english) were not found beside the program or above it");
    }

    /// <summary>Reads and normalises the training books to <paramref name="alphabet"/>.</summary>
    public static byte[] TrainingText(Alphabet alphabet, string? folder = null)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        folder ??= FindDataFolder();
        var all = new List<byte>();
        foreach (string f in TrainingFiles)
        {
            byte[] t = alphabet.Normalize(File.ReadAllText(Path.Combine(folder, f)));
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
