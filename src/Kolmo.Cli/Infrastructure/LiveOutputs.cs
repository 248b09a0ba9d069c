namespace Kolmo.Cli.Infrastructure;

/// <summary>
/// The unfinished outputs of a process — temporary files of <see cref="AtomicOutput"/> and folders
/// <see cref="OutputFolder"/> created — and the one lock under which they are created, published and removed.
/// <see cref="Termination"/> keeps one (<see cref="Termination.Outputs"/>) and calls <see cref="Abandon"/> on a signal.
/// <para>
/// A temporary file or a folder is created under the lock, in the same hold that registers it: a signal handled
/// while it is being created waits for it and then removes it, and one handled before refuses it. (When the file was
/// registered first and created after the lock was let go, a signal in between removed nothing, and the file, created a
/// moment later while the process was exiting, outlived the run.) A set of outputs is renamed onto its targets in one
/// hold (<see cref="Publish"/>), so a signal finds all of them published or none.
/// </para>
/// </summary>
internal sealed class LiveOutputs
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);
    private readonly List<string> _folders = [];
    private bool _closed;

    /// <summary>Runs <paramref name="create"/> (which creates the temporary file <paramref name="tempPath"/>) and registers the file, in one hold of the lock.</summary>
    /// <exception cref="OperationCanceledException">The process is stopping; nothing was created.</exception>
    public T CreateFile<T>(string tempPath, Func<T> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        lock (_gate)
        {
            ThrowIfClosed();
            T made = create();
            _files.Add(tempPath);
            return made;
        }
    }

    /// <summary>Forgets a temporary file (deleted by its owner).</summary>
    public void ForgetFile(string tempPath)
    {
        lock (_gate)
        {
            _files.Remove(tempPath);
        }
    }

    /// <summary>
    /// Creates the folder <paramref name="path"/> (and missing parents) unless it exists; a folder this call created
    /// is registered in the same hold of the lock. Returns whether it created the folder.
    /// </summary>
    /// <exception cref="OperationCanceledException">The process is stopping; nothing was created.</exception>
    public bool CreateFolder(string path)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            if (Directory.Exists(path))
            {
                return false;
            }
            Directory.CreateDirectory(path);
            _folders.Add(path);
            return true;
        }
    }

    /// <summary>Forgets a folder (kept or removed by its owner).</summary>
    public void ForgetFolder(string path)
    {
        lock (_gate)
        {
            _folders.Remove(path);
        }
    }

    /// <summary>
    /// Runs <paramref name="publish"/> (the renames of finished temporary files) unless the process is stopping, and
    /// forgets the files, in one hold of the lock: a set of outputs is published whole or not at all.
    /// </summary>
    /// <exception cref="OperationCanceledException">The process is stopping; nothing was published.</exception>
    public void Publish(IReadOnlyList<string> tempPaths, Action publish)
    {
        ArgumentNullException.ThrowIfNull(tempPaths);
        ArgumentNullException.ThrowIfNull(publish);
        lock (_gate)
        {
            ThrowIfClosed();
            publish();
            foreach (var t in tempPaths)
            {
                _files.Remove(t);
            }
        }
    }

    /// <summary>Refuses new outputs and publications from now on (the process is stopping; its command removes its own outputs as it unwinds).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    /// <summary>Refuses new outputs and deletes every registered temporary file and every registered folder that is empty (best effort).</summary>
    public void Abandon()
    {
        lock (_gate)
        {
            _closed = true;
            foreach (var f in _files)
            {
                TryDelete(() => File.Delete(f));
            }
            _files.Clear();
            for (int i = _folders.Count - 1; i >= 0; i--)
            {
                string d = _folders[i];
                TryDelete(() =>
                {
                    if (Directory.Exists(d) && !Directory.EnumerateFileSystemEntries(d).Any())
                    {
                        Directory.Delete(d);
                    }
                });
            }
            _folders.Clear();
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new OperationCanceledException("kolmo is stopping");
        }
    }

    private static void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (IOException)
        {
            // best effort while the process is going down
        }
        catch (UnauthorizedAccessException)
        {
            // idem
        }
    }
}
