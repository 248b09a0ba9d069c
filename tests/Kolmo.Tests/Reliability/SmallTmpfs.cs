using System.Diagnostics;

namespace Kolmo.Tests.Reliability;

/// <summary>A small tmpfs mounted for one test (a file system that really fills up); unmounted on dispose.</summary>
internal sealed class SmallTmpfs : IDisposable
{
    private SmallTmpfs(string path) => Path = path;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> at <paramref name="path"/>; null when that is not allowed (not root, no mount).</summary>
    public static SmallTmpfs? TryMount(string path, long bytes)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return null;
        }
        Directory.CreateDirectory(path);
        return Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", path) ? new SmallTmpfs(path) : null;
    }

    public void Dispose() => Run("umount", Path);

    private static bool Run(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            return p.WaitForExit(10_000) && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
