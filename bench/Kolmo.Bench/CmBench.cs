using System.Diagnostics;
using Kolmo.Coding;
using Kolmo.Modeling;

namespace Kolmo.Bench;

public static partial class Program
{
    static partial void RegisterCm(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["cm-quick"] = ("cm ideal bits per byte on files: cm-quick LEVEL FILE...", CmQuick);
    }

    private static int CmQuick(string[] args)
    {
        int level = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        double totalBits = 0;
        long totalBytes = 0;
        var sw = Stopwatch.StartNew();
        foreach (var file in args[1..])
        {
            var data = File.ReadAllBytes(file);
            var model = new CmModel(new CmOptions { Level = level });
            var coder = new CountingBitCoder();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            foreach (byte b in data)
            {
                for (int k = 7; k >= 0; k--)
                {
                    int bit = (b >> k) & 1;
                    coder.Code(bit, model.P());
                    model.Update(bit);
                }
            }
            totalBits += coder.Bits;
            totalBytes += data.Length;
            Console.WriteLine($"{Path.GetFileName(file),-14} {data.Length,9} {coder.Bits / 8,11:F0} {coder.Bits / data.Length,7:F4} bpb {data.Length / (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds / 1e6,6:F2} MB/s(cpu)");
            if (System.Environment.GetEnvironmentVariable("CMLZMA") == "1")
            {
                var c0 = Process.GetCurrentProcess().TotalProcessorTime;
                var lz = new Kolmo.Compression.Panel.LzmaCodec();
                double bits = lz.CompressedBits(data);
                Console.WriteLine($"  lzma {bits / data.Length:F4} bpb {data.Length / (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalSeconds / 1e6,6:F2} MB/s(cpu)");
            }
        }
        Console.WriteLine($"{"TOTAL",-14} {totalBytes,9} {totalBits / 8,11:F0} {totalBits / totalBytes,7:F4} bpb {totalBytes / sw.Elapsed.TotalSeconds / 1e6,6:F2} MB/s");
        return 0;
    }
}
