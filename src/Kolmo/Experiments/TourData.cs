using System.Text;
using Kolmo.Data;
using Kolmo.Decipher;
using Kolmo.Learning;
using Kolmo.Vision;

namespace Kolmo.Experiments;

/// <summary>One language of the built-in UDHR sample: file, ISO code, name and a coarse family / branch label.</summary>
/// <param name="Code">Short label (file name without extension, e.g. <c>deu_1996</c>).</param>
/// <param name="Name">Language name.</param>
/// <param name="Family">Language family (e.g. Indo-European).</param>
/// <param name="Branch">Branch within the family (e.g. Germanic).</param>
public sealed record UdhrLanguage(string Code, string Name, string Family, string Branch);

/// <summary>
/// The data the tour runs on, all of it inside the tool: the UDHR in 24 languages and a labelled SMS sample
/// (<see cref="BuiltInData"/>, see data/README.md), the English books of the built-in decipherment model, and
/// seeded random bytes.
/// </summary>
public static class TourData
{
    /// <summary>The languages of the built-in UDHR sample, in the order of its index.</summary>
    public static IReadOnlyList<UdhrLanguage> Languages() =>
        [.. Encoding.UTF8.GetString(BuiltInData.ReadAllBytes("udhr/index.tsv"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.TrimEnd('\r').Split('\t'))
            .Select(f => new UdhrLanguage(Path.GetFileNameWithoutExtension(f[0]), f[3], f[4], f[5]))];

    /// <summary>The UDHR text of one language (bytes of <c>udhr/CODE.txt</c>).</summary>
    /// <exception cref="FileNotFoundException">No such language in the sample.</exception>
    public static byte[] Udhr(string code) => BuiltInData.ReadAllBytes($"udhr/{code}.txt");

    /// <summary>The SMS spam sample: 300 training and 200 test messages, balanced ham / spam.</summary>
    public static (IReadOnlyList<LabeledDocument> Train, IReadOnlyList<LabeledDocument> Test) Sms() =>
        (DocumentSet.ParseTsv(BuiltInData.ReadAllBytes("sms-spam/train.tsv"), "sms-spam/train.tsv"),
         DocumentSet.ParseTsv(BuiltInData.ReadAllBytes("sms-spam/test.tsv"), "sms-spam/test.tsv"));

    /// <summary>
    /// The largest built-in MNIST sample (digits of the MNIST test set with their labels, in file order) and a
    /// description of it.
    /// </summary>
    /// <exception cref="InvalidDataException">No sample is built in, or it is damaged.</exception>
    public static (ImageSet Images, string Description) Digits()
    {
        var files = BuiltInData.List("mnist-sample");
        // pairs PREFIX-images-… / PREFIX-labels-…; the biggest image file is the largest sample
        string images = files.Where(f => f.Contains("-images", StringComparison.Ordinal))
            .OrderByDescending(f => { using var s = BuiltInData.Open(f); return s.Length; }).FirstOrDefault()
            ?? throw new InvalidDataException("no MNIST sample is built in");
        string prefix = images[..images.IndexOf("-images", StringComparison.Ordinal)];
        string labels = files.FirstOrDefault(f => f.StartsWith(prefix + "-labels", StringComparison.Ordinal))
            ?? throw new InvalidDataException($"the built-in MNIST sample {images} has no label file");
        using var si = BuiltInData.Open(images);
        using var sl = BuiltInData.Open(labels);
        var set = Idx.ReadImages(si, images);
        var y = Idx.ReadLabels(sl, labels);
        if (y.Length != set.Count)
        {
            throw new InvalidDataException($"{labels} has {y.Length} labels but {images} has {set.Count} images");
        }
        return (set.WithLabels(y), $"the built-in MNIST sample (the first {set.Count:N0} digits of the MNIST test set, {set.Rows}×{set.Cols})");
    }

    /// <summary>
    /// <paramref name="count"/> bytes (−1: to the end) of an English book of the built-in decipherment model (a file
    /// name of <see cref="EnglishModel.TrainingFiles"/>), from the first occurrence of <paramref name="startMarker"/>
    /// (or the start) plus <paramref name="offset"/> bytes.
    /// </summary>
    /// <exception cref="ArgumentException">The book is shorter than asked.</exception>
    public static byte[] Book(string file, string? startMarker, int offset, int count)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        if (!EnglishModel.TrainingFiles.Contains(file, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{file}' is not a built-in book (built in: {string.Join(", ", EnglishModel.TrainingFiles)})", nameof(file));
        }
        byte[] all = BuiltInData.ReadAllBytes("english/" + file);
        int start = 0;
        if (!string.IsNullOrEmpty(startMarker))
        {
            int at = all.AsSpan().IndexOf(Encoding.UTF8.GetBytes(startMarker));
            start = Math.Max(at, 0);
        }
        start += offset;
        if (count == -1)
        {
            count = all.Length - start;
        }
        if (count < 0 || start + (long)count > all.Length)
        {
            throw new ArgumentException($"{file} has {all.Length} bytes; {count} from {start} were asked", nameof(count));
        }
        return all.AsSpan(start, count).ToArray();
    }

    /// <summary>
    /// The files a tour with <paramref name="o"/> reads, laid out so that the commands shown in its report (and the
    /// bench suites <c>info-udhr</c>, <c>info-sms</c>, <c>decipher</c>) run on exactly the same data: paths relative to
    /// an export folder, and their bytes.
    /// </summary>
    public static IReadOnlyList<(string Path, byte[] Data)> Export(TourOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var files = new List<(string, byte[])>();
        foreach (var l in Languages())
        {
            files.Add(($"languages/udhr/{l.Code}.txt", Udhr(l.Code)));
        }
        files.Add(("languages/udhr/index.tsv", BuiltInData.ReadAllBytes("udhr/index.tsv")));
        byte[] train = BuiltInData.ReadAllBytes("sms-spam/train.tsv"), test = BuiltInData.ReadAllBytes("sms-spam/test.tsv");
        files.Add(("text-classification/sms-spam/train.tsv", train));
        files.Add(("text-classification/sms-spam/test.tsv", test));
        files.Add(("text-classification/sms-spam/SMSSpamCollection", [.. train, .. test]));
        var p = o.Prediction;
        byte[] book = BookFrom(p.Book, p.StartMarker);
        files.Add(($"english/{Path.GetFileNameWithoutExtension(p.Book)}-from-start.txt", book));
        files.Add(("english/moby-dick-from-start.txt", BookFrom("moby-dick_pg2701.txt", "Call me Ishmael")));
        var si = o.SharedInformation;
        byte[] parts = Book(si.Book, si.StartMarker, 0, 2 * si.BookPartBytes);
        files.Add(("pairs/book-part-1.txt", parts[..si.BookPartBytes]));
        files.Add(("pairs/book-part-2.txt", parts[si.BookPartBytes..]));
        files.Add(($"pairs/random-{Udhr("eng").Length}.bin", RandomBytes(Udhr("eng").Length, o.Seed)));
        byte[] held = Alphabet.Letters.Normalize(Encoding.UTF8.GetString(Udhr("eng")));
        files.Add(("ciphers/showcase.txt", Encoding.ASCII.GetBytes(RandomSubstitution.Make(held, o.Decipher.ShowcaseLength, 0).Text + "\n")));
        return files;
    }

    private static byte[] BookFrom(string file, string marker) => Book(file, marker, 0, -1);

    /// <summary>
    /// <paramref name="count"/> uniformly random bytes from the seeded generator, the same on every machine (and the
    /// bytes of <c>kolmo transfer --sources random:N</c> for seed 1).
    /// </summary>
    public static byte[] RandomBytes(int count, ulong seed)
    {
        var b = new byte[count];
        new Xoshiro256(seed).NextBytes(b);
        return b;
    }
}
