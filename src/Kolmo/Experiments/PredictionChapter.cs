using System.Diagnostics;
using System.Text;
using Kolmo.Coding;
using Kolmo.Compression;
using Kolmo.Modeling;

namespace Kolmo.Experiments;

/// <summary>Settings of the compression-is-prediction chapter.</summary>
public sealed record PredictionOptions
{
    /// <summary>English book (a file of the built-in decipherment model's training set).</summary>
    public string Book { get; init; } = "pride-and-prejudice_pg1342.txt";

    /// <summary>The text starts at the first occurrence of this string (skips title pages and prefaces).</summary>
    public string StartMarker { get; init; } = "It is a truth universally acknowledged";

    /// <summary>Bytes of text compressed.</summary>
    public int Bytes { get; init; } = 200_000;

    /// <summary>Model compressors (catalog names), weakest first.</summary>
    public IReadOnlyList<string> Models { get; init; } = ["order3", "cm"];

    /// <summary>Model level (1–9).</summary>
    public int Level { get; init; } = 6;

    /// <summary>Windows of the learning curve (bits per byte of each window of the text).</summary>
    public int CurvePoints { get; init; } = 50;

    /// <summary>Text the models continue after learning the book.</summary>
    public string Prompt { get; init; } = "\u201cMy dear Mr. Bennet,\u201d said";

    /// <summary>Bytes each model writes as a generator.</summary>
    public int SampleBytes { get; init; } = 400;
}

/// <summary>One model compressor on the text: its ideal code length (−Σ log2 p) against the bytes of the real file.</summary>
/// <param name="Model">Catalog name.</param>
/// <param name="Level">Level.</param>
/// <param name="InputBytes">Bytes of text.</param>
/// <param name="LogLossBits">The model's log-loss on the text, −Σ log2 p over its 8 bits per byte (ideal code length).</param>
/// <param name="FileBytes">Size of the <c>.kolmo</c> file the arithmetic coder wrote (header and checksums included).</param>
/// <param name="OverheadBits">FileBytes × 8 − LogLossBits: what the coder and the container add.</param>
/// <param name="RoundTrip">The file decoded back to the text, byte for byte.</param>
/// <param name="Seconds">Wall seconds to compress and decompress.</param>
public sealed record CodeLengthAgreement(string Model, int Level, long InputBytes, double LogLossBits, long FileBytes, double OverheadBits, bool RoundTrip, double Seconds)
{
    /// <summary>Log-loss in bits per byte.</summary>
    public double BitsPerByte => InputBytes > 0 ? LogLossBits / InputBytes : 0;

    /// <summary>File size in bits per byte.</summary>
    public double FileBitsPerByte => InputBytes > 0 ? FileBytes * 8.0 / InputBytes : 0;
}

/// <summary>A model's log-loss along the text: bits per byte of consecutive windows (it learns as it goes).</summary>
/// <param name="Model">Model name.</param>
/// <param name="WindowEnd">End offset of each window, in bytes.</param>
/// <param name="BitsPerByte">Log-loss of each window, bits per byte.</param>
public sealed record LearningCurve(string Model, IReadOnlyList<long> WindowEnd, IReadOnlyList<double> BitsPerByte);

/// <summary>Text a model wrote as a generator after learning the book.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Prompt">The text it was given after the book.</param>
/// <param name="Text">What it wrote (UTF-8, invalid sequences replaced).</param>
/// <param name="Bytes">Bytes written.</param>
/// <param name="BitsPerByte">Its own log-loss on what it wrote (the model's entropy rate on its output).</param>
/// <param name="Seed">Seed of the sampler.</param>
public sealed record ModelSample(string Model, string Prompt, string Text, int Bytes, double BitsPerByte, ulong Seed);

/// <summary>Compression = prediction: code length equals log-loss, and the same model is a generator.</summary>
/// <param name="Source">Description of the text.</param>
/// <param name="Bytes">Bytes of text.</param>
/// <param name="Models">Log-loss against the real file, per model.</param>
/// <param name="Curves">Learning curves, per model.</param>
/// <param name="Samples">Generated text, per model.</param>
/// <param name="Cost">Time spent.</param>
public sealed record PredictionResult(string Source, long Bytes, IReadOnlyList<CodeLengthAgreement> Models, IReadOnlyList<LearningCurve> Curves,
    IReadOnlyList<ModelSample> Samples, ChapterCost Cost);

/// <summary>
/// Chapter "compression = prediction": each model compressor codes a book with the arithmetic coder; the file's size
/// is set against the model's log-loss −Σ log2 p (they agree to a few bytes), the log-loss is followed along the text
/// (the model learns), and the same model, after the book and a prompt, is sampled as a generator.
/// </summary>
public static class PredictionChapter
{
    /// <summary>Runs the chapter.</summary>
    public static PredictionResult Run(PredictionOptions o, ulong seed, ChapterProgress progress)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(progress);
        var (result, cost) = ChapterCost.Measure(() =>
        {
            byte[] text = TourData.Book(o.Book, o.StartMarker, 0, o.Bytes);
            var rows = new List<CodeLengthAgreement>();
            var curves = new List<LearningCurve>();
            var samples = new List<ModelSample>();
            for (int m = 0; m < o.Models.Count; m++)
            {
                string name = o.Models[m];
                progress.Step(0, 1, m, o.Models.Count, $"{name}: log-loss along the text");
                var model = ModelCatalog.Create(name, o.Level);
                var (bits, curve) = LogLoss(model, text, o.CurvePoints);
                curves.Add(curve with { Model = name });

                progress.Step(0, 1, m, o.Models.Count, $"{name}: writing and reading the .kolmo file");
                var sw = Stopwatch.StartNew();
                var compressor = new ModelCompressor(name, o.Level);
                var file = new MemoryStream();
                compressor.Compress(new MemoryStream(text), file);
                var back = new MemoryStream();
                ModelCompressor.Decompress(new MemoryStream(file.ToArray()), back, null);
                bool ok = back.ToArray().AsSpan().SequenceEqual(text);
                rows.Add(new CodeLengthAgreement(name, compressor.Level, text.Length, bits, file.Length, file.Length * 8.0 - bits, ok, sw.Elapsed.TotalSeconds));

                progress.Step(0, 1, m, o.Models.Count, $"{name}: writing text");
                samples.Add(Sample(name, o.Level, text, o.Prompt, o.SampleBytes, seed));
            }
            progress.Report(1, "done");
            return new PredictionResult($"{o.Book}, {text.Length:N0} bytes from \"{o.StartMarker}\"", text.Length, rows, curves, samples, new ChapterCost(0, 0));
        });
        return result with { Cost = cost };
    }

    /// <summary>Codes <paramref name="data"/> with a fresh model; returns its log-loss and the per-window curve.</summary>
    public static (double Bits, LearningCurve Curve) LogLoss(IByteModel model, ReadOnlySpan<byte> data, int windows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(windows, 1);
        var coder = new CountingBitCoder();
        var ends = new List<long>();
        var bpb = new List<double>();
        double last = 0;
        long lastEnd = 0;
        for (int w = 1; w <= windows; w++)
        {
            int end = (int)((long)data.Length * w / windows);
            if (end == lastEnd)
            {
                continue;
            }
            for (long k = lastEnd; k < end; k++)
            {
                int c = data[(int)k];
                for (int i = 7; i >= 0; i--)
                {
                    int bit = (c >> i) & 1;
                    coder.Code(bit, model.P());
                    model.Update(bit);
                }
            }
            ends.Add(end);
            bpb.Add((coder.Bits - last) / (end - lastEnd));
            last = coder.Bits;
            lastEnd = end;
        }
        return (coder.Bits, new LearningCurve(model.Name, ends, bpb));
    }

    /// <summary>
    /// A fresh model learns <paramref name="text"/> and <paramref name="prompt"/>, then writes <paramref name="count"/>
    /// bytes from its own distribution (<see cref="ModelSampling"/>, as <c>kolmo generate -m MODEL --data TEXT</c>); their
    /// code length is measured on a copy of the model taken before sampling, which learns them the same way.
    /// </summary>
    public static ModelSample Sample(string model, int level, ReadOnlySpan<byte> text, string prompt, int count, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var m = ModelCatalog.Create(model, level);
        m.Prime(text);
        m.Prime(Encoding.UTF8.GetBytes(prompt));
        var before = m.Clone();
        byte[] bytes = ModelSampling.Generate(m, count, seed);
        double bits = ModelCompressor.CodeLength(before, bytes);
        return new ModelSample(model, prompt, Encoding.UTF8.GetString(bytes), count, count > 0 ? bits / count : 0, seed);
    }
}
