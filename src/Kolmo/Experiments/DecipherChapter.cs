using System.Text;
using Kolmo.Decipher;

namespace Kolmo.Experiments;

/// <summary>Settings of the distribution-matching (decipherment) chapter.</summary>
public sealed record DecipherOptions
{
    /// <summary>Cipher lengths of the error-vs-length curve, in letters.</summary>
    public IReadOnlyList<int> Lengths { get; init; } = [25, 30, 40, 50, 75, 100, 150];

    /// <summary>Random keys (and windows of text) per length.</summary>
    public int KeysPerLength { get; init; } = 6;

    /// <summary>Annealing restarts per solve of the curve (as the <c>decipher</c> bench).</summary>
    public int Restarts { get; init; } = 16;

    /// <summary>Length of the cipher shown solved in full (solved with the <c>kolmo decipher</c> defaults).</summary>
    public int ShowcaseLength { get; init; } = 300;

    /// <summary>Order of the English n-gram model.</summary>
    public int Order { get; init; } = 6;
}

/// <summary>One solve of the curve.</summary>
/// <param name="Length">Cipher length.</param>
/// <param name="Index">Which cipher of that length.</param>
/// <param name="Error">Share of letters wrong in the plaintext found.</param>
/// <param name="CpuSeconds">Process CPU-seconds of the solve.</param>
public sealed record DecipherTrial(int Length, int Index, double Error, double CpuSeconds);

/// <summary>Summary of one length.</summary>
/// <param name="Length">Cipher length.</param>
/// <param name="Keys">Ciphers solved.</param>
/// <param name="MeanError">Mean symbol error.</param>
/// <param name="Solved">Share with error ≤ <see cref="RandomSubstitution.SolvedError"/>.</param>
/// <param name="MeanCpuSeconds">Mean CPU-seconds per solve.</param>
public sealed record DecipherPoint(int Length, int Keys, double MeanError, double Solved, double MeanCpuSeconds);

/// <summary>A cipher solved in full.</summary>
/// <param name="Ciphertext">The ciphertext (capital letters).</param>
/// <param name="Plaintext">The true plaintext (lower-case letters).</param>
/// <param name="Found">The plaintext the solver found.</param>
/// <param name="Error">Share of letters wrong.</param>
/// <param name="FoundBitsPerLetter">Code length of the found plaintext under the model, bits per letter.</param>
/// <param name="TrueBitsPerLetter">Code length of the true plaintext, bits per letter.</param>
/// <param name="Agreement">Restarts that ended on the found plaintext.</param>
/// <param name="Restarts">Restarts run.</param>
/// <param name="GapBits">How many bits worse the best different plaintext was.</param>
public sealed record DecipherShowcase(string Ciphertext, string Plaintext, string Found, double Error, double FoundBitsPerLetter, double TrueBitsPerLetter, int Agreement, int Restarts, double GapBits);

/// <summary>Decipherment by distribution matching: a substitution cipher solved, and the error against the cipher's length.</summary>
/// <param name="Model">Description of the language model.</param>
/// <param name="TrainingLetters">Letters the model was trained on.</param>
/// <param name="HeldOut">Description of the held-out text the ciphers come from.</param>
/// <param name="HeldOutLetters">Letters of held-out text.</param>
/// <param name="Restarts">Restarts per solve of the curve.</param>
/// <param name="Points">Summary per length.</param>
/// <param name="Trials">Every solve of the curve.</param>
/// <param name="Showcase">The cipher solved in full.</param>
/// <param name="Cost">Time spent.</param>
public sealed record DecipherResult(string Model, long TrainingLetters, string HeldOut, int HeldOutLetters, int Restarts, IReadOnlyList<DecipherPoint> Points,
    IReadOnlyList<DecipherTrial> Trials, DecipherShowcase Showcase, ChapterCost Cost);

/// <summary>
/// Chapter "distribution matching": the key of a substitution cipher is the one whose plaintext an English character
/// model compresses best. Ciphers are made from the English UDHR, which the model never saw.
/// </summary>
public static class DecipherChapter
{
    /// <summary>Runs the chapter.</summary>
    public static DecipherResult Run(DecipherOptions o, ulong seed, int threads, ChapterProgress progress)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(progress);
        var (result, cost) = ChapterCost.Measure(() =>
        {
            progress.Report(0, "training the English model");
            var training = EnglishModel.TrainingText(Alphabet.Letters);
            var model = KneserNeyModel.Train(training, Alphabet.Letters, o.Order);
            var table = ScoreTable.ForModel(model);
            var solver = new SubstitutionSolver(table);
            byte[] held = Alphabet.Letters.Normalize(Encoding.UTF8.GetString(TourData.Udhr("eng")));
            progress.Report(0.08, "solving");

            // the curve: the decipher bench's ciphers and solver settings
            var trials = new List<DecipherTrial>();
            int total = o.Lengths.Count * o.KeysPerLength, done = 0;
            double curveCost = o.Lengths.Sum(l => (double)l) * o.KeysPerLength + o.ShowcaseLength * 2.0;
            double spent = 0;
            foreach (int len in o.Lengths)
            {
                for (int i = 0; i < o.KeysPerLength; i++)
                {
                    var sample = RandomSubstitution.Make(held, len, i);
                    var options = new SolverOptions { Restarts = o.Restarts, Seed = seed, Threads = Math.Max(1, threads) };
                    var (res, c) = ChapterCost.Measure(() => solver.Solve(sample.Cipher, options));
                    trials.Add(new DecipherTrial(len, i, sample.SymbolError(res.Plaintext), c.CpuSeconds));
                    spent += len;
                    progress.Report(0.08 + 0.92 * spent / curveCost, $"{++done} of {total} ciphers solved ({len} letters)");
                }
            }
            var points = o.Lengths.Select(len =>
            {
                var t = trials.Where(x => x.Length == len).ToArray();
                return new DecipherPoint(len, t.Length, t.Average(x => x.Error), t.Count(x => x.Error <= RandomSubstitution.SolvedError) / (double)t.Length, t.Average(x => x.CpuSeconds));
            }).ToArray();

            // the showcase: parsed from its letters and solved with the defaults of `kolmo decipher`, as a reader would
            progress.Report(0.08 + 0.92 * spent / curveCost, $"solving a {o.ShowcaseLength}-letter cipher");
            var show = RandomSubstitution.Make(held, o.ShowcaseLength, 0);
            var cipher = Cipher.Parse(show.Text, tokens: false, wordSpaces: false);
            var found = solver.Solve(cipher, new SolverOptions { Seed = seed, Threads = Math.Max(1, threads) });
            var showcase = new DecipherShowcase(show.Text, Alphabet.Letters.Render(show.Plain), Alphabet.Letters.Render(found.Plaintext), show.SymbolError(found.Plaintext),
                model.Bits(found.Plaintext) / show.Plain.Length, model.Bits(show.Plain) / show.Plain.Length, found.Agreement, found.Restarts, found.GapBits);
            progress.Report(1, "done");
            return new DecipherResult($"order-{o.Order} Kneser-Ney over a–z, trained on the built-in English books ({string.Join(", ", EnglishModel.TrainingFiles)})",
                training.Length, "UDHR English (never seen by the model), letters only", held.Length, o.Restarts, points, trials, showcase, new ChapterCost(0, 0));
        });
        return result with { Cost = cost };
    }
}
