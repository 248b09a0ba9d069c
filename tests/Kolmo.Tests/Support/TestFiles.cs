namespace Kolmo.Tests.Support;

/// <summary>Locates files committed in the repository (data/, tests/Golden/) from the test bin folder.</summary>
public static class TestFiles
{
    /// <summary>The repository root (the folder holding Kolmo.slnx).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>Absolute path of a repository-relative path.</summary>
    public static string Path(string relative) => System.IO.Path.Combine(RepoRoot, relative);

    /// <summary>Bytes of a file under data/canterbury.</summary>
    public static byte[] Canterbury(string name) => File.ReadAllBytes(Path(System.IO.Path.Combine("data", "canterbury", name)));

    /// <summary>Deterministic text-like bytes: words from a small vocabulary picked by a seeded generator.</summary>
    public static byte[] Text(int length, int seed)
    {
        string[] words = ["the", "cat", "sat", "on", "mat", "and", "a", "dog", "ran", "far", "away", "from", "home", "\n", "compression", "is", "prediction"];
        var rng = new Random(seed);
        var sb = new System.Text.StringBuilder(length + 16);
        while (sb.Length < length)
        {
            sb.Append(words[rng.Next(words.Length)]).Append(' ');
        }
        return System.Text.Encoding.ASCII.GetBytes(sb.ToString(0, length));
    }

    /// <summary>Deterministic random bytes.</summary>
    public static byte[] Random(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(d.FullName, "Kolmo.slnx")))
            {
                return d.FullName;
            }
        }
        throw new InvalidOperationException("repository root (Kolmo.slnx) not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// A read-only stream that hands out its data in small, irregular chunks (tests streaming code paths). It reports its
/// length (as a file would) but cannot seek.
/// </summary>
public sealed class TrickleStream(byte[] data, int seed = 1) : Stream
{
    private readonly Random _rng = new(seed);
    private int _pos;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position { get => _pos; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = Math.Min(Math.Min(count, _rng.Next(1, 8)), data.Length - _pos);
        Array.Copy(data, _pos, buffer, offset, n);
        _pos += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        _pos = (int)(origin == SeekOrigin.Begin ? offset : origin == SeekOrigin.Current ? _pos + offset : data.Length + offset);
        return _pos;
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
