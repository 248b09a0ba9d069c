namespace Kolmo.Cli.Infrastructure;

/// <summary>
/// Writes an output file safely: into a temporary file in the same folder, renamed over the target only when
/// <see cref="Commit"/> is called. Disposing without committing deletes the temporary file, so a failed run
/// never leaves a half-written output. Refuses to overwrite an existing file unless <c>force</c> is set.
/// </summary>
public sealed class AtomicOutput : IDisposable
{
    private readonly string _path;
    private readonly string _tempPath;
    private readonly bool _force;
    private FileStream? _stream;
    private bool _committed;

    /// <summary>Opens a temporary file beside <paramref name="path"/>.</summary>
    /// <exception cref="UsageException"><paramref name="path"/> exists and <paramref name="force"/> is false.</exception>
    public AtomicOutput(string path, bool force)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = Path.GetFullPath(path);
        _force = force;
        if (File.Exists(_path) && !force)
        {
            throw new UsageException($"{path} already exists; use -f/--force to overwrite it");
        }
        if (Directory.Exists(_path))
        {
            throw new UsageException($"{path} is a directory");
        }
        string dir = Path.GetDirectoryName(_path)!;
        if (!Directory.Exists(dir))
        {
            throw new UsageException($"output folder {dir} does not exist");
        }
        _tempPath = Path.Combine(dir, "." + Path.GetFileName(_path) + "." + Environment.ProcessId + ".tmp");
        _stream = new FileStream(_tempPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
    }

    /// <summary>The stream to write the output to.</summary>
    public Stream Stream => _stream ?? throw new ObjectDisposedException(nameof(AtomicOutput));

    /// <summary>Flushes, closes and renames the temporary file onto the target path.</summary>
    public void Commit()
    {
        var s = Stream;
        s.Flush();
        s.Dispose();
        _stream = null;
        File.Move(_tempPath, _path, overwrite: _force);
        _committed = true;
    }

    /// <summary>Writes all of <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text, bool force) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text), force);

    /// <summary>Writes all of <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, bool force)
    {
        using var o = new AtomicOutput(path, force);
        o.Stream.Write(bytes);
        o.Commit();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_committed)
        {
            return;
        }
        _stream?.Dispose();
        _stream = null;
        try
        {
            File.Delete(_tempPath);
        }
        catch (IOException)
        {
            // best effort: nothing else to do
        }
    }
}
