using System.ComponentModel;
using System.Globalization;
using System.Text;
using Kolmo.Cli.Infrastructure;
using Kolmo.Experiments;
using Kolmo.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kolmo.Cli
{
    public static partial class Program
    {
        static partial void ConfigureTour(IConfigurator config)
        {
            config.AddCommand<Commands.Tour.TourCommand>("tour")
                .WithDescription("The theory, measured: every chapter (compression = prediction, shared information, Kolmogorov bounds, NCD language tree, classification, MDL and transfer, decipherment, next-pixel prediction, the Occam bound) on built-in data, written as one self-contained report.html and report.json.")
                .WithExample("tour")
                .WithExample("tour", "--quick", "--out", "tour-quick");
        }
    }
}

namespace Kolmo.Cli.Commands.Tour
{
    /// <summary>Settings of <c>kolmo tour</c>.</summary>
    public sealed class TourSettings : CommandSettings
    {
        [CommandOption("-o|--out <DIR>")]
        [Description("Folder for report.html and report.json (created if missing).")]
        [DefaultValue("kolmo-tour")]
        public string Out { get; init; } = "kolmo-tour";

        [CommandOption("--quick")]
        [Description("Every chapter on less data and smaller models: about a fifth of the full run's time.")]
        public bool Quick { get; init; }

        [CommandOption("--chapters <LIST>")]
        [Description("Run only these chapters (comma-separated ids: prediction, shared-information, kolmogorov, language-tree, classification, description-length, decipher, next-pixel, occam).")]
        public string? Chapters { get; init; }

        [CommandOption("-T|--threads <N>")]
        [Description("Worker threads (results do not depend on it). Default: up to 2.")]
        public int? Threads { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Seed of every random choice (random bytes, samplers, solvers).")]
        [DefaultValue(1UL)]
        public ulong Seed { get; init; } = 1;

        [CommandOption("--export-data <DIR>")]
        [Description("Instead of running the tour, write the data it reads into DIR (UDHR texts, SMS sample, the book texts, the pairs and the showcase cipher), so the report's commands can be run on exactly the same files.")]
        public string? ExportData { get; init; }

        [CommandOption("-f|--force")]
        [Description("Overwrite an existing report (or exported files).")]
        public bool Force { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out))
            {
                return ValidationResult.Error("--out needs a folder");
            }
            if (Threads is < 1 or > 256)
            {
                return ValidationResult.Error("--threads must be 1..256");
            }
            return ValidationResult.Success();
        }
    }

    /// <summary><c>kolmo tour</c>: runs <see cref="Experiments.Tour"/> with a progress bar per chapter and writes the report.</summary>
    public sealed class TourCommand : Command<TourSettings>
    {
        /// <summary>File names written into the output folder.</summary>
        public static readonly string[] Files = ["report.html", "report.json"];

        public override int Execute(CommandContext context, TourSettings settings, CancellationToken cancellationToken)
        {
            var options = settings.Quick ? TourOptions.Quick : TourOptions.Full;
            options = options with
            {
                Seed = settings.Seed,
                Threads = settings.Threads ?? options.Threads,
                Chapters = settings.Chapters?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
            var ids = Experiments.Tour.Chapters.Select(c => c.Id).ToArray();
            foreach (string id in options.Chapters ?? [])
            {
                if (!ids.Contains(id, StringComparer.Ordinal))
                {
                    throw new UsageException($"unknown chapter '{id}' (chapters: {string.Join(", ", ids)})");
                }
            }
            if (settings.ExportData is { } export)
            {
                return Export(options, export, settings.Force);
            }
            string dir = Path.GetFullPath(settings.Out);
            if (File.Exists(dir))
            {
                throw new UsageException($"{settings.Out} is a file, not a folder");
            }
            foreach (var f in Files)
            {
                if (File.Exists(Path.Combine(dir, f)) && !settings.Force)
                {
                    throw new UsageException($"{Path.Combine(settings.Out, f)} already exists; use -f/--force to overwrite it");
                }
            }
            using var folder = OutputFolder.Create(dir);   // removed again if this run made it and stops before writing

            var chapters = Experiments.Tour.Chapters.Where(c => options.Chapters is null || options.Chapters.Contains(c.Id)).ToArray();
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tour: {options.Preset} preset, {chapters.Length} chapter(s), {options.Threads} thread(s), seed {options.Seed}"));
            TourResults? results = null;
            if (AnsiConsole.Profile.Capabilities.Interactive)
            {
                AnsiConsole.Progress()
                    .AutoClear(false)
                    .HideCompleted(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(ctx =>
                    {
                        var tasks = chapters.ToDictionary(c => c.Id, c => ctx.AddTask(Label(c.Title, "waiting"), autoStart: false, maxValue: 1));
                        results = Experiments.Tour.Run(options, s =>
                        {
                            var task = tasks[s.Chapter];
                            if (!task.IsStarted)
                            {
                                task.StartTask();
                            }
                            task.Value = s.Fraction;
                            task.Description = Label(chapters.First(c => c.Id == s.Chapter).Title, s.Fraction >= 1 ? "done" : s.Message);
                            if (s.Fraction >= 1)
                            {
                                task.StopTask();
                            }
                        });
                        ctx.Refresh();
                    });
            }
            else
            {
                // not a terminal: one line per chapter as it finishes
                var finished = new HashSet<string>(StringComparer.Ordinal);
                results = Experiments.Tour.Run(options, s =>
                {
                    if (s.Fraction >= 1 && finished.Add(s.Chapter))
                    {
                        Console.Out.WriteLine($"tour: [{finished.Count}/{chapters.Length}] {chapters.First(c => c.Id == s.Chapter).Title}: done");
                    }
                });
            }
            var r = results!;
            string command = "kolmo " + string.Join(' ', context.Arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
            AtomicOutput.WriteAll(settings.Force,
                (Path.Combine(dir, "report.json"), Encoding.UTF8.GetBytes(TourJson.Serialize(r))),
                (Path.Combine(dir, "report.html"), Encoding.UTF8.GetBytes(TourReport.Html(r, command))));
            folder.Keep();
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"tour: wrote {Path.Combine(settings.Out, "report.html")} and report.json; {r.Cost.Seconds:F1} s wall, {r.Cost.CpuSeconds:F1} CPU-s"));
            return CliErrors.Ok;
        }

        private static int Export(TourOptions options, string dir, bool force)
        {
            var files = TourData.Export(options);
            foreach (var (path, _) in files)
            {
                if (File.Exists(Path.Combine(dir, path)) && !force)
                {
                    throw new UsageException($"{Path.Combine(dir, path)} already exists; use -f/--force to overwrite it");
                }
            }
            foreach (var (path, data) in files)
            {
                string full = Path.Combine(dir, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                AtomicOutput.WriteAllBytes(full, data, force);
            }
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tour: wrote {files.Count} files ({files.Sum(f => (long)f.Data.Length):N0} bytes) of the tour's data into {dir}"));
            return CliErrors.Ok;
        }

        private static string Label(string title, string message)
        {
            string m = message.Length > 48 ? message[..47] + "…" : message;
            return Markup.Escape($"{title,-44} {m}");
        }
    }
}
