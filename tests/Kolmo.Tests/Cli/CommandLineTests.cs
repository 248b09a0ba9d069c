using System.Reflection;
using Kolmo.Cli;
using Kolmo.Cli.Infrastructure;
using Kolmo.Tests.Support;
using Spectre.Console;

namespace Kolmo.Tests.Cli;

/// <summary>The strict, conventional command line: every rule of <see cref="ArgumentCheck"/> and the help of every command.</summary>
[Collection("Console")]
public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kolmo-args-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private static IReadOnlyList<string> CommandNames() => [.. Program.CreateApp().Catalog.Commands.Select(c => c.Name)];

    public static TheoryData<string> Commands() => [.. CommandNames()];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_RendersForEveryCommand(string command)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try
        {
            Assert.Equal(0, Program.CreateApp(console).Run([command, "--help"]));
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.Equal("", err.ToString());
        Assert.Contains("USAGE:", text.ToString(), StringComparison.Ordinal);
        Assert.Contains(command, text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void HelpExamples_AreAcceptedCommandLines()
    {
        var failures = new List<string>();
        foreach (var c in Program.CreateApp().Catalog.Commands)
        {
            Assert.True(c.Examples.Count > 0, $"kolmo {c.Name} has no example in its help");
            foreach (var example in c.Examples)
            {
                var (code, _, err) = CliRunner.Check([.. example]);
                if (code != 0)
                {
                    failures.Add($"kolmo {string.Join(' ', example)}: {err.Trim()}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Catalog_HoldsEveryCommandWithItsOptions()
    {
        var catalog = Program.CreateApp().Catalog;
        Assert.Contains("compress", catalog.Commands.Select(c => c.Name));
        Assert.Equal("compress", catalog.Find("c")!.Name);
        Assert.NotNull(catalog.Find("compress")!.Long("level"));
        Assert.True(catalog.Find("compress")!.Short('l')!.TakesValue);
        Assert.False(catalog.Find("compress")!.Short('f')!.TakesValue);
    }

    [Fact]
    public void Conventions_HoldForEveryCommand()
    {
        foreach (var c in Program.CreateApp().Catalog.Commands)
        {
            if (c.Long("threads") is { } threads)
            {
                Assert.True(threads.ShortNames.SequenceEqual(["T"]), $"kolmo {c.Name}: --threads is spelled -T|--threads");
            }
            if (c.Long("force") is { } force)
            {
                Assert.True(force.ShortNames.SequenceEqual(["f"]), $"kolmo {c.Name}: --force is spelled -f|--force");
            }
            if (c.Short('t') is { } t)
            {
                Assert.True(t.LongNames.SequenceEqual(["test"]), $"kolmo {c.Name}: -t means --test (integrity), as in zstd and xz");
            }
            if (c.Short('q') is { } q)
            {
                Assert.True(q.LongNames.SequenceEqual(["quiet"]), $"kolmo {c.Name}: -q means --quiet");
            }
            if (c.Short('V') is not null)
            {
                Assert.Fail($"kolmo {c.Name}: -V is the version");
            }
            var names = c.Options.SelectMany(o => o.LongNames).ToList();
            Assert.True(names.Count == names.Distinct().Count(), $"kolmo {c.Name}: an option name is declared twice");
        }
    }

    [Fact]
    public void UnknownOption_IsAnError_WithASuggestion_AndNothingIsWritten()
    {
        File.WriteAllText(P("x.txt"), "hello hello hello");
        var (code, _, err) = Run("c", "--frobnicate", P("x.txt"), "-o", P("b.kolmo"));
        Assert.Equal(1, code);
        Assert.Contains("unknown option --frobnicate for 'kolmo compress'", err, StringComparison.Ordinal);
        Assert.False(File.Exists(P("b.kolmo")));

        (code, _, err) = Run("c", "--levle", "9", P("x.txt"));
        Assert.Equal(1, code);
        Assert.Contains("did you mean --level?", err, StringComparison.Ordinal);
        Assert.False(File.Exists(P("x.txt.kolmo")));

        (code, _, err) = Run("ncd", "-t", "2", _dir);
        Assert.Equal(1, code);
        Assert.Contains("unknown option -t for 'kolmo ncd'; did you mean -T (--threads)?", err, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCommand_IsAnError_WithASuggestion()
    {
        var (code, _, err) = Run("info-pair", "a", "b");
        Assert.Equal(1, code);
        Assert.Contains("unknown command 'info-pair'; did you mean info?", err, StringComparison.Ordinal);
        (code, _, err) = Run("compres", "a");
        Assert.Equal(1, code);
        Assert.Contains("did you mean compress?", err, StringComparison.Ordinal);
        (code, _, err) = Run("--frobnicate");
        Assert.Equal(1, code);
        Assert.Contains("a command comes first", err, StringComparison.Ordinal);
    }

    [Fact]
    public void StrayArgument_IsAnError()
    {
        var (code, _, err) = Run("generate", "hello");
        Assert.Equal(1, code);
        Assert.Contains("unexpected argument 'hello': 'kolmo generate' takes no arguments", err, StringComparison.Ordinal);
        (code, _, err) = Run("decipher", P("a"), P("b"));
        Assert.Equal(1, code);
        Assert.Contains("unexpected argument", err, StringComparison.Ordinal);
    }

    [Fact]
    public void BadValues_GetAPlainSentence()
    {
        File.WriteAllText(P("x.txt"), "hello");
        Assert.Contains("-l: 'abc' is not a whole number", Run("c", "-l", "abc", P("x.txt")).Err, StringComparison.Ordinal);
        Assert.Contains("--lr: 'fast' is not a number", Run("train", "--lr", "fast", "--data", P("x.txt")).Err, StringComparison.Ordinal);
        Assert.Contains("--seed: '-1' is not a whole number ≥ 0", Run("train", "--seed", "-1", "--data", P("x.txt")).Err, StringComparison.Ordinal);
        Assert.Contains("--level needs a value", Run("c", P("x.txt"), "--level").Err, StringComparison.Ordinal);
        Assert.Contains("--json takes no value", Run("bench", "--json=yes").Err, StringComparison.Ordinal);
        Assert.False(File.Exists(P("x.txt.kolmo")));
    }

    [Fact]
    public void Levels_AsShorthands_BestAndFast()
    {
        File.WriteAllBytes(P("x.txt"), TestFiles.Text(3000, 5));
        Assert.Equal(0, Run("c", "-q", "-m", "order3", "-9", P("x.txt"), "-o", P("9.kolmo")).Code);
        Assert.Equal(0, Run("c", "-q", "-m", "order3", "--fast", P("x.txt"), "-o", P("1.kolmo")).Code);
        Assert.Equal(0, Run("c", "-qf", "-m", "order3", "--best", P("x.txt"), "-o", P("best.kolmo")).Code);
        Assert.Contains("level 9", Run("info", P("9.kolmo")).Out, StringComparison.Ordinal);
        Assert.Contains("level 1", Run("info", P("1.kolmo")).Out, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(P("9.kolmo")), File.ReadAllBytes(P("best.kolmo")));
        Assert.Contains("-19: levels go from -1 (fastest) to -9 (best)", Run("c", "-19", P("x.txt")).Err, StringComparison.Ordinal);
        Assert.Contains("give one level", Run("c", "--best", "-3", P("x.txt"), "-o", P("y.kolmo")).Err, StringComparison.Ordinal);
        Assert.Contains("it has no --level", Run("bench", "-3").Err, StringComparison.Ordinal);
    }

    [Fact]
    public void StackedShortSwitches_AndValueLast()
    {
        File.WriteAllBytes(P("x.txt"), TestFiles.Text(2000, 6));
        Assert.Equal(0, Run("c", "-kfq", "-m", "order3", P("x.txt")).Code);
        Assert.True(File.Exists(P("x.txt.kolmo")));
        Assert.Equal(0, Run("c", "-fqm", "order3", P("x.txt")).Code);
        Assert.Contains("-m takes a value, so it must come last", Run("c", "-mq", "order3", P("x.txt")).Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_FromOnePlace()
    {
        var (code, output, _) = Run("--version");
        Assert.Equal(0, code);
        string expected = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        Assert.StartsWith($"kolmo {expected}", output, StringComparison.Ordinal);
        Assert.Equal(output, Run("-V").Out);
        Assert.Equal(expected, typeof(Kolmo.Coding.Probability).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0]);
        Assert.Equal("0.1.0 (commit 1a2b3c4)", ToolVersion.Format("0.1.0+1a2b3c4d5e6f"));
    }

    [Fact]
    public void Test_VerifiesWithoutWriting_AndFindsCorruption()
    {
        var data = TestFiles.Text(4000, 7);
        File.WriteAllBytes(P("x.txt"), data);
        Assert.Equal(0, Run("c", "-q", "-m", "order3", P("x.txt")).Code);
        File.Delete(P("x.txt"));
        var (code, _, err) = Run("d", "-t", P("x.txt.kolmo"));
        Assert.Equal(0, code);
        Assert.Contains("ok, 1 stream", err, StringComparison.Ordinal);
        Assert.Equal(0, Run("-t", P("x.txt.kolmo")).Code);          // zstd habit: kolmo -t FILE
        Assert.Equal(0, Run("c", "-t", "-q", P("x.txt.kolmo")).Code);
        Assert.False(File.Exists(P("x.txt")), "-t writes nothing");
        var packed = File.ReadAllBytes(P("x.txt.kolmo"));
        packed[packed.Length / 2] ^= 0x10;
        File.WriteAllBytes(P("bad.kolmo"), packed);
        (code, _, err) = Run("d", "-t", P("bad.kolmo"));
        Assert.Equal(2, code);
        Assert.StartsWith("kolmo: ", err, StringComparison.Ordinal);
        Assert.Contains("-t (test) writes nothing", Run("d", "-t", P("x.txt.kolmo"), "-o", P("y")).Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Decompress_ByTheZstdHabits()
    {
        var data = TestFiles.Text(3000, 8);
        File.WriteAllBytes(P("x.txt"), data);
        Assert.Equal(0, Run("c", "-q", "-m", "order3", P("x.txt")).Code);
        Assert.Equal(0, Run("c", "-d", "-q", P("x.txt.kolmo"), "-o", P("a.txt")).Code);
        Assert.Equal(0, Run("-d", "-q", P("x.txt.kolmo"), "-o", P("b.txt")).Code);
        Assert.Equal(data, File.ReadAllBytes(P("a.txt")));
        Assert.Equal(data, File.ReadAllBytes(P("b.txt")));
    }

    [Fact]
    public void ConcatenatedStreams_DecodeInSequence()
    {
        var a = TestFiles.Text(3000, 9);
        var b = TestFiles.Text(2000, 10);
        File.WriteAllBytes(P("a.txt"), a);
        File.WriteAllBytes(P("b.txt"), b);
        Assert.Equal(0, Run("c", "-q", "-m", "order3", P("a.txt"), P("b.txt")).Code);
        File.WriteAllBytes(P("ab.kolmo"), [.. File.ReadAllBytes(P("a.txt.kolmo")), .. File.ReadAllBytes(P("b.txt.kolmo"))]);
        Assert.Equal(0, Run("d", "-q", P("ab.kolmo"), "-o", P("ab.txt")).Code);
        Assert.Equal([.. a, .. b], File.ReadAllBytes(P("ab.txt")));
        Assert.Contains("ok, 2 streams", Run("d", "-t", P("ab.kolmo")).Err, StringComparison.Ordinal);
        Assert.Equal(2, Run("info", P("ab.kolmo")).Out.Split("original").Length - 1);

        File.WriteAllBytes(P("junk.kolmo"), [.. File.ReadAllBytes(P("a.txt.kolmo")), .. "junk"u8]);
        var (code, _, err) = Run("d", P("junk.kolmo"), "-o", P("junk.txt"));
        Assert.Equal(2, code);
        Assert.Contains("unexpected data after the end of the .kolmo stream", err, StringComparison.Ordinal);
        Assert.False(File.Exists(P("junk.txt")));
    }

    [Fact]
    public void CompressToStdout_OfTwoFiles_DecompressesToBoth()
    {
        var a = TestFiles.Text(2500, 11);
        var b = TestFiles.Random(1500, 12);
        File.WriteAllBytes(P("a.txt"), a);
        File.WriteAllBytes(P("b.bin"), b);
        var (code, packed, err) = CliRunner.RunChildOutput(null, "c", "-c", "-q", "-m", "order3", P("a.txt"), P("b.bin"));
        Assert.True(code == 0, err);
        File.WriteAllBytes(P("ab.kolmo"), packed);
        Assert.Equal(0, Run("d", "-q", P("ab.kolmo"), "-o", P("ab")).Code);
        Assert.Equal([.. a, .. b], File.ReadAllBytes(P("ab")));
        var (vcode, _, verbose) = Run("d", "-v", "-t", P("ab.kolmo"));
        Assert.Equal(0, vcode);
        Assert.Equal(2, verbose.Split("model       order3").Length - 1);   // -v: the header of each stream
    }

    [Fact]
    public void CountingReadStream_ShowsAFilesLength_SoThreadsGetEqualSegments()
    {
        File.WriteAllBytes(P("f"), TestFiles.Random(1000, 3));
        using (var file = File.OpenRead(P("f")))
        {
            var counting = new Kolmo.Cli.Commands.Compression.CountingReadStream(file);
            Assert.True(counting.CanSeek);
            Assert.Equal(300, counting.Read(new byte[300], 0, 300));
            Assert.Equal((300, 300L, 1000L), (counting.Count, counting.Position, counting.Length));
            Assert.Equal(0, counting.Seek(0, SeekOrigin.Begin));
            Assert.Equal(0, counting.Count);
            // what ModelCompressor reads to cut the input into N segments for N threads
            long length = counting.CanSeek ? counting.Length - counting.Position : -1;
            Assert.Equal(1000, length);
        }
        var pipe = new Kolmo.Cli.Commands.Compression.CountingReadStream(new NonSeekable(new MemoryStream(new byte[50])));
        Assert.False(pipe.CanSeek);
        Assert.Equal(50, pipe.Read(new byte[80], 0, 80));
        Assert.Equal(50, pipe.Position);
        Assert.Throws<NotSupportedException>(() => pipe.Seek(0, SeekOrigin.Begin));
    }

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void EditDistance_CountsSwapsAsOne()
    {
        Assert.Equal(1, ArgumentCheck.EditDistance("levle", "level"));
        Assert.Equal(3, ArgumentCheck.EditDistance("kitten", "sitting"));
        Assert.Equal("", ArgumentCheck.Suggest("frobnicate", ["force", "level"], n => n));
    }
}
