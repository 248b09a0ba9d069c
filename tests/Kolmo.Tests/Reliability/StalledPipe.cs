using System.Runtime.InteropServices;

namespace Kolmo.Tests.Reliability;

/// <summary>
/// A named pipe (FIFO) that is full and that nobody reads: this object holds it open (so a writer gets no EPIPE) and
/// has filled it to capacity, so any process that writes to it blocks until the pipe is disposed. Linux only.
/// </summary>
internal sealed partial class StalledPipe : IDisposable
{
    private const int ReadWrite = 2;            // O_RDWR: opening a FIFO for both ends does not wait for a peer
    private const int NonBlocking = 0x800;      // O_NONBLOCK (Linux)
    private const int TryAgain = 11;            // EAGAIN (Linux)

    private int _fd;

    private StalledPipe(string path, int fd)
    {
        Path = path;
        _fd = fd;
    }

    /// <summary>The FIFO's path.</summary>
    public string Path { get; }

    /// <summary>Bytes written to fill the pipe (its capacity).</summary>
    public long Filled { get; private set; }

    /// <summary>Makes the FIFO at <paramref name="path"/>, opens it and fills it until a write would block.</summary>
    public static StalledPipe Create(string path)
    {
        if (MakeFifo(path, Convert.ToInt32("600", 8)) != 0)
        {
            throw new IOException($"mkfifo {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
        int fd = Open(path, ReadWrite | NonBlocking);
        if (fd < 0)
        {
            throw new IOException($"open {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
        var pipe = new StalledPipe(path, fd);
        var chunk = new byte[4096];
        foreach (int size in new[] { chunk.Length, 1 })
        {
            while (true)
            {
                nint n = Write(fd, chunk, size);
                if (n > 0)
                {
                    pipe.Filled += n;
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (n < 0 && errno == TryAgain)
                {
                    break;   // full at this write size
                }
                pipe.Dispose();
                throw new IOException($"filling {path} failed: errno {errno}");
            }
        }
        return pipe;
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            Close(_fd);
            _fd = -1;
        }
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, int mode);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
