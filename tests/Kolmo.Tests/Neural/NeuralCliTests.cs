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
}
