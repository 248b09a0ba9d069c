using Kolmo.Cli;

namespace Kolmo.Tests.Neural;

/// <summary>In-process CLI runs show Spectre progress displays, which must not run concurrently: this collection runs alone.</summary>
[CollectionDefinition("NeuralCliInProcess", DisableParallelization = true)]
public class NeuralCliInProcessCollection
{
}

[Collection("NeuralCliInProcess")]
public class NeuralCliTests
{
    [Fact]
    public void Train_Eval_ExitCodes()
    {
        string dir = Path.Combine(Path.GetTempPath(), "kolmo-ncli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string data = Path.Combine(dir, "d.txt"), model = Path.Combine(dir, "m.bin");
            File.WriteAllText(data, string.Concat(Enumerable.Repeat("abcabd", 30)));
            string[] train = ["train", "--model", "gpt", "--data", data, "--layers", "1", "--dim", "8", "--heads", "2", "--ctx", "8", "--steps", "2", "--batch", "2", "--out", model];
            Assert.Equal(0, Program.CreateApp().Run(train));
            Assert.True(File.Exists(model));
            Assert.Equal(1, Program.CreateApp().Run(train));                      // exists, no --force
            Assert.Equal(0, Program.CreateApp().Run([.. train, "--force"]));
            Assert.Equal(0, Program.CreateApp().Run(["eval", "--model", model, "--data", data, "--json"]));
            Assert.Equal(1, Program.CreateApp().Run(["train", "--model", "rnn", "--data", data, "--out", model]));
            Assert.Equal(1, Program.CreateApp().Run(["train", "--data", Path.Combine(dir, "missing"), "--out", Path.Combine(dir, "x.bin")]));
            Assert.False(File.Exists(Path.Combine(dir, "x.bin")));
            Assert.Equal(1, Program.CreateApp().Run(["train", "--data", data, "--dim", "10", "--heads", "3", "--ctx", "8", "--out", Path.Combine(dir, "y.bin")]));
            Assert.False(File.Exists(Path.Combine(dir, "y.bin")));
            File.WriteAllBytes(Path.Combine(dir, "bad.bin"), [1, 2, 3]);
            Assert.Equal(2, Program.CreateApp().Run(["eval", "--model", Path.Combine(dir, "bad.bin"), "--data", data]));
            Assert.Equal(1, Program.CreateApp().Run(["eval", "--model", Path.Combine(dir, "nope.bin"), "--data", data]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Train_MaxMinutes_BoundsTheFinalValidation()
    {
        string dir = Path.Combine(Path.GetTempPath(), "kolmo-ncli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string data = Path.Combine(dir, "d.txt"), val = Path.Combine(dir, "v.txt");
            File.WriteAllText(data, string.Concat(Enumerable.Repeat("abcabd", 30)));
            File.WriteAllText(val, string.Concat(Enumerable.Repeat("abcabdabd", 2000)));     // 18,000 bytes: ~4,500 windows of 8
            string[] train = ["train", "--model", "lstm", "--data", data, "--val", val, "--layers", "1", "--dim", "8", "--ctx", "8", "--steps", "3", "--batch", "2"];
            // no budget: every validation symbol is scored
            Assert.Equal(0, Program.CreateApp().Run([.. train, "--out", Path.Combine(dir, "a.bin"), "--log", Path.Combine(dir, "a.tsv")]));
            var full = File.ReadAllLines(Path.Combine(dir, "a.tsv"));
            Assert.Equal("step\ttokens\tseconds\tlr\ttrain_bits\tval_bits\tval_symbols", full[0]);
            Assert.Equal(5, full.Length);                                                          // header, 3 steps, final evaluation
            Assert.Equal("18000", full[^1].Split('\t')[6]);
            // the budget counts from process start, so in the test host it has long run out: no step is begun and the
            // final evaluation scores only its first batch (16 windows) — the checkpoint and the log are still written
            Assert.Equal(0, Program.CreateApp().Run([.. train, "--max-minutes", "0.001", "--out", Path.Combine(dir, "b.bin"), "--log", Path.Combine(dir, "b.tsv")]));
            Assert.True(File.Exists(Path.Combine(dir, "b.bin")));
            var cut = File.ReadAllLines(Path.Combine(dir, "b.tsv"));
            Assert.Equal(2, cut.Length);                                                           // header, final evaluation
            var last = cut[^1].Split('\t');
            Assert.Equal("0", last[0]);
            int scored = int.Parse(last[6], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(scored, 2, 8 * 16 + 1);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
