using System.IO.MemoryMappedFiles;

namespace Kolmo.Learning;

/// <summary>
/// A dense matrix of float features, N rows × D columns, row-major: the input of <see cref="LogisticRegression"/>
/// and <see cref="LinearProbe"/>. Small matrices live in managed memory; a matrix larger than the memory limit
/// given to <see cref="Create"/> lives in a temporary file that is memory-mapped (the operating system pages it
/// in and out as the probe streams over the rows), and the file is deleted on <see cref="Dispose"/>.
/// Memory: 4·N·D bytes, in RAM or in the file.
/// </summary>
public sealed unsafe class FeatureMatrix : IDisposable
{
    /// <summary>Default limit above which <see cref="Create"/> uses a file: 1 GiB.</summary>
    public const long DefaultMemoryLimit = 1L << 30;

    private readonly float[]? _array;
    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly string? _path;
    private byte* _pointer;

    private FeatureMatrix(int rows, int columns, float[]? array, MemoryMappedFile? file, MemoryMappedViewAccessor? view, string? path)
    {
        Rows = rows;
        Columns = columns;
        _array = array;
        _file = file;
        _view = view;
        _path = path;
        if (view is not null)
        {
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref _pointer);
            _pointer += view.PointerOffset;
        }
    }

    /// <summary>N.</summary>
    public int Rows { get; }

    /// <summary>D.</summary>
    public int Columns { get; }

    /// <summary>True when the matrix lives in a memory-mapped temporary file.</summary>
    public bool IsFileBacked => _file is not null;

    /// <summary>Wraps <paramref name="values"/> ([N, <paramref name="columns"/>] row-major; not copied).</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <paramref name="columns"/>.</exception>
    public static FeatureMatrix FromArray(float[] values, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (values.Length % columns != 0)
        {
            throw new ArgumentException($"{values.Length} values do not make rows of {columns}.", nameof(values));
        }
        return new FeatureMatrix(values.Length / columns, columns, values, null, null, null);
    }

    /// <summary>
    /// A zero-filled N × D matrix: in memory when 4·N·D ≤ <paramref name="memoryLimit"/>, else in a new temporary
    /// file under <paramref name="spillDirectory"/> (the system temp folder when null), deleted on dispose.
    /// </summary>
    public static FeatureMatrix Create(int rows, int columns, long memoryLimit = DefaultMemoryLimit, string? spillDirectory = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        long bytes = 4L * rows * columns;
        if (bytes <= memoryLimit && (long)rows * columns <= Array.MaxLength)
        {
            return new FeatureMatrix(rows, columns, new float[(long)rows * columns], null, null, null);
        }
        string dir = spillDirectory ?? Path.GetTempPath();
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"features-{Environment.ProcessId}-{Guid.NewGuid():N}.f32");
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.DeleteOnClose);
        try
        {
            stream.SetLength(Math.Max(bytes, 4));
            var file = MemoryMappedFile.CreateFromFile(stream, null, Math.Max(bytes, 4), MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            var view = file.CreateViewAccessor(0, Math.Max(bytes, 4), MemoryMappedFileAccess.ReadWrite);
            return new FeatureMatrix(rows, columns, null, file, view, path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Row <paramref name="index"/> (writable).</summary>
    public Span<float> Row(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Rows);
        return Block(index, 1);
    }

    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as one span (count·D must fit a span).</summary>
    public Span<float> Block(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + (long)count, Rows, nameof(count));
        long offset = (long)start * Columns, length = (long)count * Columns;
        if (length > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "block too large for one span.");
        }
        ObjectDisposedException.ThrowIf(_array is null && _pointer is null, this);
        return _array is not null ? _array.AsSpan((int)offset, (int)length) : new Span<float>(_pointer + 4 * offset, (int)length);
    }

    /// <summary>Copies rows <paramref name="rows"/> (in that order) into a new in-memory matrix.</summary>
    public FeatureMatrix SelectRows(ReadOnlySpan<int> rows)
    {
        var result = FromArray(new float[(long)rows.Length * Columns], Columns);
        for (int i = 0; i < rows.Length; i++)
        {
            Row(rows[i]).CopyTo(result.Row(i));
        }
        return result;
    }

    /// <summary>Unmaps and deletes the file of a file-backed matrix.</summary>
    public void Dispose()
    {
        if (_view is not null && _pointer is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointer = null;
            _view.Dispose();
            _file!.Dispose();
            if (_path is not null && File.Exists(_path))
            {
                File.Delete(_path);
            }
        }
    }
}
