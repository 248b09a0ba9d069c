using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kolmo.Cli.Infrastructure;
using Kolmo.Neural;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kolmo.Cli;

public static partial class Program
{
    static partial void ConfigureNeural(IConfigurator config)
    {
        config.AddCommand<TrainCommand>("train")
            .WithDescription("Train a byte-level GPT or LSTM on a file (deterministic; checkpoint to --out)")
            .WithExample("train", "--model", "gpt", "--data", "train.txt", "--val", "val.txt", "--layers", "2", "--dim", "64", "--steps", "500", "--out", "small.gpt")
            .WithExample("train", "--model", "lstm", "--data", "train.txt", "--dim", "128", "--ctx", "64", "-T", "2", "--out", "s.lstm");
        config.AddCommand<EvalCommand>("eval")
            .WithDescription("Bits per symbol of a trained neural model on a file")
            .WithExample("eval", "--model", "small.gpt", "--data", "val.txt", "--json");
    }
}

/// <summary>Options of <c>kolmo train</c>.</summary>
public sealed class TrainSettings : CommandSettings
{
    [CommandOption("--model <KIND>"), Description("gpt or lstm"), DefaultValue("gpt")]
    public string Model { get; init; } = "gpt";

    [CommandOption("--data <FILE>"), Description("Training data (bytes)")]
    public string? Data { get; init; }

    [CommandOption("--val <FILE>"), Description("Held-out data, evaluated at the end (and every --eval-every steps)")]
    public string? Val { get; init; }

    [CommandOption("--layers <N>"), Description("Layers"), DefaultValue(4)]
    public int Layers { get; init; } = 4;

    [CommandOption("--dim <N>"), Description("Width: GPT channels C / LSTM hidden H"), DefaultValue(128)]
    public int Dim { get; init; } = 128;

    [CommandOption("--heads <N>"), Description("GPT attention heads"), DefaultValue(4)]
    public int Heads { get; init; } = 4;

    [CommandOption("--ctx <N>"), Description("Context (GPT) / BPTT length (LSTM)"), DefaultValue(128)]
    public int Ctx { get; init; } = 128;

    [CommandOption("--steps <N>"), Description("Optimiser steps (length of the cosine schedule)"), DefaultValue(1000)]
    public int Steps { get; init; } = 1000;

    [CommandOption("--batch <N>"), Description("Sequences per mini-batch"), DefaultValue(16)]
    public int Batch { get; init; } = 16;

    [CommandOption("--lr <RATE>"), Description("Peak learning rate (AdamW, warmup + cosine)"), DefaultValue(1e-3)]
    public double Lr { get; init; } = 1e-3;

    [CommandOption("--warmup <N>"), Description("Warmup steps"), DefaultValue(50)]
    public int Warmup { get; init; } = 50;

    [CommandOption("--weight-decay <W>"), Description("AdamW weight decay"), DefaultValue(0.1)]
    public double WeightDecay { get; init; } = 0.1;

    [CommandOption("--seed <N>"), Description("Seed of initialisation and batch sampling"), DefaultValue(1UL)]
    public ulong Seed { get; init; } = 1;

    [CommandOption("-T|--threads <N>"), Description("Worker threads (results do not depend on it)"), DefaultValue(2)]
    public int Threads { get; init; } = 2;

    [CommandOption("--max-minutes <M>"), Description("Wall-clock budget for the whole command, start-up included: no step is begun that would end after it (0 = no limit)"), DefaultValue(0.0)]
    public double MaxMinutes { get; init; }

    [CommandOption("--eval-every <N>"), Description("Evaluate on --val every N steps (0 = only at the end)"), DefaultValue(0)]
    public int EvalEvery { get; init; }

    [CommandOption("--log <FILE>"), Description("Write the learning curve as TSV")]
    public string? Log { get; init; }

    [CommandOption("--out <MODEL>"), Description("Checkpoint to write")]
    public string? Out { get; init; }

    [CommandOption("-f|--force"), Description("Overwrite existing output files")]
    public bool Force { get; init; }

    public override ValidationResult Validate()
    {
        if (Model is not ("gpt" or "lstm"))
        {
            return ValidationResult.Error($"--model must be gpt or lstm, not '{Model}'");
        }
        if (string.IsNullOrEmpty(Data))
        {
            return ValidationResult.Error("--data FILE is required");
        }
        if (string.IsNullOrEmpty(Out))
        {
            return ValidationResult.Error("--out MODEL is required");
        }
        if (Steps < 1 || Batch < 1 || Ctx < 1 || Layers < 1 || Dim < 1 || Heads < 1 || Warmup < 0 || EvalEvery < 0)
        {
            return ValidationResult.Error("--steps, --batch, --ctx, --layers, --dim and --heads must be positive");
        }
        if (!(Lr > 0) || Lr > 1)
        {
            return ValidationResult.Error("--lr must be in (0, 1]");
        }
        if (Threads < 1 || Threads > 256)
        {
            return ValidationResult.Error("--threads must be in [1, 256]");
        }
        return ValidationResult.Success();
    }
}

/// <summary><c>kolmo train</c>.</summary>
public sealed class TrainCommand : Command<TrainSettings>
{
    public override int Execute(CommandContext context, TrainSettings s, CancellationToken cancellationToken)
    {
        NeuralRuntime.Threads = s.Threads;
        int[] data = NeuralCli.ReadSymbols(s.Data!);
        int[]? val = s.Val is null ? null : NeuralCli.ReadSymbols(s.Val);
        if (data.Length < s.Ctx + 1)
        {
            throw new UsageException($"{s.Data} has {data.Length} bytes; training needs at least --ctx + 1 = {s.Ctx + 1}");
        }
        SequenceModel model;
        try
        {
            model = s.Model == "gpt"
                ? new Gpt(new GptConfig(256, s.Ctx, s.Layers, s.Dim, s.Heads), s.Seed)
                : new Lstm(new LstmConfig(256, s.Ctx, s.Layers, s.Dim), s.Seed);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        // open outputs first so a refusal to overwrite comes before minutes of training
        using var output = new AtomicOutput(s.Out!, s.Force);
        using var log = s.Log is null ? null : new AtomicOutput(s.Log, s.Force);
        var logText = new StringBuilder("step\ttokens\tseconds\tlr\ttrain_bits\tval_bits\tval_symbols\n");
        var trainer = new Trainer(model, new TrainOptions((float)s.Lr, s.Steps, Math.Min(s.Warmup, s.Steps), WeightDecay: (float)s.WeightDecay));
        var sampler = new WindowSampler(data, s.Batch, s.Ctx, s.Seed ^ 0x5DEECE66DUL);
        // --max-minutes covers the whole command, counted from process start (start-up and reading count too): a step
        // is begun only if it is expected to end in time, judged by the slowest step so far, leaving room for the
        // final --val evaluation (at most a quarter of what is left), which itself stops at the budget
        var budget = new TrainBudget(s.MaxMinutes * 60);
        double finalEvalReserve = budget.Limited && val is not null ? budget.EvaluationReserve(model, val) : 0;
        var sw = Stopwatch.StartNew();
        long tokens = 0;
        double ema = double.NaN;
        int stepsDone = 0;
        double? lastVal = null;
        AnsiConsole.MarkupLine($"[grey]{model.Kind}: {model.Parameters.Count:N0} parameters, {data.Length:N0} training bytes, simd {NeuralRuntime.SimdPath}, {NeuralRuntime.Threads} threads[/]");
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: s.Steps);
                double slowestStep = 0;
                for (int step = 0; step < s.Steps; step++)
                {
                    double before = budget.Elapsed;
                    if (budget.Limited && before + slowestStep + finalEvalReserve >= budget.Seconds)
                    {
                        break;
                    }
                    float lr = trainer.LearningRate(trainer.Step);
                    float loss = trainer.TrainStep(sampler.Next());
                    stepsDone++;
                    slowestStep = Math.Max(slowestStep, budget.Elapsed - before);
                    tokens += (long)s.Batch * s.Ctx;
                    double bits = loss / Math.Log(2);
                    ema = double.IsNaN(ema) ? bits : 0.95 * ema + 0.05 * bits;
                    string valText = "\t";
                    if (val is not null && s.EvalEvery > 0 && (step + 1) % s.EvalEvery == 0 && step + 1 < s.Steps)
                    {
                        // a periodic evaluation cut by the budget is not comparable with the others: not reported
                        var score = Evaluator.PrefixBits(model, val, 16, budget.StopAt(budget.Seconds - finalEvalReserve));
                        if (score.Symbols == val.Length)
                        {
                            lastVal = score.Bits / val.Length;
                            valText = string.Create(CultureInfo.InvariantCulture, $"{lastVal.Value:F4}\t{score.Symbols}");
                        }
                    }
                    logText.Append(CultureInfo.InvariantCulture, $"{step + 1}\t{tokens}\t{sw.Elapsed.TotalSeconds:F1}\t{lr:G4}\t{bits:F4}\t{valText}\n");
                    double tps = tokens / Math.Max(1e-9, sw.Elapsed.TotalSeconds);
                    task.Description = $"step {step + 1}/{s.Steps}  loss {ema:F3} bits/sym  {tps:F0} tok/s" + (lastVal is null ? "" : $"  val {lastVal:F3}");
                    task.Value = step + 1;
                }
                task.Value = s.Steps;
            });
        double trainSeconds = sw.Elapsed.TotalSeconds;
        int valScored = 0;
        if (val is not null)
        {
            // the final evaluation always scores its first batch; under a budget it stops before a batch that would end after it
            var score = budget.Limited ? Evaluator.PrefixBits(model, val, 16, budget.StopAt(budget.Seconds)) : new PrefixScore(Evaluator.TotalBits(model, val, 16), val.Length);
            valScored = score.Symbols;
            lastVal = score.Bits / Math.Max(1, score.Symbols);
            logText.Append(CultureInfo.InvariantCulture, $"{stepsDone}\t{tokens}\t{sw.Elapsed.TotalSeconds:F1}\t\t\t{lastVal:F4}\t{valScored}\n");
        }
        model.Save(output.Stream);
        if (log is not null)
        {
            log.Stream.Write(Encoding.UTF8.GetBytes(logText.ToString()));
            AtomicOutput.CommitAll(output, log);   // the checkpoint and its log appear together or not at all
        }
        else
        {
            output.Commit();
        }
        string valSummary = lastVal is null ? ""
            : valScored < val!.Length ? string.Create(CultureInfo.InvariantCulture, $", val {lastVal:F4} bits/symbol on the first {valScored:N0} of {val.Length:N0} bytes (--max-minutes)")
            : string.Create(CultureInfo.InvariantCulture, $", val {lastVal:F4} bits/symbol");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained {stepsDone} steps, {tokens:N0} tokens in {trainSeconds:F1} s ({tokens / Math.Max(1e-9, trainSeconds):F0} tok/s), last loss {ema:F4} bits/symbol{valSummary} -> {s.Out}"));
        return CliErrors.Ok;
    }
}

/// <summary>Options of <c>kolmo eval</c>.</summary>
public sealed class EvalSettings : CommandSettings
{
    [CommandOption("--model <MODEL>"), Description("Checkpoint written by kolmo train")]
    public string? Model { get; init; }

    [CommandOption("--data <FILE>"), Description("Data to score (bytes)")]
    public string? Data { get; init; }

    [CommandOption("--json"), Description("Print JSON {bitsPerSymbol, symbols, bits, seconds}")]
    public bool Json { get; init; }

    [CommandOption("--batch <N>"), Description("Windows per forward pass"), DefaultValue(16)]
    public int Batch { get; init; } = 16;

    [CommandOption("-T|--threads <N>"), Description("Worker threads (results do not depend on it)"), DefaultValue(2)]
    public int Threads { get; init; } = 2;

    public override ValidationResult Validate()
    {
        if (string.IsNullOrEmpty(Model))
        {
            return ValidationResult.Error("--model MODEL is required");
        }
        if (string.IsNullOrEmpty(Data))
        {
            return ValidationResult.Error("--data FILE is required");
        }
        if (Batch < 1 || Threads < 1 || Threads > 256)
        {
            return ValidationResult.Error("--batch must be positive and --threads in [1, 256]");
        }
        return ValidationResult.Success();
    }
}

/// <summary><c>kolmo eval</c>.</summary>
public sealed class EvalCommand : Command<EvalSettings>
{
    public override int Execute(CommandContext context, EvalSettings s, CancellationToken cancellationToken)
    {
        NeuralRuntime.Threads = s.Threads;
        if (!File.Exists(s.Model))
        {
            throw new FileNotFoundException($"{s.Model} not found");
        }
        SequenceModel model;
        using (var f = File.OpenRead(s.Model!))
        {
            model = SequenceModel.Load(f);
        }
        if (model.VocabSize != 256)
        {
            throw new UsageException($"{s.Model} has a vocabulary of {model.VocabSize} symbols; eval reads bytes (256)");
        }
        int[] data = NeuralCli.ReadSymbols(s.Data!);
        var sw = Stopwatch.StartNew();
        double bits = Evaluator.TotalBits(model, data, s.Batch);
        double seconds = sw.Elapsed.TotalSeconds;
        double bps = data.Length == 0 ? 0 : bits / data.Length;
        if (s.Json)
        {
            CliJson.Print(new EvalReport(bps, data.Length, bits, Math.Round(seconds, 3), model.Kind.ToString(), model.Parameters.Count), c => c.EvalReport, indented: false);
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Data}: {data.Length:N0} symbols, {bits:F1} bits, {bps:F4} bits/symbol ({model.Kind}, {model.Parameters.Count:N0} params) in {seconds:F2} s"));
        }
        return CliErrors.Ok;
    }
}

internal static class NeuralCli
{
    public static int[] ReadSymbols(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} not found");
        }
        byte[] b = File.ReadAllBytes(path);
        var s = new int[b.Length];
        for (int i = 0; i < b.Length; i++)
        {
            s[i] = b[i];
        }
        return s;
    }
}

/// <summary>What <c>kolmo eval --json</c> prints.</summary>
/// <param name="BitsPerSymbol">Mean code length per symbol.</param>
/// <param name="Symbols">Symbols scored.</param>
/// <param name="Bits">Total code length.</param>
/// <param name="Seconds">Wall-clock time.</param>
/// <param name="Model">Architecture.</param>
/// <param name="Parameters">Trainable parameters.</param>
public sealed record EvalReport(double BitsPerSymbol, int Symbols, double Bits, double Seconds, string Model, long Parameters);

/// <summary>
/// A wall-clock budget counted from the start of the process (start-up and reading count), for <c>kolmo train
/// --max-minutes</c>.
/// </summary>
internal sealed class TrainBudget(double seconds)
{
    private readonly DateTime _processStart = Process.GetCurrentProcess().StartTime;

    /// <summary>The budget in seconds (0 = none).</summary>
    public double Seconds { get; } = seconds;

    /// <summary>Whether there is a budget.</summary>
    public bool Limited => Seconds > 0;

    /// <summary>Seconds since the process started.</summary>
    public double Elapsed => (DateTime.Now - _processStart).TotalSeconds;

    /// <summary>
    /// Time to keep for the final evaluation of <paramref name="val"/>: its cost estimated by scoring a sample (the
    /// first batch of windows), capped at a quarter of what is left of the budget — beyond that the evaluation is
    /// cut at the budget and reports the prefix it scored.
    /// </summary>
    public double EvaluationReserve(SequenceModel model, int[] val)
    {
        var sample = val[..Math.Min(val.Length, 16 * Math.Max(1, model.Context / 2) + model.Context)];
        double t0 = Elapsed;
        var score = Evaluator.PrefixBits(model, sample, 16, () => true);
        double perSymbol = (Elapsed - t0) / Math.Max(1, score.Symbols);
        return Math.Min(1.1 * perSymbol * val.Length, 0.25 * Math.Max(0, Seconds - Elapsed));
    }

    /// <summary>
    /// A stop test for <see cref="Evaluator.PrefixBits"/>: true when the next batch, as slow as the slowest so far,
    /// would end after <paramref name="deadline"/> seconds from process start.
    /// </summary>
    public Func<bool> StopAt(double deadline)
    {
        double last = Elapsed, slowest = 0;
        return () =>
        {
            double now = Elapsed;
            slowest = Math.Max(slowest, now - last);
            last = now;
            return now + slowest >= deadline;
        };
    }
}
