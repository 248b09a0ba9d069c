using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using Kolmo.Cli.Infrastructure;
using Kolmo.Learning;
using Kolmo.Neural;
using Kolmo.Reporting;
using Kolmo.Vision;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kolmo.Cli
{
    public static partial class Program
    {
        static partial void ConfigureVision(IConfigurator config)
        {
            config.AddCommand<Commands.Vision.IgptCommand>("igpt")
                .WithDescription("iGPT on small images: next-pixel (AR) and masked transformers, linear probes on every layer, the loss–probe curve, AR vs masked over seeds, completions, and AR-model compression (report.md, PNGs, results.json). Resumable.")
                .WithExample("igpt", "--quick", "--out", "igpt-quick")
                .WithExample("igpt", "--full", "--train-images", "train-images-idx3-ubyte.gz", "--train-labels", "train-labels-idx1-ubyte.gz",
                    "--test-images", "t10k-images-idx3-ubyte.gz", "--test-labels", "t10k-labels-idx1-ubyte.gz", "--out", "igpt-full")
                .WithExample("igpt", "--resume", "igpt-full");
        }
    }
}

namespace Kolmo.Cli.Commands.Vision
{
    /// <summary>Settings of <c>kolmo igpt</c>. Experiment settings left unset come from the preset (<c>--quick</c>, <c>--full</c>) or the defaults.</summary>
    public sealed class IgptSettings : CommandSettings
    {
        [CommandOption("--train-images <FILE>")]
        [Description("IDX3 training images (raw or .gz). Default: the 3,000-image MNIST sample built into the tool (2,500 train / 500 test).")]
        public string? TrainImages { get; init; }

        [CommandOption("--train-labels <FILE>")]
        [Description("IDX1 training labels (raw or .gz).")]
        public string? TrainLabels { get; init; }

        [CommandOption("--test-images <FILE>")]
        [Description("IDX3 test images. Without test files, the training file is split: the first --split images train, the rest test.")]
        public string? TestImages { get; init; }

        [CommandOption("--test-labels <FILE>")]
        [Description("IDX1 test labels.")]
        public string? TestLabels { get; init; }

        [CommandOption("--split <N>")]
        [Description("Without test files: number of leading images used for training (default: all but the last 500, or 80% of a smaller file).")]
        public int? Split { get; init; }

        [CommandOption("--quick")]
        [Description("Preset: about a minute of CPU time — one 1x64 AR model, 1200 steps, probes on every image, 4x4 grid pooling.")]
        public bool Quick { get; init; }

        [CommandOption("--full")]
        [Description("Preset: the committed result — AR sizes 1x32,1x64,2x128, 1x32 also masked over 3 seeds, 4000 steps, 4 checkpoints, 2x2 grid pooling, probes on every image. Resumable (--stop-after, --resume).")]
        public bool Full { get; init; }

        [CommandOption("--sizes <LIST>")]
        [Description("AR model sizes LAYERSxWIDTH or LAYERSxWIDTHxHEADS, smallest first; the last is the final model (completions, coding).")]
        public string? Sizes { get; init; }

        [CommandOption("--masked-sizes <LIST>")]
        [Description("Sizes also trained with the masked objective at equal compute, for AR vs masked ('none' = no masked runs).")]
        public string? MaskedSizes { get; init; }

        [CommandOption("--seeds <N>")]
        [Description("Seeds of the AR-vs-masked comparison (mean ± sd over them).")]
        public int? Seeds { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Training steps per run.")]
        public int? Steps { get; init; }

        [CommandOption("--epochs <E>")]
        [Description("Training length in passes over the training images (instead of --steps).")]
        public double? Epochs { get; init; }

        [CommandOption("--checkpoints <N>")]
        [Description("Evenly spaced checkpoints per run where the model is saved and probed (step 0 too).")]
        public int? Checkpoints { get; init; }

        [CommandOption("--batch <N>")]
        [Description("Images per training step.")]
        public int? Batch { get; init; }

        [CommandOption("--lr <RATE>")]
        [Description("Peak learning rate (AdamW; warm-up then cosine decay).")]
        public float? LearningRate { get; init; }

        [CommandOption("--downsample <N>")]
        [Description("Downsampling factor (2: 28x28 → 14x14).")]
        public int? Downsample { get; init; }

        [CommandOption("--palette <kmeans|uniform>")]
        [Description("Palette: 1-D k-means on the training pixels, or uniform levels.")]
        public string? Palette { get; init; }

        [CommandOption("--palette-size <K>")]
        [Description("Number of palette tokens (2..256).")]
        public int? PaletteSize { get; init; }

        [CommandOption("--probe-train <N>")]
        [Description("Use at most N training images for probe features (0 = all).")]
        public int? ProbeTrain { get; init; }

        [CommandOption("--test-limit <N>")]
        [Description("Use at most N test images (0 = all).")]
        public int? TestLimit { get; init; }

        [CommandOption("--probe-grid <G>")]
        [Description("Beside iGPT's mean pooling, probe features pooled over a GxG grid of image regions (0 = mean pooling only).")]
        public int? ProbeGrid { get; init; }

        [CommandOption("--compress <N>")]
        [Description("Range-code N test images with the final AR model and decode them back (0 = skip).")]
        public int? Compress { get; init; }

        [CommandOption("--completions <N>")]
        [Description("Complete the bottom half of N test images with the final AR model (0 = skip).")]
        public int? Completions { get; init; }

        [CommandOption("--samples <N>")]
        [Description("Sample N images from scratch with the final AR model (0 = skip).")]
        public int? Samples { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Base seed of initialisation, batch order and masks.")]
        public ulong? Seed { get; init; }

        [CommandOption("-T|--threads <N>")]
        [Description("Worker threads for training and probes (default: up to 2); results do not depend on it.")]
        public int? Threads { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder: report.md, results.json, PNGs, and checkpoints/ (every model, training state and measurement).")]
        public string? Out { get; init; }

        [CommandOption("--resume <DIR>")]
        [Description("Continue the experiment in DIR (an --out folder) with its own settings and data; only -T and --stop-after may be given.")]
        public string? Resume { get; init; }

        [CommandOption("--stop-after <MINUTES>")]
        [Description("Save the state and stop (exit code 75) after this many minutes; continue later with --resume.")]
        public double? StopAfter { get; init; }

        [CommandOption("-f|--force")]
        [Description("Overwrite existing report files and start over in a folder that holds another run.")]
        public bool Force { get; init; }

        public override ValidationResult Validate()
        {
            if (Resume is not null)
            {
                bool other = TrainImages is not null || TrainLabels is not null || TestImages is not null || TestLabels is not null || Split is not null
                    || Quick || Full || Sizes is not null || MaskedSizes is not null || Seeds is not null || Steps is not null || Epochs is not null
                    || Checkpoints is not null || Batch is not null || LearningRate is not null || Downsample is not null || Palette is not null
                    || PaletteSize is not null || ProbeTrain is not null || TestLimit is not null || ProbeGrid is not null || Compress is not null
                    || Completions is not null || Samples is not null || Seed is not null || Out is not null || Force;
                return other ? ValidationResult.Error("--resume DIR takes its settings from DIR; only -T/--threads and --stop-after may be given with it") : ValidationResult.Success();
            }
            if (string.IsNullOrEmpty(Out))
            {
                return ValidationResult.Error("--out DIR is required (or --resume DIR)");
            }
            if (Quick && Full)
            {
                return ValidationResult.Error("--quick and --full exclude each other");
            }
            if ((TrainImages is null) != (TrainLabels is null))
            {
                return ValidationResult.Error("give both --train-images and --train-labels");
            }
            if ((TestImages is null) != (TestLabels is null))
            {
                return ValidationResult.Error("give both --test-images and --test-labels");
            }
            if (TestImages is not null && TrainImages is null)
            {
                return ValidationResult.Error("--test-images needs --train-images");
            }
            if (Steps is not null && Epochs is not null)
            {
                return ValidationResult.Error("give --steps or --epochs, not both");
            }
            if (Palette is not (null or "kmeans" or "uniform"))
            {
                return ValidationResult.Error("--palette must be kmeans or uniform");
            }
            if (Steps < 1 || Epochs is <= 0 || Checkpoints < 1 || Batch < 1 || Downsample < 1 || PaletteSize is < 2 or > 256 || Seeds < 1
                || ProbeTrain < 0 || ProbeGrid is < 0 or > 14 || TestLimit < 0 || Compress < 0 || Completions < 0 || Samples < 0
                || LearningRate is <= 0 || Split < 1)
            {
                return ValidationResult.Error("--steps/--epochs/--checkpoints/--batch/--downsample/--seeds/--split ≥ 1, --palette-size 2..256, --probe-grid 0..14, --lr > 0, counts ≥ 0");
            }
            return ThreadsAndStop();
        }

        private ValidationResult ThreadsAndStop()
        {
            if (Threads is < 1 or > 256)
            {
                return ValidationResult.Error("-T/--threads must be 1..256");
            }
            return StopAfter is <= 0 ? ValidationResult.Error("--stop-after must be a positive number of minutes") : ValidationResult.Success();
        }
    }

    /// <summary><c>kolmo igpt</c>: runs (or resumes) <see cref="IgptExperiment"/> and writes its report.</summary>
    public sealed class IgptCommand : Command<IgptSettings>
    {
        /// <summary>Exit code when --stop-after stopped the run (resume later): EX_TEMPFAIL.</summary>
        public const int Stopped = 75;

        public override int Execute(CommandContext context, IgptSettings settings, CancellationToken cancellationToken)
        {
            string outDir;
            IgptOptions? options = null;
            IReadOnlyDictionary<string, string> notes;
            var store = default(IgptCheckpointStore);
            if (settings.Resume is not null)
            {
                outDir = settings.Resume;
                store = new IgptCheckpointStore(Path.Combine(outDir, "checkpoints"));
                var manifest = store.ReadManifest() ?? throw new UsageException($"{outDir} holds no igpt run to resume (no checkpoints/experiment.json)");
                options = manifest.Options;
                notes = manifest.Notes;
            }
            else
            {
                outDir = settings.Out!;
                notes = Notes(settings, context);
                store = new IgptCheckpointStore(Path.Combine(outDir, "checkpoints"));
                if (store.HasExperiment && !settings.Force)
                {
                    throw new UsageException($"{outDir} already holds an igpt run; continue it with --resume {outDir}, or start over with -f/--force");
                }
            }
            var (train, test, description) = LoadData(notes);
            if (settings.Resume is null)
            {
                options = Options(settings, train.Count);
                foreach (var f in IgptReport.Files)
                {
                    if (File.Exists(Path.Combine(outDir, f)) && !settings.Force)
                    {
                        throw new UsageException($"{Path.Combine(outDir, f)} already exists; use -f/--force to overwrite it");
                    }
                }
                if (store.HasExperiment)
                {
                    Directory.Delete(store.Directory, true);   // --force: start over
                }
            }
            try
            {
                options!.Validate();
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            int threads = settings.Threads ?? Math.Max(1, Math.Min(Environment.ProcessorCount, 2));
            NeuralRuntime.Threads = threads;
            options = options with { Probe = options.Probe with { Threads = threads } };
            using var folder = OutputFolder.Create(outDir);

            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "[grey]igpt:[/] {0} train / {1} test images, {2}x{3} → {4}x{5}, AR sizes {6}, masked {7} × {8} seeds, {9} steps × {10} images ({11:F1} epochs), {12} thread(s){13}",
                train.Count, Math.Min(test.Count, options.TestImages > 0 ? options.TestImages : int.MaxValue), train.Rows, train.Cols,
                train.Rows / options.Downsample, train.Cols / options.Downsample, Markup.Escape(string.Join(",", options.Sizes.Select(s => s.Name))),
                Markup.Escape(options.MaskedSizes.Count > 0 ? string.Join(",", options.MaskedSizes) : "none"), options.Seeds, options.Steps, options.Batch,
                (double)options.Steps * options.Batch / train.Count, threads, settings.Resume is not null ? $" (resuming {Markup.Escape(outDir)})" : "");

            // the first SIGINT/SIGTERM/SIGHUP cancels the run, which saves its state and stops; a second one exits at once
            using var signal = new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(signal.Token, cancellationToken);
            using var graceful = Termination.CancelInsteadOfExit(signal);
            var experiment = new IgptExperiment(IgptModels.Create);
            IgptResults results;
            try
            {
                results = RunWithProgress(experiment, train, test, options, description, store, notes, linked.Token,
                    settings.StopAfter is double minutes ? TimeSpan.FromMinutes(minutes) : null);
            }
            catch (OperationCanceledException)
            {
                folder.Keep();
                bool interrupted = linked.IsCancellationRequested;
                AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "igpt: {0}; the state is saved — continue with: kolmo igpt --resume {1}",
                    interrupted ? "interrupted" : $"stopped after {settings.StopAfter} min", Markup.Escape(outDir));
                return interrupted ? (Termination.SignalExitCode != 0 ? Termination.SignalExitCode : Termination.InterruptExitCode) : Stopped;
            }

            var provenance = new Dictionary<string, string>
            {
                ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
                ["machine"] = $"{Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, SIMD {NeuralRuntime.SimdPath}, {threads} thread(s)",
                ["command"] = notes.TryGetValue("command", out var cmd) ? cmd : "kolmo igpt",
            };
            // the report is one set: plots, results and the write-up appear together or not at all
            AtomicOutput.WriteAll(true, [.. IgptReport.Render(results, provenance).Select(f => (Path.Combine(outDir, f.Key), f.Value))]);
            folder.Keep();
            var final = results.FinalRun[^1];
            var untrained = results.FinalRun[0];
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture,
                "igpt: raw pixels {0:P2}; {1} untrained {2:P2} / {3:P2} → trained {4:P2} / {5:P2} (mean / {6}); test {7:F3} bits/dim; Spearman {8}; {9:F0} CPU-s → {10}",
                results.RawPixels.TestAccuracy, Markup.Escape(results.FinalSize), untrained.Mean.TestAccuracy, untrained.Grid?.TestAccuracy ?? double.NaN,
                final.Mean.TestAccuracy, final.Grid?.TestAccuracy ?? double.NaN, Markup.Escape(final.Grid?.Pooling ?? "-"), final.TestBits,
                Markup.Escape(string.Join(", ", results.Curve.Select(c => $"{c.Pooling} {c.Rho:F2}"))), results.CpuSeconds, Markup.Escape(outDir));
            return CliErrors.Ok;
        }

        private static IgptResults RunWithProgress(IgptExperiment experiment, ImageSet train, ImageSet test, IgptOptions options,
            Dictionary<string, string> description, IgptCheckpointStore store, IReadOnlyDictionary<string, string> notes, CancellationToken ct, TimeSpan? stopAfter)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            double startWork = -1;
            string Line(IgptProgress p)
            {
                if (startWork < 0)
                {
                    startWork = p.WorkDone;
                }
                double rate = (p.WorkDone - startWork) / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                string eta = rate > 0 && clock.Elapsed.TotalSeconds > 5 ? Duration((p.WorkTotal - p.WorkDone) / rate) : "…";
                string loss = p.LossBits is double l ? $" · loss {l:F3} bits" : "";
                string run = p.Run is null ? "" : $"{p.Run} · epoch {p.Epoch:F1}/{p.Epochs:F1} · ";
                return $"{run}{p.Stage}{loss} · ETA {eta}";
            }
            if (!AnsiConsole.Profile.Capabilities.Interactive)
            {
                // plain lines for logs: one every 30 s
                DateTime last = DateTime.MinValue;
                experiment.Progress = p =>
                {
                    if (DateTime.UtcNow - last > TimeSpan.FromSeconds(30))
                    {
                        last = DateTime.UtcNow;
                        Console.WriteLine($"igpt: {100 * p.WorkDone / Math.Max(1, p.WorkTotal):F1}% · {Line(p)}");
                    }
                };
                return experiment.Run(train, test, options, description, store, notes, ct, stopAfter);
            }
            IgptResults? results = null;
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("starting", maxValue: 1);
                    experiment.Progress = p =>
                    {
                        task.MaxValue = Math.Max(1, p.WorkTotal);
                        task.Value = p.WorkDone;
                        task.Description = Markup.Escape(Line(p));
                    };
                    results = experiment.Run(train, test, options, description, store, notes, ct, stopAfter);
                    task.Value = task.MaxValue;
                    task.Description = "done";
                });
            return results!;
        }

        private static string Duration(double seconds) => seconds switch
        {
            < 90 => $"{seconds:F0} s",
            < 5400 => $"{seconds / 60:F0} min",
            _ => $"{seconds / 3600:F1} h",
        };

        private static Dictionary<string, string> Notes(IgptSettings s, CommandContext context)
        {
            var notes = new Dictionary<string, string>
            {
                ["command"] = "kolmo igpt " + string.Join(' ', context.Arguments.SkipWhile(a => a == "igpt").Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)),
            };
            if (s.TrainImages is not null)
            {
                notes["trainImages"] = Path.GetFullPath(s.TrainImages);
                notes["trainLabels"] = Path.GetFullPath(s.TrainLabels!);
            }
            if (s.TestImages is not null)
            {
                notes["testImages"] = Path.GetFullPath(s.TestImages);
                notes["testLabels"] = Path.GetFullPath(s.TestLabels!);
            }
            if (s.Split is int split)
            {
                notes["split"] = split.ToString(CultureInfo.InvariantCulture);
            }
            return notes;
        }

        internal static IgptOptions Options(IgptSettings s, int trainImages)
        {
            var o = s.Quick ? IgptOptions.Quick : s.Full ? IgptOptions.Full : new IgptOptions();
            try
            {
                if (s.Sizes is not null)
                {
                    var sizes = s.Sizes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ModelSize.Parse).ToList();
                    o = o with { Sizes = sizes, MaskedSizes = o.MaskedSizes.Where(m => sizes.Any(z => z.Name == m)).ToArray() };
                }
                if (s.MaskedSizes is not null)
                {
                    o = o with
                    {
                        MaskedSizes = s.MaskedSizes == "none" ? [] : s.MaskedSizes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Select(x => ModelSize.Parse(x).Name).ToArray(),
                    };
                }
            }
            catch (FormatException e)
            {
                throw new UsageException(e.Message);
            }
            int batch = s.Batch ?? o.Batch;
            int steps = s.Steps ?? (s.Epochs is double epochs ? Math.Max(1, (int)Math.Ceiling(epochs * trainImages / batch)) : o.Steps);
            o = o with
            {
                Seeds = s.Seeds ?? o.Seeds,
                Steps = steps,
                Checkpoints = s.Checkpoints ?? Math.Min(o.Checkpoints, steps),
                Batch = batch,
                LearningRate = s.LearningRate ?? o.LearningRate,
                Downsample = s.Downsample ?? o.Downsample,
                Palette = s.Palette is null ? o.Palette : s.Palette == "uniform" ? PaletteKind.Uniform : PaletteKind.KMeans,
                PaletteSize = s.PaletteSize ?? o.PaletteSize,
                ProbeTrainImages = s.ProbeTrain ?? o.ProbeTrainImages,
                TestImages = s.TestLimit ?? o.TestImages,
                ProbeGrid = s.ProbeGrid ?? o.ProbeGrid,
                CompressImages = s.Compress ?? o.CompressImages,
                CompletionImages = s.Completions ?? o.CompletionImages,
                SampleImages = s.Samples ?? o.SampleImages,
                Seed = s.Seed ?? o.Seed,
            };
            if (o.Checkpoints > o.Steps)
            {
                throw new UsageException($"--checkpoints {o.Checkpoints} exceeds the {o.Steps} training steps");
            }
            if (o.MaskedSizes.FirstOrDefault(m => o.Sizes.All(z => z.Name != m)) is { } missing)
            {
                throw new UsageException($"--masked-sizes names {missing}, which is not in --sizes");
            }
            return o;
        }

        /// <summary>The built-in 3,000-image MNIST sample (data/mnist-sample/t3000-*, embedded in Kolmo.Data).</summary>
        internal static ImageSet Sample()
        {
            using var images = Kolmo.Data.BuiltInData.Open("mnist-sample/t3000-images-idx3-ubyte.gz");
            using var labels = Kolmo.Data.BuiltInData.Open("mnist-sample/t3000-labels-idx1-ubyte");
            return Idx.ReadImages(images, "built-in MNIST sample").WithLabels(Idx.ReadLabels(labels, "built-in MNIST labels"));
        }

        internal static (ImageSet Train, ImageSet Test, Dictionary<string, string> Description) LoadData(IReadOnlyDictionary<string, string> notes)
        {
            var description = new Dictionary<string, string>();
            notes.TryGetValue("trainImages", out var trainImages);
            notes.TryGetValue("trainLabels", out var trainLabels);
            notes.TryGetValue("testImages", out var testImages);
            notes.TryGetValue("testLabels", out var testLabels);
            foreach (var f in new[] { trainImages, trainLabels, testImages, testLabels })
            {
                if (f is not null && !File.Exists(f))
                {
                    throw new FileNotFoundException($"{f}: no such file");
                }
            }
            ImageSet all;
            if (trainImages is null)
            {
                all = Sample();
                description["dataset"] = "the MNIST sample built into the tool (the first 3,000 MNIST test images)";
                description["train"] = "built-in MNIST sample";
            }
            else
            {
                all = Idx.ReadLabelled(trainImages, trainLabels!);
                description["dataset"] = Path.GetFileName(trainImages);
                description["train"] = $"{trainImages} + {trainLabels}";
            }
            if (testImages is not null)
            {
                var test = Idx.ReadLabelled(testImages, testLabels!);
                description["test"] = $"{testImages} + {testLabels}";
                if (test.Rows != all.Rows || test.Cols != all.Cols)
                {
                    throw new InvalidDataException($"{testImages}: images are {test.Rows}x{test.Cols}, training images {all.Rows}x{all.Cols}");
                }
                return (all, test, description);
            }
            int split = notes.TryGetValue("split", out var sp) ? int.Parse(sp, CultureInfo.InvariantCulture) : all.Count >= 2500 ? all.Count - 500 : all.Count * 4 / 5;
            if (split >= all.Count)
            {
                throw new UsageException($"--split {split} leaves no test images of {all.Count}");
            }
            description["test"] = $"images {split}..{all.Count - 1} of the same file (the first {split} train)";
            return (all.Slice(0, split), all.Slice(split, all.Count - split), description);
        }
    }
}
