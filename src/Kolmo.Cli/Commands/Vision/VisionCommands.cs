using System.ComponentModel;
using System.Globalization;
using Kolmo.Cli.Infrastructure;
using Kolmo.Learning;
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
                .WithDescription("iGPT on small images: next-pixel (AR) and masked transformers, per-layer linear probes, the loss–probe curve, and AR-model compression (report.md, PNGs, results.json).")
                .WithExample("igpt", "--quick", "--out", "igpt-quick")
                .WithExample("igpt", "--train-images", "train-images-idx3-ubyte.gz", "--train-labels", "train-labels-idx1-ubyte.gz",
                    "--test-images", "t10k-images-idx3-ubyte.gz", "--test-labels", "t10k-labels-idx1-ubyte.gz", "--objective", "both", "--out", "igpt");
        }
    }
}

namespace Kolmo.Cli.Commands.Vision
{
    /// <summary>Settings of <c>kolmo igpt</c>.</summary>
    public sealed class IgptSettings : CommandSettings
    {
        [CommandOption("--train-images <FILE>")]
        [Description("IDX3 training images (raw or .gz). Default: the 100-image MNIST sample built into the tool.")]
        public string? TrainImages { get; init; }

        [CommandOption("--train-labels <FILE>")]
        [Description("IDX1 training labels (raw or .gz).")]
        public string? TrainLabels { get; init; }

        [CommandOption("--test-images <FILE>")]
        [Description("IDX3 test images. Without test files, the training set is split: the first --split images train, the rest test.")]
        public string? TestImages { get; init; }

        [CommandOption("--test-labels <FILE>")]
        [Description("IDX1 test labels.")]
        public string? TestLabels { get; init; }

        [CommandOption("--split <N>")]
        [Description("Without test files: number of leading images used for training (default 80% of the set).")]
        public int? Split { get; init; }

        [CommandOption("--objective <ar|masked|both>")]
        [Description("Pretraining objective(s).")]
        [DefaultValue("both")]
        public string Objective { get; init; } = "both";

        [CommandOption("--sizes <LIST>")]
        [Description("Comma-separated model sizes LAYERSxWIDTH or LAYERSxWIDTHxHEADS, smallest first (the last one is used for compression).")]
        [DefaultValue("1x32,2x32,2x48")]
        public string Sizes { get; init; } = "1x32,2x32,2x48";

        [CommandOption("--masked-sizes <LIST>")]
        [Description("With --objective both/masked: train the masked objective only for these sizes (default: all).")]
        public string? MaskedSizes { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Training steps per run.")]
        [DefaultValue(600)]
        public int Steps { get; init; } = 600;

        [CommandOption("--checkpoints <N>")]
        [Description("Evenly spaced checkpoints per run (step 0 is measured too).")]
        [DefaultValue(4)]
        public int Checkpoints { get; init; } = 4;

        [CommandOption("--batch <N>")]
        [Description("Images per training step.")]
        [DefaultValue(16)]
        public int Batch { get; init; } = 16;

        [CommandOption("--lr <RATE>")]
        [Description("Peak learning rate (AdamW; warm-up then cosine decay).")]
        [DefaultValue(3e-3f)]
        public float LearningRate { get; init; } = 3e-3f;

        [CommandOption("--downsample <N>")]
        [Description("Downsampling factor (2: 28x28 → 14x14).")]
        [DefaultValue(2)]
        public int Downsample { get; init; } = 2;

        [CommandOption("--palette <kmeans|uniform>")]
        [Description("Palette: 1-D k-means on the training pixels, or uniform levels.")]
        [DefaultValue("kmeans")]
        public string Palette { get; init; } = "kmeans";

        [CommandOption("--palette-size <K>")]
        [Description("Number of palette tokens (2..256).")]
        [DefaultValue(16)]
        public int PaletteSize { get; init; } = 16;

        [CommandOption("--probe-train <N>")]
        [Description("Use at most N training images for probe features (0 = all).")]
        [DefaultValue(0)]
        public int ProbeTrain { get; init; }

        [CommandOption("--test-limit <N>")]
        [Description("Use at most N test images (0 = all).")]
        [DefaultValue(0)]
        public int TestLimit { get; init; }

        [CommandOption("--probe-grid <G>")]
        [Description("Also probe features pooled over a GxG grid of image regions (0 or 1 = only iGPT's mean pooling).")]
        [DefaultValue(2)]
        public int ProbeGrid { get; init; } = 2;

        [CommandOption("--compress <N>")]
        [Description("Range-code N test images with the final AR model (0 = skip).")]
        [DefaultValue(20)]
        public int Compress { get; init; } = 20;

        [CommandOption("--seed <N>")]
        [Description("Seed of initialisation, batch order and masks.")]
        [DefaultValue(1UL)]
        public ulong Seed { get; init; } = 1;

        [CommandOption("--quick")]
        [Description("A small run (a few minutes): sizes 1x16,1x24,2x24, 80 steps, batch 8, ≤ 1000 probe-train and 500 test images.")]
        public bool Quick { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder for report.md, results.json and the PNG plots (created if missing).")]
        public string Out { get; init; } = "";

        [CommandOption("-f|--force")]
        [Description("Overwrite existing output files.")]
        public bool Force { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrEmpty(Out))
            {
                return ValidationResult.Error("--out DIR is required");
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
            if (Objective is not ("ar" or "masked" or "both"))
            {
                return ValidationResult.Error("--objective must be ar, masked or both");
            }
            if (Palette is not ("kmeans" or "uniform"))
            {
                return ValidationResult.Error("--palette must be kmeans or uniform");
            }
            if (Steps < 1 || Checkpoints < 1 || Checkpoints > Steps || Batch < 1 || Downsample < 1 || PaletteSize is < 2 or > 256
                || ProbeTrain < 0 || ProbeGrid is < 0 or > 7 || TestLimit < 0 || Compress < 0 || !(LearningRate > 0) || Split is < 1)
            {
                return ValidationResult.Error("--steps ≥ --checkpoints ≥ 1, --batch/--downsample/--split ≥ 1, --palette-size 2..256, --lr > 0, counts ≥ 0");
            }
            return ValidationResult.Success();
        }
    }

    /// <summary><c>kolmo igpt</c>: runs <see cref="IgptExperiment"/> and writes its report.</summary>
    public sealed class IgptCommand : Command<IgptSettings>
    {
        public override int Execute(CommandContext context, IgptSettings settings, CancellationToken cancellationToken)
        {
            var (train, test, description) = LoadData(settings);
            var options = Options(settings);
            string outDir = settings.Out;
            using var folder = OutputFolder.Create(outDir);
            string[] files = ["report.md", "results.json", IgptReport.CurvePlot, IgptReport.ObjectivePlot, IgptReport.LayerPlot];
            foreach (var f in files)
            {
                if (File.Exists(Path.Combine(outDir, f)) && !settings.Force)
                {
                    throw new UsageException($"{Path.Combine(outDir, f)} already exists; use -f/--force to overwrite it");
                }
            }
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "[grey]igpt:[/] {0} train / {1} test images, {2}x{3}, sizes {4}, {5} steps, objectives {6}",
                train.Count, test.Count, train.Rows / options.Downsample, train.Cols / options.Downsample,
                Markup.Escape(string.Join(",", options.Sizes.Select(s => s.Name))), options.Steps, Markup.Escape(string.Join(",", options.Objectives)));

            var experiment = new IgptExperiment(IgptModels.Create);
            IgptResults? results = null;
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("starting", maxValue: 1);
                    experiment.Progress = (stage, done, total) =>
                    {
                        task.MaxValue = total;
                        task.Value = done;
                        task.Description = Markup.Escape(stage.Length > 60 ? stage[..60] : stage);
                    };
                    results = experiment.Run(train, test, options, description);
                    task.Value = task.MaxValue;
                    task.Description = "done";
                });
            var r = results!;
            string title = $"iGPT on {description.GetValueOrDefault("dataset", "images")}: next-pixel prediction and linear probes";
            var provenance = new Dictionary<string, string>
            {
                ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
                ["machine"] = $"{Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}",
                ["command"] = "kolmo " + string.Join(' ', context.Arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)),
            };
            foreach (var (name, bytes) in IgptReport.Plots(r))
            {
                AtomicOutput.WriteAllBytes(Path.Combine(outDir, name), bytes, settings.Force);
            }
            AtomicOutput.WriteAllText(Path.Combine(outDir, "results.json"), IgptReport.Json(r), settings.Force);
            AtomicOutput.WriteAllText(Path.Combine(outDir, "report.md"), IgptReport.Markdown(r, title, provenance), settings.Force);

            var best = r.Runs.Where(x => x.Step > 0).OrderByDescending(x => x.ProbeAccuracy).FirstOrDefault();
            var bestGrid = r.Runs.Where(x => x.Step > 0).OrderByDescending(x => x.GridProbeAccuracy).FirstOrDefault();
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture,
                "igpt: raw-pixel probe {0:P2}, untrained {1:P2}, best {2:P2} ({3}, step {4}, layer {5}; grid-pooled {10:P2}), Spearman {6:F3} (grid {11:F3}), {7}; {8:F0} s → {9}",
                r.RawPixelProbe, r.UntrainedProbe, best?.ProbeAccuracy ?? double.NaN, Markup.Escape(best is null ? "-" : $"{best.Objective} {best.Size}"),
                best?.Step ?? 0, best?.BestLayer ?? 0, r.Spearman,
                r.Compression is { } c ? $"AR coder {c.CodedBitsPerDim:F3} bits/pixel (model {c.ModelBitsPerDim:F3})" : "no compression",
                r.Seconds, Markup.Escape(outDir), bestGrid?.GridProbeAccuracy ?? double.NaN, r.SpearmanGrid);
            folder.Keep();
            return CliErrors.Ok;
        }

        internal static IgptOptions Options(IgptSettings s)
        {
            List<ModelSize> sizes;
            try
            {
                sizes = (s.Quick && s.Sizes == "1x32,2x32,2x48" ? "1x16,1x24,2x24" : s.Sizes)
                    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ModelSize.Parse).ToList();
            }
            catch (FormatException e)
            {
                throw new UsageException(e.Message);
            }
            if (sizes.Count == 0)
            {
                throw new UsageException("--sizes is empty");
            }
            Objective[] objectives = s.Objective switch
            {
                "ar" => [Objective.Autoregressive],
                "masked" => [Objective.Masked],
                _ => [Objective.Autoregressive, Objective.Masked],
            };
            var o = new IgptOptions
            {
                Downsample = s.Downsample,
                Palette = s.Palette == "uniform" ? PaletteKind.Uniform : PaletteKind.KMeans,
                PaletteSize = s.PaletteSize,
                Objectives = objectives,
                Sizes = sizes,
                Steps = s.Steps,
                Checkpoints = s.Checkpoints,
                Batch = s.Batch,
                LearningRate = s.LearningRate,
                Seed = s.Seed,
                ProbeTrainImages = s.ProbeTrain,
                TestImages = s.TestLimit,
                CompressImages = s.Compress,
                ProbeGrid = s.ProbeGrid,
                MaskedSizes = s.MaskedSizes?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => ModelSize.Parse(x).Name).ToArray(),
            };
            if (o.MaskedSizes is { } ms && ms.Any(m => !sizes.Any(z => z.Name == m)))
            {
                throw new UsageException($"--masked-sizes {s.MaskedSizes} names a size not in --sizes");
            }
            if (s.Quick)
            {
                o = o with
                {
                    Steps = s.Steps == 600 ? 80 : s.Steps,
                    Batch = s.Batch == 16 ? 8 : s.Batch,
                    ProbeTrainImages = s.ProbeTrain == 0 ? 1000 : s.ProbeTrain,
                    TestImages = s.TestLimit == 0 ? 500 : s.TestLimit,
                    CompressImages = Math.Min(s.Compress, 5),
                    Probe = new ProbeOptions { L2Grid = [1e-2, 1e-3, 1e-4], MaxIterations = 100 },
                };
            }
            if (o.Checkpoints > o.Steps)
            {
                throw new UsageException($"--checkpoints {o.Checkpoints} exceeds --steps {o.Steps}");
            }
            return o;
        }

        internal static (ImageSet Train, ImageSet Test, Dictionary<string, string> Description) LoadData(IgptSettings s)
        {
            var description = new Dictionary<string, string>();
            foreach (var f in new[] { s.TrainImages, s.TrainLabels, s.TestImages, s.TestLabels })
            {
                if (f is not null && !File.Exists(f))
                {
                    throw new FileNotFoundException($"{f}: no such file");
                }
            }
            ImageSet all;
            if (s.TrainImages is null)
            {
                all = BuiltInData.MnistSample();
                description["dataset"] = "the MNIST sample built into the tool (first 100 test images)";
                description["train"] = "built-in MNIST sample";
            }
            else
            {
                all = Idx.ReadLabelled(s.TrainImages, s.TrainLabels!);
                description["dataset"] = Path.GetFileName(s.TrainImages);
                description["train"] = $"{s.TrainImages} + {s.TrainLabels}";
            }
            ImageSet train, test;
            if (s.TestImages is not null)
            {
                train = all;
                test = Idx.ReadLabelled(s.TestImages, s.TestLabels!);
                description["test"] = $"{s.TestImages} + {s.TestLabels}";
                if (test.Rows != train.Rows || test.Cols != train.Cols)
                {
                    throw new InvalidDataException($"{s.TestImages}: images are {test.Rows}x{test.Cols}, training images {train.Rows}x{train.Cols}");
                }
            }
            else
            {
                int split = s.Split ?? all.Count * 4 / 5;
                if (split >= all.Count)
                {
                    throw new UsageException($"--split {split} leaves no test images of {all.Count}");
                }
                train = all.Slice(0, split);
                test = all.Slice(split, all.Count - split);
                description["test"] = $"images {split}..{all.Count - 1} of the same file (first {split} train)";
            }
            if (train.Rows % s.Downsample != 0 || train.Cols % s.Downsample != 0)
            {
                throw new UsageException($"--downsample {s.Downsample} does not divide {train.Rows}x{train.Cols}");
            }
            return (train, test, description);
        }
    }
}
