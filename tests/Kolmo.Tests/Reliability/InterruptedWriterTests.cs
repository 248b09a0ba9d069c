using Kolmo.Cli.Infrastructure;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Reliability;

/// <summary>
/// A writer stopped by a real signal (child process) or by a full disk leaves neither its output nor its temporary
/// file, and exits with 128 + the signal number. (bench/reliability/signals.sh runs 20 trials per writer.)
/// </summary>
[Collection("Console")]
public sealed class InterruptedWriterTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("kolmo-signal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private string[] Leftovers(params string[] inputs) =>
        Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).Where(n => !inputs.Contains(n)).Select(n => n!).ToArray();

    private bool TempFileExists() => Directory.EnumerateFiles(_dir, ".*.tmp").Any();

    [Theory]
    [InlineData(ChildKolmo.SigInt, 130)]
    [InlineData(ChildKolmo.SigTerm, 143)]
    public void Compress_StoppedBySignal_LeavesNothing_AndExits128PlusSignal(int signal, int expected)
    {
        File.WriteAllBytes(P("in.bin"), TestFiles.Random(3 << 20, 1));
        using var child = new ChildKolmo(_dir, "c", "-m", "order3", "-l", "1", "-q", "in.bin", "-o", "out.kolmo");
        Assert.True(child.WaitFor(TempFileExists, Wait), "the temporary output file never appeared");
        child.Signal(signal);
        var (code, err) = child.WaitForExit(Wait);
        Assert.Equal(expected, code);
        Assert.Contains("unfinished output removed", err);
        Assert.Empty(Leftovers("in.bin"));
    }

    /// <summary>
    /// stderr is a full pipe that nobody reads: the signal's note cannot be written, and the run must end all the same
    /// (before the note was written off the exit path, the handler blocked on it and the process never exited).
    /// </summary>
    [Fact]
    public void Compress_StoppedBySigterm_WithStderrNobodyReads_StillExitsAndLeavesNothing()
    {
        File.WriteAllBytes(P("in.bin"), TestFiles.Random(3 << 20, 1));
        using var stderr = StalledPipe.Create(P("stderr.fifo"));
        Assert.True(stderr.Filled > 0);
        using var child = ChildKolmo.WithStderr(_dir, stderr.Path, "c", "-m", "order3", "-l", "1", "-q", "in.bin", "-o", "out.kolmo");
        Assert.True(child.WaitFor(TempFileExists, Wait), "the temporary output file never appeared");
        child.Signal(ChildKolmo.SigTerm);
        var (code, _) = child.WaitForExit(Wait);
        Assert.Equal(143, code);
        Assert.Empty(Leftovers("in.bin", "stderr.fifo"));
    }

    /// <summary>
    /// A signal between the publication of a set and the exit: <c>ncd</c> has published its matrix and plot and is held
    /// writing its last line to a stderr nobody reads when SIGTERM lands. The run exits 143 and leaves the whole set,
    /// byte for byte what a clean run writes — never one file of the two, never a temporary file. (This is what a
    /// signals.sh trial that "left 2 files" after exit 143 looks like; the script now tells it apart as a whole set.)
    /// </summary>
    [Fact]
    public void Ncd_SignalAfterPublishingTheSet_ExitsWithTheSignal_AndLeavesTheWholeSet()
    {
        Directory.CreateDirectory(P("docs"));
        for (int i = 0; i < 3; i++)
        {
            File.WriteAllBytes(P($"docs/d{i}.txt"), TestFiles.Text(4000, 10 + i));
        }
        Directory.CreateDirectory(P("clean"));
        using (var clean = new ChildKolmo(_dir, "ncd", "docs", "-c", "order3", "-T", "1", "-o", "clean/m.tsv", "--plot", "clean/m.png"))
        {
            // a process of its own, like the signalled run (the plot rendered inside the test host can differ in its bytes)
            Assert.Equal(0, clean.WaitForExit(Wait).Code);
        }
        using var stderr = StalledPipe.Create(P("stderr.fifo"));
        using var child = ChildKolmo.WithStderr(_dir, stderr.Path, "ncd", "docs", "-c", "order3", "-T", "1", "-o", "m.tsv", "--plot", "m.png");
        Assert.True(child.WaitFor(() => File.Exists(P("m.png")), Wait), "the set was never published");
        child.Signal(ChildKolmo.SigTerm);
        var (code, _) = child.WaitForExit(Wait);
        Assert.Equal(143, code);
        Assert.Equal(File.ReadAllBytes(P("clean/m.tsv")), File.ReadAllBytes(P("m.tsv")));
        Assert.Equal(File.ReadAllBytes(P("clean/m.png")), File.ReadAllBytes(P("m.png")));
        Assert.Empty(Leftovers("docs", "clean", "stderr.fifo", "m.tsv", "m.png"));
    }

    [Fact]
    public void Decompress_StoppedBySigterm_LeavesNothing()
    {
        var data = TestFiles.Text(1 << 20, 2);
        using (var f = File.Create(P("in.kolmo")))
        {
            new Kolmo.Compression.ModelCompressor("order3", 1).Compress(new MemoryStream(data), f);
        }
        using var child = new ChildKolmo(_dir, "d", "-q", "in.kolmo", "-o", "out.bin");
        Assert.True(child.WaitFor(TempFileExists, Wait), "the temporary output file never appeared");
        child.Signal(ChildKolmo.SigTerm);
        var (code, _) = child.WaitForExit(Wait);
        Assert.Equal(143, code);
        Assert.Empty(Leftovers("in.kolmo"));
    }

    [Fact]
    public void Train_StoppedBySighup_LeavesNeitherCheckpointNorLog()
    {
        File.WriteAllBytes(P("train.txt"), TestFiles.Text(20000, 3));
        using var child = new ChildKolmo(_dir, "train", "--model", "lstm", "--data", "train.txt", "--layers", "1", "--dim", "16",
            "--ctx", "16", "--steps", "1000000", "--threads", "1", "--out", "m.bin", "--log", "curve.tsv");
        Assert.True(child.WaitFor(() => Directory.EnumerateFiles(_dir, ".*.tmp").Count() == 2, Wait), "the temporary files never appeared");
        child.Signal(ChildKolmo.SigHup);
        var (code, _) = child.WaitForExit(Wait);
        Assert.Equal(129, code);
        Assert.Empty(Leftovers("train.txt"));
    }

    [Fact]
    public void Igpt_StoppedBySigterm_LeavesNoReportAndNoTemporaryFile()
    {
        // igpt keeps its training state on a signal (to --resume), but never a partial report or a temporary file
        using var child = new ChildKolmo(_dir, "igpt", "--sizes", "1x8", "--masked-sizes", "1x8", "--seeds", "1", "--steps", "100000",
            "--checkpoints", "2", "--batch", "4", "--downsample", "4", "--palette-size", "4", "--probe-train", "60", "--test-limit", "20", "--out", "report");
        Assert.True(child.WaitFor(() => Directory.Exists(P("report")), Wait), "the output folder never appeared");
        child.Signal(ChildKolmo.SigTerm);
        var (code, _) = child.WaitForExit(Wait);
        Assert.Equal(143, code);
        Assert.Empty(Directory.EnumerateFiles(_dir, "*.tmp", SearchOption.AllDirectories));
        Assert.False(File.Exists(P("report/report.md")));
        Assert.False(File.Exists(P("report/results.json")));
    }

    [Fact]
    public void DecipherSaveModel_SearchStoppedBySigterm_PublishesNoModel()
    {
        // the model is written to its temporary file before the search and published only when the search ends
        string corpus = string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog while the cat sleeps by the warm fire ", 40));
        File.WriteAllText(P("corpus.txt"), corpus);
        var rng = new Random(6);
        File.WriteAllText(P("cipher.txt"), new string([.. Enumerable.Range(0, 2000).Select(_ => (char)('a' + rng.Next(26)))]));
        using var child = new ChildKolmo(_dir, "decipher", "cipher.txt", "--corpus", "corpus.txt", "--restarts", "100000",
            "--iterations", "1000000000", "--threads", "1", "--json", "--save-model", "m.kngm");
        Assert.True(child.WaitFor(TempFileExists, Wait), "the temporary model file never appeared");
        child.Signal(ChildKolmo.SigTerm);
        var (code, err) = child.WaitForExit(Wait);
        Assert.Equal(143, code);
        Assert.Contains("unfinished output removed", err);
        Assert.Empty(Leftovers("corpus.txt", "cipher.txt"));
    }

    [Fact]
    public void AtomicOutput_WriteAll_ChecksEveryTargetFirst_ThenPublishesTheSet()
    {
        File.WriteAllText(P("b.txt"), "old");
        // b.txt exists and there is no --force: refused before a.txt is written
        Assert.Throws<UsageException>(() => AtomicOutput.WriteAll(false, (P("a.txt"), "A"u8.ToArray()), (P("b.txt"), "B"u8.ToArray())));
        Assert.Equal(["b.txt"], Leftovers());
        AtomicOutput.WriteAll(true, (P("a.txt"), "A"u8.ToArray()), (P("b.txt"), "B"u8.ToArray()));
        Assert.Equal("A", File.ReadAllText(P("a.txt")));
        Assert.Equal("B", File.ReadAllText(P("b.txt")));
        Assert.Equal(["a.txt", "b.txt"], Leftovers().Order(StringComparer.Ordinal));
    }

    /// <summary>A set whose second file does not fit on the disk: neither file is published (needs root; skipped otherwise).</summary>
    [SkippableFact]
    public void AtomicOutput_WriteAll_OnFullDisk_PublishesNothing()
    {
        using var disk = SmallTmpfs.TryMount(P("full"), 256 << 10);
        Skip.If(disk is null, "needs root and tmpfs (mount -t tmpfs) to make a full file system");
        var e = Assert.Throws<IOException>(() => AtomicOutput.WriteAll(false,
            (Path.Combine(disk!.Path, "small.txt"), "fits"u8.ToArray()),
            (Path.Combine(disk.Path, "large.bin"), TestFiles.Random(320 << 10, 5))));
        Assert.Contains("No space left on device", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(disk.Path));
    }

    [Fact]
    public void AtomicOutput_DisposedWithoutCommit_RemovesTemporaryFile_AndKeepsExistingTarget()
    {
        File.WriteAllText(P("t.txt"), "old");
        using (var o = new AtomicOutput(P("t.txt"), force: true))
        {
            o.Stream.Write("new, unfinished"u8);
            Assert.True(TempFileExists());
        }
        Assert.False(TempFileExists());
        Assert.Equal("old", File.ReadAllText(P("t.txt")));
        using (var o = new AtomicOutput(P("t.txt"), force: true))
        {
            o.Stream.Write("new"u8);
            o.Commit();
        }
        Assert.Equal("new", File.ReadAllText(P("t.txt")));
        Assert.Empty(Leftovers("t.txt"));
        Assert.Throws<UsageException>(() => new AtomicOutput(P("t.txt"), force: false));
    }

    /// <summary>
    /// A signal handled while a temporary file is being created waits for the file and removes it; one handled before
    /// refuses it. (The file used to be registered first and created after the lock was let go: a signal in between
    /// removed nothing, and the file, created a moment later while the process was exiting, outlived the run.)
    /// </summary>
    [Fact]
    public void LiveOutputs_SignalWhileATemporaryFileIsCreated_RemovesIt()
    {
        var outputs = new LiveOutputs();
        string temp = P(".out.123.tmp");
        using var creating = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        FileStream? file = null;
        var create = new Thread(() => file = outputs.CreateFile(temp, () =>
        {
            creating.Set();
            release.Wait();
            return File.Create(temp);
        }));
        create.Start();
        creating.Wait();
        var abandon = new Thread(outputs.Abandon);   // what the signal handler does
        abandon.Start();
        Assert.False(abandon.Join(TimeSpan.FromMilliseconds(300)), "the outputs were removed while a temporary file was being created");
        release.Set();
        create.Join();
        abandon.Join();
        using (file)
        {
            Assert.NotNull(file);
            Assert.False(File.Exists(temp));
        }
        string later = P(".later.123.tmp");
        Assert.Throws<OperationCanceledException>(() => outputs.CreateFile(later, () => File.Create(later)));
        Assert.Throws<OperationCanceledException>(() => outputs.Publish([], () => File.WriteAllText(later, "x")));
        Assert.Empty(Leftovers());
    }

    /// <summary>The same for an output folder: created and registered together, so a signal never misses it.</summary>
    [Fact]
    public void LiveOutputs_FolderCreatedThenAbandoned_IsRemoved_AndNoneIsCreatedAfter()
    {
        var outputs = new LiveOutputs();
        Assert.True(outputs.CreateFolder(P("report")));
        Assert.False(outputs.CreateFolder(P("report")));   // exists: not this call's, not registered again
        outputs.Abandon();
        Assert.False(Directory.Exists(P("report")));
        Assert.Throws<OperationCanceledException>(() => outputs.CreateFolder(P("later")));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void OutputFolder_CreatedThenAbandoned_IsRemovedOnlyWhenEmpty()
    {
        using (OutputFolder.Create(P("a/b")))
        {
            Assert.True(Directory.Exists(P("a/b")));
        }
        Assert.False(Directory.Exists(P("a/b")));
        using (var kept = OutputFolder.Create(P("c")))
        {
            kept.Keep();
        }
        Assert.True(Directory.Exists(P("c")));
    }

    /// <summary>A real full file system: a 256 KiB tmpfs (needs root; skipped otherwise).</summary>
    [SkippableTheory]
    [InlineData("c", "-m", "order3", "-l", "1")]
    [InlineData("d")]
    public void Writer_OnFullDisk_FailsWithOneLine_AndLeavesNothing(params string[] command)
    {
        using var disk = SmallTmpfs.TryMount(P("full"), 256 << 10);
        Skip.If(disk is null, "needs root and tmpfs (mount -t tmpfs) to make a full file system");
        var data = TestFiles.Random(320 << 10, 4);   // incompressible: the output is larger than the disk
        string input = P("in.bin");
        if (command[0] == "d")
        {
            input = P("in.kolmo");
            using var f = File.Create(input);
            new Kolmo.Compression.ModelCompressor("order3", 1).Compress(new MemoryStream(data), f);
        }
        else
        {
            File.WriteAllBytes(input, data);
        }
        var (code, _, err) = CliRunner.Run([.. command, "-q", input, "-o", Path.Combine(disk!.Path, "out")]);
        Assert.Equal(CliErrors.Usage, code);
        Assert.Matches(@"^kolmo: .*cannot write .*out: No space left on device\s*$", err);
        Assert.Empty(Directory.EnumerateFileSystemEntries(disk.Path));
    }
}
