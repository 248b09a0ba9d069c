using System.IO.Compression;
using System.Text;
using Kolmo.Cluster.Work;
using Kolmo.Compression;
using Kolmo.Decipher;
using Kolmo.Learning;
using Kolmo.Neural;
using Kolmo.Vision;

namespace Kolmo.Fuzz;

/// <summary>
/// <c>Kolmo.Fuzz</c>: the fuzz targets' driver (fuzz/README.md).
/// <code>
/// Kolmo.Fuzz list                        targets and their properties
/// Kolmo.Fuzz run TARGET                  under afl-fuzz (SharpFuzz's in-process fork server)
/// Kolmo.Fuzz fuzz TARGET SEEDS OUT SECS [MAXLEN]   in-process coverage-guided fuzzing (InProcessFuzzer)
/// Kolmo.Fuzz replay TARGET PATH…         runs files (or every file of folders) once; exit 1 on a violation
/// Kolmo.Fuzz minimize TARGET IN OUT      shrinks a finding while it still fails the same way (delta debugging)
/// Kolmo.Fuzz seeds REPO OUTDIR           writes each target's seed corpus from the golden files and small data
/// </code>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: Kolmo.Fuzz list | run TARGET | replay TARGET PATH... | seeds REPO OUTDIR");
            return 2;
        }
        if (args[0] is not "run" and not "fuzz")
        {
            CoverageSink();   // an instrumented Kolmo.dll writes to a coverage map: give it one nobody reads
        }
        switch (args[0])
        {
            case "list":
                foreach (var t in FuzzTargets.All)
                {
                    Console.WriteLine($"{t.Name}\t{t.Property}");
                }
                return 0;
            case "run" when args.Length == 2:
                var target = FuzzTargets.Get(args[1]);
                // Nothing of the instrumented Kolmo.dll may run before Fuzzer.Run has mapped AFL's coverage memory.
                SharpFuzz.Fuzzer.Run(stream =>
                {
                    NeuralRuntime.Threads = 1;   // allocation is measured per thread
                    var ms = new MemoryStream();
                    stream.CopyTo(ms);
                    target.Run(ms.ToArray());
                });
                return 0;
            case "fuzz" when args.Length is 5 or 6:
            {
                // Kolmo.Fuzz fuzz TARGET SEEDS OUTDIR CPU-SECONDS [MAX-LENGTH]
                var t = FuzzTargets.Get(args[1]);
                var fuzzer = new InProcessFuzzer(t, args[3], args.Length == 6 ? int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : 4096, Environment.ProcessId);
                NeuralRuntime.Threads = 1;   // only now: the instrumented Kolmo.dll writes to the coverage map the fuzzer mapped
                var cpu = System.Diagnostics.Process.GetCurrentProcess();
                fuzzer.Run([args[2], Path.Combine(args[3], "corpus")], double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture), hangSeconds: 60);
                cpu.Refresh();
                // target, executions, CPU seconds, corpus, edges, features, new findings
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{t.Name}\t{fuzzer.Executions}\t{cpu.TotalProcessorTime.TotalSeconds:F1}\t{fuzzer.CorpusCount}\t{fuzzer.Edges}\t{fuzzer.Features}\t{fuzzer.Crashes}"));
                return 0;
            }
            case "rescue" when args.Length == 2:
            {
                // the input a killed 'fuzz' process was running: OUT/current → OUT/crashes/SHA1
                string current = Path.Combine(args[1], "current");
                if (!File.Exists(current))
                {
                    return 1;
                }
                var raw = File.ReadAllBytes(current);
                int n = BitConverter.ToInt32(raw, 0);
                var input = raw.AsSpan(4, n).ToArray();
                string name = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(input));
                Directory.CreateDirectory(Path.Combine(args[1], "crashes"));
                File.WriteAllBytes(Path.Combine(args[1], "crashes", name), input);
                Console.Error.WriteLine($"rescued the input that killed the process: {name}");
                return 0;
            }
            case "minimize" when args.Length == 4:
                NeuralRuntime.Threads = 1;
                return Minimize(FuzzTargets.Get(args[1]), args[2], args[3]);
            case "replay" when args.Length >= 3:
                NeuralRuntime.Threads = 1;
                return Replay(FuzzTargets.Get(args[1]), args[2..]);
            case "seeds" when args.Length == 3:
                NeuralRuntime.Threads = 1;
                Seeds(args[1], args[2]);
                return 0;
            default:
                Console.Error.WriteLine($"unknown command or arguments: {string.Join(' ', args)}");
                return 2;
        }
    }

    private static unsafe void CoverageSink() =>
        SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16);

    private static int Replay(FuzzTarget target, string[] paths)
    {
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();
        int bad = 0;
        foreach (var f in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(f));
            }
            catch (Exception e)
            {
                bad++;
                Console.WriteLine($"{f}: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
        Console.WriteLine($"{target.Name}: {files.Count} inputs, {bad} violations");
        return bad == 0 ? 0 : 1;
    }

    /// <summary>The kind of failure: exception type and the message with digits removed (sizes vary as the input shrinks).</summary>
    private static string? Failure(FuzzTarget target, byte[] input)
    {
        try
        {
            target.Run(input);
            return null;
        }
        catch (Exception e)
        {
            return e.GetType().FullName + ":" + new string([.. e.Message.Where(c => !char.IsAsciiDigit(c))]);
        }
    }

    /// <summary>Removes chunks (halves, quarters … single bytes), then zeroes bytes, keeping each change that still fails the same way.</summary>
    private static int Minimize(FuzzTarget target, string inPath, string outPath)
    {
        var input = File.ReadAllBytes(inPath);
        string? kind = Failure(target, input);
        if (kind is null)
        {
            Console.Error.WriteLine($"{inPath}: does not fail {target.Name}");
            return 1;
        }
        for (int chunk = Math.Max(1, input.Length / 2); chunk >= 1; chunk /= 2)
        {
            for (int at = 0; at + chunk <= input.Length;)
            {
                byte[] shorter = [.. input.AsSpan(0, at), .. input.AsSpan(at + chunk)];
                if (Failure(target, shorter) == kind)
                {
                    input = shorter;
                }
                else
                {
                    at += chunk;
                }
            }
        }
        for (int i = 0; i < input.Length; i++)
        {
            if (input[i] == 0)
            {
                continue;
            }
            var zeroed = (byte[])input.Clone();
            zeroed[i] = 0;
            if (Failure(target, zeroed) == kind)
            {
                input = zeroed;
            }
        }
        File.WriteAllBytes(outPath, input);
        Console.WriteLine($"{target.Name}: {inPath} -> {outPath}: {input.Length} bytes, {kind}");
        return 0;
    }

    /// <summary>Small, valid inputs for each target (the golden .kolmo files among them); the fuzzer mutates from here.</summary>
    private static void Seeds(string repo, string outDir)
    {
        void Put(string target, string name, byte[] data)
        {
            string dir = Path.Combine(outDir, target);
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, name), data);
        }

        string golden = Path.Combine(repo, "tests", "Golden", "container");
        var text = Encoding.ASCII.GetBytes("compression is prediction; prediction is compression. the cat sat on the mat.\n");
        foreach (var f in Directory.GetFiles(golden, "*.kolmo").Order(StringComparer.Ordinal))
        {
            var b = File.ReadAllBytes(f);
            if (b.Length <= 4096)
            {
                Put("container", Path.GetFileName(f), b);
                Put("decode-order3", Path.GetFileName(f), b);
            }
        }
        byte[] Packed(string model, byte[] data, int block = 64)
        {
            var ms = new MemoryStream();
            new ModelCompressor(model, 1, model is "cm" or "cm+nn" ? 16L << 20 : null, block).Compress(new MemoryStream(data), ms);
            return ms.ToArray();
        }
        Put("container", "cm-text.kolmo", Packed("cm", text));
        Put("decode-cm", "cm-text.kolmo", Packed("cm", text));
        Put("decode-cm", "cm-zeros.kolmo", Packed("cm", new byte[300], 300));
        byte[] Segmented(byte[] data, bool x86)
        {
            var ms = new MemoryStream();
            new ModelCompressor("cm", 1, 16L << 20, 64).WithSegments(100, 2, x86).Compress(new MemoryStream(data), ms);
            return ms.ToArray();
        }
        Put("container", "cm-segments.kolmo", Segmented(text, false));
        Put("decode-cm", "cm-segments.kolmo", Segmented(text, false));
        Put("decode-cm", "cm-segments-x86.kolmo", Segmented([.. text, 0xE8, 1, 2, 3, 0, 0xE9, 4, 5, 6, 0xFF, .. text], true));
        Put("decode-order3", "order3-text.kolmo", Packed("order3", text));
        Put("decode-nn", "nn-text.kolmo", Packed("nn", text[..40]));
        Put("decode-cmnn", "cmnn-text.kolmo", Packed("cm+nn", text[..40]));
        foreach (var t in new[] { "roundtrip-order3", "roundtrip-cm" })
        {
            Put(t, "text", text);
            Put(t, "zeros", new byte[100]);
            Put(t, "empty", []);
        }

        var images = new ImageSet(3, 4, 5, [.. Enumerable.Range(0, 60).Select(i => (byte)(i * 4))]);
        var idx = new MemoryStream();
        Idx.WriteImages(idx, images);
        var labels = new MemoryStream();
        Idx.WriteLabels(labels, [1, 2, 3]);
        Put("idx", "images", [0, .. idx.ToArray()]);
        Put("idx", "labels", [1, .. labels.ToArray()]);
        Put("idx", "images.gz", [0, .. Gzip(idx.ToArray())]);
        Put("idx", "labels.gz", [1, .. Gzip(labels.ToArray())]);

        var counts = NGramCounts.Count(Alphabet.Letters.Normalize("the quick brown fox jumps over the lazy dog again and again"), Alphabet.Letters, 3);
        var model = new MemoryStream();
        counts.Save(model);
        Put("decipher-model", "letters3", model.ToArray());

        foreach (var (name, net) in new (string, SequenceModel)[] { ("lstm", new Lstm(new LstmConfig(8, 4, 1, 3), 1)), ("gpt", new Gpt(new GptConfig(8, 4, 1, 4, 2), 1)) })
        {
            var ms = new MemoryStream();
            net.Save(ms);
            Put("checkpoint", name, ms.ToArray());
        }

        Put("classify-tsv", "two", Encoding.UTF8.GetBytes("en\tthe cat sat\nfr\tle chat\r\nen\ta\tb\n"));
        Put("classify-dir", "two", Encoding.UTF8.GetBytes("en\0a.txt\0the cat\u001Een\0b.txt\0a dog\u001Efr\0c.txt\0le chat"));
        Put("ncd-matrix", "three", Encoding.UTF8.GetBytes("label\ta\tb\tc\na\t0\t0.5\t0.9\nb\t0.5\t0\t0.7\nc\t0.9\t0.7\t0\n"));

        // shard files of the three kinds of job, as 'kolmo ncd|classify|compress --shard i/N' writes them
        byte[] Doc(string t) => Encoding.UTF8.GetBytes(t);
        (string, byte[])[] three = [("a", Doc("the cat sat on the mat")), ("b", Doc("the dog sat on the log")), ("c", Doc("le chat"))];
        var ncd = JobSpec.ForNcd(three, "order3");
        byte[][] ncdDocs = [.. three.Select(d => d.Item2)];
        Put("shard-file", "ncd-0-of-1.json", ShardFile.Compute(ncd, ncdDocs, new Shard(0, 1), 1).ToJson());
        Put("shard-file", "ncd-1-of-2.json", ShardFile.Compute(ncd, ncdDocs, new Shard(1, 2), 1).ToJson());
        LabeledDocument[] train = [new("en", "a", Doc("the cat sat")), new("fr", "b", Doc("le chat est"))];
        LabeledDocument[] test = [new("en", "c", Doc("the dog sat")), new("fr", "d", Doc("le chien est"))];
        var classify = JobSpec.ForClassify(train, test, "knn", "order3", 1);
        Put("shard-file", "classify-0-of-1.json", ShardFile.Compute(classify, [.. train.Concat(test).Select(d => d.Data)], new Shard(0, 1), 1).ToJson());
        var compress = JobSpec.ForCompress(three, "order3", 1, null, 64);
        Put("shard-file", "compress-0-of-1.json", ShardFile.Compute(compress, ncdDocs, new Shard(0, 1), 1).ToJson());
    }

    private static byte[] Gzip(byte[] data)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(data);
        }
        return ms.ToArray();
    }
}
