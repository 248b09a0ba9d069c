using Kolmo.Compression.Neural;

namespace Kolmo.Experiments;

/// <summary>Settings of the MDL and transfer chapter.</summary>
public sealed record DescriptionLengthOptions
{
    /// <summary>English book coded (MDL) and used as the transfer target.</summary>
    public string Book { get; init; } = "pride-and-prejudice_pg1342.txt";

    /// <summary>Where the text starts.</summary>
    public string StartMarker { get; init; } = "It is a truth universally acknowledged";

    /// <summary>Bytes of text whose description length is measured.</summary>
    public int MdlBytes { get; init; } = 20_000;

    /// <summary>Models as they grow: (family, size) of <c>kolmo mdl</c> (<see cref="NeuralCompressors.MdlSpec"/>), smallest first per family.</summary>
    public IReadOnlyList<(string Family, int Size)> MdlModels { get; init; } = [("order", 0), ("order", 1), ("order", 2), ("lstm", 8), ("lstm", 16), ("lstm", 32), ("lstm", 64)];

    /// <summary>Bytes between optimizer steps (and training window) of the prequential code.</summary>
    public int Block { get; init; } = 32;

    /// <summary>Passes of online training over the data for the two-part code's fitted model.</summary>
    public int Epochs { get; init; } = 2;

    /// <summary>Bytes of the transfer target (the start of the same text).</summary>
    public int TargetBytes { get; init; } = 50_000;

    /// <summary>Bytes of each transfer source.</summary>
    public int SourceBytes { get; init; } = 100_000;

    /// <summary>Conditional models of the transfer experiment (<see cref="NeuralCompressors.Conditional"/> names).</summary>
    public IReadOnlyList<string> TransferModels { get; init; } = ["order2", "cm", "nn"];
}

/// <summary>One model size: the three code lengths of the same data, in bits.</summary>
/// <param name="Family">"order" (count model) or "lstm".</param>
/// <param name="Size">Order k or hidden units.</param>
/// <param name="Spec">Model configuration.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="UniformBits">8 bits per byte.</param>
/// <param name="TwoPartBits">Weights (quantised, entropy-coded) + data given the frozen weights; best step.</param>
/// <param name="WeightBits">The weight part of the two-part code.</param>
/// <param name="PrequentialBits">Online code: the model trains as it codes, no weights sent.</param>
/// <param name="Step">Best quantisation step of the two-part code.</param>
public sealed record MdlPoint(string Family, int Size, string Spec, long Parameters, double UniformBits, double TwoPartBits, double WeightBits, double PrequentialBits, double Step);

/// <summary>What priming on a source saves on the target, for one model.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Source">Source name.</param>
/// <param name="Kind">How the source relates to the target: "related" (English text), "other language" or "unrelated".</param>
/// <param name="SourceBytes">Bytes of source.</param>
/// <param name="AloneBits">C(Y).</param>
/// <param name="PrimedBits">C(Y | X).</param>
public sealed record TransferPoint(string Model, string Source, string Kind, long SourceBytes, double AloneBits, double PrimedBits)
{
    /// <summary>C(Y) − C(Y | X) in bits.</summary>
    public double SavedBits => AloneBits - PrimedBits;

    /// <summary>Saved bits as a share of C(Y).</summary>
    public double SavedFraction => AloneBits > 0 ? SavedBits / AloneBits : 0;
}

/// <summary>MDL (prequential vs two-part as a model grows) and transfer in bits.</summary>
/// <param name="MdlSource">Description of the MDL data.</param>
/// <param name="MdlBytes">Bytes coded.</param>
/// <param name="Mdl">One point per model size.</param>
/// <param name="TransferTarget">Description of the transfer target.</param>
/// <param name="TargetBytes">Bytes of the target.</param>
/// <param name="Transfer">One point per (model, source).</param>
/// <param name="Cost">Time spent.</param>
public sealed record DescriptionLengthResult(string MdlSource, int MdlBytes, IReadOnlyList<MdlPoint> Mdl, string TransferTarget, int TargetBytes,
    IReadOnlyList<TransferPoint> Transfer, ChapterCost Cost);

/// <summary>
/// Chapter "MDL": the prequential (online) code length of a text shrinks as the model grows while the two-part code
/// (weights + data) grows (Blier &amp; Ollivier 2018); and transfer: what priming on related and unrelated data saves.
/// </summary>
public static class DescriptionLengthChapter
{
    /// <summary>Runs the chapter.</summary>
    public static DescriptionLengthResult Run(DescriptionLengthOptions o, ulong seed, ChapterProgress progress)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(progress);
        var (result, cost) = ChapterCost.Measure(() =>
        {
            byte[] text = TourData.Book(o.Book, o.StartMarker, 0, Math.Max(o.MdlBytes, o.TargetBytes));
            byte[] mdlData = text[..o.MdlBytes];
            // MDL grows with the model's cost; the LSTM rows dominate, so weight them by hidden size for progress
            double weight(int k) => o.MdlModels[k].Family == "lstm" ? o.MdlModels[k].Size : 1;
            double totalWeight = Enumerable.Range(0, o.MdlModels.Count).Sum(weight), doneWeight = 0;
            var mdl = new List<MdlPoint>();
            for (int k = 0; k < o.MdlModels.Count; k++)
            {
                var (family, size) = o.MdlModels[k];
                string spec = NeuralCompressors.MdlSpec(family, size);
                progress.Report(0.6 * doneWeight / totalWeight, $"MDL: {spec}");
                var r = Mdl.Measure(spec, mdlData, o.Block, o.Epochs);
                mdl.Add(new MdlPoint(family, size, r.Spec, r.Parameters, r.UniformBits, r.TwoPart.TotalBits, r.TwoPart.WeightBits, r.PrequentialBits, r.TwoPart.Step));
                doneWeight += weight(k);
            }

            byte[] target = text[..o.TargetBytes];
            var sources = new (string Name, string Kind, byte[] Data)[]
            {
                ("another novel (moby-dick_pg2701.txt)", "related", TourData.Book("moby-dick_pg2701.txt", "Call me Ishmael", 0, o.SourceBytes)),
                ("UDHR English", "related", TourData.Udhr("eng")),
                ("UDHR French", "other language", TourData.Udhr("fra")),
                ($"random bytes (seed {seed})", "unrelated", TourData.RandomBytes(o.SourceBytes, seed)),
            };
            var models = o.TransferModels.Select(m => NeuralCompressors.Conditional(m)).ToArray();
            int cells = models.Length * (sources.Length + 1), cell = 0;
            var rows = TransferExperiment.Run(models, target, [.. sources.Select(s => (s.Name, s.Data))],
                msg => progress.Report(0.6 + 0.4 * cell++ / cells, $"transfer: {msg}"));
            var transfer = rows.Select(r => new TransferPoint(r.Model, r.Source, sources.First(s => s.Name == r.Source).Kind, r.SourceBytes, r.AloneBits, r.PrimedBits)).ToArray();
            progress.Report(1, "done");
            return new DescriptionLengthResult($"{o.Book}, {o.MdlBytes:N0} bytes from \"{o.StartMarker}\"", o.MdlBytes, mdl,
                $"{o.Book}, {o.TargetBytes:N0} bytes from \"{o.StartMarker}\"", o.TargetBytes, transfer, new ChapterCost(0, 0));
        });
        return result with { Cost = cost };
    }
}
