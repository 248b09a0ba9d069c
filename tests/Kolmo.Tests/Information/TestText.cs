using System.Text;

namespace Kolmo.Tests.Information;

/// <summary>Deterministic test inputs generated in the test (no files needed).</summary>
internal static class TestText
{
    private static readonly string[] WordsA = ["the", "court", "shall", "rights", "every", "person", "freedom", "law", "equal", "protection", "of", "and", "to", "in", "nation", "dignity"];
    private static readonly string[] WordsB = ["quartz", "zebra", "xylophone", "jukebox", "vortex", "pixel", "kayak", "fjord", "glyph", "sphinx", "waltz", "nymph", "crypt", "lynx", "oxbow", "jinx"];

    /// <summary>Pseudo-English from a 16-word vocabulary (seeded).</summary>
    public static byte[] Words(int bytes, int seed, bool vocabularyB = false)
    {
        var words = vocabularyB ? WordsB : WordsA;
        var r = new Random(seed);
        var sb = new StringBuilder();
        while (sb.Length < bytes)
        {
            sb.Append(words[r.Next(words.Length)]).Append(r.Next(9) == 0 ? ".\n" : " ");
        }
        return Encoding.ASCII.GetBytes(sb.ToString(0, bytes));
    }

    /// <summary>Uniformly random letters and spaces (about 4.75 bits per byte; no long repeats).</summary>
    public static byte[] Letters(int bytes, int seed)
    {
        var r = new Random(seed);
        var b = new byte[bytes];
        for (int i = 0; i < bytes; i++)
        {
            int k = r.Next(27);
            b[i] = (byte)(k == 26 ? ' ' : 'a' + k);
        }
        return b;
    }

    /// <summary>Uniformly random bytes.</summary>
    public static byte[] Random(int bytes, int seed)
    {
        var b = new byte[bytes];
        new Random(seed).NextBytes(b);
        return b;
    }
}
