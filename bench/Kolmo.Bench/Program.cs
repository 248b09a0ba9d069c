namespace Kolmo.Bench;

/// <summary>
/// Benchmark harness: <c>dotnet run --project bench/Kolmo.Bench -c Release -- SUITE [args]</c>.
/// Each feature registers its suites in its own partial method (files beside this one), so features stay
/// independent. Every suite runs its baselines in the same invocation and writes dated markdown + TSV.
/// </summary>
public static partial class Program
{
    public static int Main(string[] args)
    {
        var suites = new SortedDictionary<string, (string Help, Func<string[], int> Run)>(StringComparer.Ordinal);
        RegisterCompression(suites);
        RegisterCm(suites);
        RegisterInformation(suites);
        RegisterNeural(suites);
        RegisterDecipher(suites);
        RegisterNeuralCompression(suites);
        RegisterVision(suites);
        RegisterCluster(suites);
        RegisterReliability(suites);
        RegisterTour(suites);
        if (args.Length == 0 || !suites.TryGetValue(args[0], out var suite))
        {
            Console.Error.WriteLine("usage: Kolmo.Bench SUITE [args]   suites:");
            foreach (var (name, s) in suites)
            {
                Console.Error.WriteLine($"  {name,-14} {s.Help}");
            }
            return args.Length == 0 ? 0 : 2;
        }
        if (args.Length > 1 && args[1] is "--help" or "-h")
        {
            // suites run their whole benchmark whatever else they are given: asking one for help must not start it
            Console.WriteLine($"Kolmo.Bench {args[0]}: {suite.Help}");
            Console.WriteLine("Its arguments and what it writes are described in the docs/ page that reports it (grep the suite's name).");
            return 0;
        }
        return suite.Run(args[1..]);
    }

    static partial void RegisterCompression(IDictionary<string, (string Help, Func<string[], int> Run)> suites);

    static partial void RegisterCm(IDictionary<string, (string Help, Func<string[], int> Run)> suites);

    static partial void RegisterInformation(IDictionary<string, (string Help, Func<string[], int> Run)> suites);

    static partial void RegisterNeural(IDictionary<string, (string Help, Func<string[], int> Run)> suites);

    static partial void RegisterDecipher(IDictionary<string, (string Help, Func<string[], int> Run)> suites);

    static partial void RegisterNeuralCompression(IDictionary<string, (string Help, Func<string[], int> Run)> suites);

    static partial void RegisterVision(IDictionary<string, (string Help, Func<string[], int> Run)> suites);

    static partial void RegisterCluster(IDictionary<string, (string Help, Func<string[], int> Run)> suites);

    static partial void RegisterReliability(IDictionary<string, (string Help, Func<string[], int> Run)> suites);

    static partial void RegisterTour(IDictionary<string, (string Help, Func<string[], int> Run)> suites);
}
