namespace Kolmo.Cli.Infrastructure;

/// <summary>
/// Writes an output file safely — the one discipline every <c>kolmo</c> writer follows:
/// <list type="number">
/// <item>the bytes go to a hidden temporary file in the target's folder (<c>.NAME.PID.tmp</c>), registered with
/// <see cref="Termination"/> so that SIGINT/SIGTERM/SIGHUP delete it;</item>
/// <item><see cref="Commit"/> flushes it to disk and renames it onto the target (atomic on one file system), under
/// the lock the signal handler takes;</item>
/// <item>disposing without committing — an exception, a full disk, a cancelled run — closes and deletes the
/// temporary file, even when closing fails (a full disk fails the last flush).</item>
/// </list>
/// An existing target is refused unless <c>force</c> is set. Write errors (e.g. no space left on device) surface as
/// <see cref="IOException"/> naming the target, not the temporary file.
/// <code>
/// using var o = new AtomicOutput(path, force);
/// Write(o.Stream);
/// o.Commit();
/// </code>
/// </summary>
public sealed class AtomicOutput : IDisposable
{
    private readonly string _path;
    private readonly string _tempPath;
    private readonly bool _force;
    private readonly string _shownPath;
    private OutputStream? _stream;
    private bool _done;

    /// <summary>Opens a temporary file beside <paramref name="path"/>.</summary>
    /// <exception cref="UsageException"><paramref name="path"/> exists and <paramref name="force"/> is false, is a folder, or its folder is missing.</exception>
    public AtomicOutput(string path, bool force)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _shownPath = path;
        _path = Path.GetFullPath(path);
        _force = force;
        if (Directory.Exists(_path))
        {
            throw new UsageException($"{path} is a directory");
        }
        if (File.Exists(_path) && !force)
        {
            throw new UsageException($"{path} already exists; use -f/--force to overwrite it");
        }
        string dir = Path.GetDirectoryName(_path)!;
        if (!Directory.Exists(dir))
        {
            throw new UsageException($"output folder {dir} does not exist");
        }
        _tempPath = TempPathFor(_path);
        try
        {
            // created and registered in one hold of the signal handler's lock: a signal never misses the file
            _stream = Termination.Outputs.CreateFile(_tempPath,
                () => new OutputStream(new FileStream(_tempPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16), path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write {path}: {OutputStream.Reason(e)}", e);
        }
    }

    /// <summary>The temporary file name used for <paramref name="fullPath"/>: hidden, in the same folder, with this process's id.</summary>
    public static string TempPathFor(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, "." + Path.GetFileName(fullPath) + "." + Environment.ProcessId + ".tmp");

    /// <summary>The stream to write the output to.</summary>
    public Stream Stream => _stream ?? throw new ObjectDisposedException(nameof(AtomicOutput));

    /// <summary>Flushes the temporary file to disk, closes it and renames it onto the target path.</summary>
    /// <exception cref="IOException">The data could not be written (e.g. the disk is full); the temporary file is removed on dispose.</exception>
    /// <exception cref="OperationCanceledException">The process is stopping on a signal; nothing was published.</exception>
    public void Commit() => CommitAll(this);

    /// <summary>
    /// Commits several outputs of one command as a set: each is flushed to disk and closed, then all are renamed onto
    /// their targets under one hold of the signal handler's lock, so a signal finds either none of them published or
    /// all of them (e.g. a checkpoint and its log, a report and its plots).
    /// </summary>
    /// <exception cref="IOException">Some data could not be written; nothing was published (the temporary files are removed on dispose).</exception>
    /// <exception cref="OperationCanceledException">The process is stopping on a signal; nothing was published.</exception>
    public static void CommitAll(params AtomicOutput[] outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        foreach (var o in outputs)
        {
            var s = o._stream ?? throw new ObjectDisposedException(nameof(AtomicOutput));
            s.FlushToDisk();
            s.Dispose();
            o._stream = null;
        }
        Termination.Outputs.Publish([.. outputs.Select(o => o._tempPath)], () =>
        {
            foreach (var o in outputs)
            {
                File.Move(o._tempPath, o._path, overwrite: o._force);
                o._done = true;
            }
        });
    }

    /// <summary>Writes all of <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text, bool force) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text), force);

    /// <summary>Writes all of <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, bool force)
    {
        using var o = new AtomicOutput(path, force);
        o.Stream.Write(bytes);
        o.Commit();
    }

    /// <summary>
    /// Writes several files as one set (<see cref="CommitAll"/>): every target is checked (exists without
    /// <paramref name="force"/>, missing folder) before anything is written, and either all are published or none.
    /// </summary>
    public static void WriteAll(bool force, params (string Path, byte[] Bytes)[] files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var outputs = new List<AtomicOutput>(files.Length);
        try
        {
            foreach (var (path, _) in files)
            {
                outputs.Add(new AtomicOutput(path, force));
            }
            for (int i = 0; i < files.Length; i++)
            {
                outputs[i].Stream.Write(files[i].Bytes);
            }
            CommitAll([.. outputs]);
        }
        finally
        {
            foreach (var o in outputs)
            {
                o.Dispose();
            }
        }
    }

    /// <summary>Abandons the output unless committed: closes (ignoring write errors) and deletes the temporary file.</summary>
    public void Dispose()
    {
        if (_done)
        {
            return;
        }
        _done = true;
        try
        {
            _stream?.Abandon();
        }
        finally
        {
            _stream = null;
            try
            {
                File.Delete(_tempPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // nothing more can be done; the signal handler no longer needs to know about it either
            }
            Termination.Outputs.ForgetFile(_tempPath);
        }
    }

    /// <summary>The temporary file's stream: turns write errors into messages that name the target.</summary>
    private sealed class OutputStream(FileStream inner, string shownPath) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public static string Reason(Exception e)
        {
            // .NET appends " : 'PATH'" (the temporary file) to I/O errors; the user knows the target, not that name.
            string m = e.Message;
            int cut = m.IndexOf(" : '", StringComparison.Ordinal);
            return (cut > 0 ? m[..cut] : m).Trim().TrimEnd('.');
        }

        public override void Write(byte[] buffer, int offset, int count) => Guard(() => inner.Write(buffer, offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                inner.Write(buffer);
            }
            catch (IOException e)
            {
                throw Named(e);
            }
        }

        public override void WriteByte(byte value) => Guard(() => inner.WriteByte(value));

        public override void Flush() => Guard(inner.Flush);

        public void FlushToDisk() => Guard(() => inner.Flush(flushToDisk: true));

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => Guard(() => inner.SetLength(value));

        /// <summary>Closes the file without caring whether its buffered bytes can still be written.</summary>
        public void Abandon()
        {
            try
            {
                inner.Dispose();
            }
            catch (IOException)
            {
                // the last flush failed (full disk): the file is deleted next anyway
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Guard(inner.Dispose);
            }
            base.Dispose(disposing);
        }

        private void Guard(Action write)
        {
            try
            {
                write();
            }
            catch (IOException e)
            {
                throw Named(e);
            }
        }

        private IOException Named(IOException e) => new($"cannot write {shownPath}: {Reason(e)}", e);
    }
}

/// <summary>
/// An output folder a command creates (e.g. <c>igpt --out DIR</c>): if this run created it and stops before
/// <see cref="Keep"/> — an error or a signal — the folder is removed again when it is still empty.
/// Files inside are written with <see cref="AtomicOutput"/> as usual.
/// </summary>
public sealed class OutputFolder : IDisposable
{
    private readonly string _path;
    private readonly bool _created;
    private bool _done;

    private OutputFolder(string path, bool created)
    {
        _path = path;
        _created = created;
    }

    /// <summary>Creates <paramref name="path"/> (and missing parents) if needed.</summary>
    public static OutputFolder Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new UsageException($"{path} is a file, not a folder");
        }
        // created and registered in one hold of the signal handler's lock: a signal never misses the folder
        return new OutputFolder(full, Termination.Outputs.CreateFolder(full));
    }

    /// <summary>The run succeeded: keep the folder.</summary>
    public void Keep()
    {
        _done = true;
        if (_created)
        {
            Termination.Outputs.ForgetFolder(_path);
        }
    }

    /// <summary>Removes the folder if this run created it, did not keep it, and it is empty.</summary>
    public void Dispose()
    {
        if (_done || !_created)
        {
            return;
        }
        _done = true;
        try
        {
            if (Directory.Exists(_path) && !Directory.EnumerateFileSystemEntries(_path).Any())
            {
                Directory.Delete(_path);
            }
        }
        catch (IOException)
        {
            // best effort
        }
        Termination.Outputs.ForgetFolder(_path);
    }
}
