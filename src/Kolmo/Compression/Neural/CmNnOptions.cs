using System.Globalization;

namespace Kolmo.Compression.Neural;

/// <summary>
/// The design of <c>cm+nn</c>'s mixing (<see cref="CmNnModel"/>): what the network feeds into CM's mixer and how the
/// final mixer learns. Files record which design wrote them through the neural parameter layout
/// (<see cref="NeuralModels"/>): <see cref="First"/> is layout 2's.
/// </summary>
public sealed record CmNnOptions
{
    /// <summary>The design of parameter layout 2.</summary>
    public static CmNnOptions First { get; } = new();

    /// <summary>
    /// The design of parameter layout 3 (written now): CM's extra weight set chosen by the network's confidence × the
    /// partial byte, the final mixer's second layer by confidence × bit position, slower final-mixer learning rates
    /// (3 and 1) and one quarter of the output from the final SSE stage. Chosen with <c>nnmix</c> on book1 (the level-8
    /// network's recorded predictions, cm level 9): 195,168 → 194,374 bytes of ideal code (docs/NEURAL-COMPRESSION.md).
    /// </summary>
    public static CmNnOptions Second { get; } = new() { Lr1 = 3, Lr2 = 1, CmContext = 1, FinalByConfidence = true, SseShare = 1 };

    /// <summary>Learning rate of the final mixer's first layer (error multiplier; update shift 14).</summary>
    public int Lr1 { get; init; } = 6;

    /// <summary>Learning rate of the final mixer's second layer.</summary>
    public int Lr2 { get; init; } = 2;

    /// <summary>Inputs the network gives CM's mixer: 2 = stretch(p) and a linear term; 3 = also the expected byte's
    /// bit signed by stretch(its probability).</summary>
    public int CmInputs { get; init; } = 2;

    /// <summary>Selector of CM's extra weight set: 0 = the network's confidence (32) × bit position; 1 = its
    /// confidence (8) × the partial byte.</summary>
    public int CmContext { get; init; }

    /// <summary>Number of selector contexts of CM's extra weight set.</summary>
    public int CmContexts => CmContext == 0 ? 256 : 2048;

    /// <summary>The final mixer also takes the expected byte's bit signed by stretch(its probability).</summary>
    public bool ConfidenceInput { get; init; }

    /// <summary>The final mixer also takes CM's mixer output before its APM stages.</summary>
    public bool CmMixerInput { get; init; }

    /// <summary>The final mixer's second layer is chosen by the network's confidence (8) × bit position, not the bit position alone.</summary>
    public bool FinalByConfidence { get; init; }

    /// <summary>Quarters of the output taken from the final SSE stage (the rest from the mixer).</summary>
    public int SseShare { get; init; } = 3;

    /// <summary>Parses <c>key=value</c> pairs separated by commas over <paramref name="start"/> (bench design search).</summary>
    /// <exception cref="ArgumentException">Unknown key or bad value.</exception>
    public static CmNnOptions Parse(string text, CmNnOptions? start = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var o = start ?? First;
        foreach (string kv in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] p = kv.Split('=', 2);
            int v = p.Length == 2 ? int.Parse(p[1], CultureInfo.InvariantCulture) : 1;
            o = p[0] switch
            {
                "lr1" => o with { Lr1 = v },
                "lr2" => o with { Lr2 = v },
                "cmin" when v is 2 or 3 => o with { CmInputs = v },
                "cmctx" when v is 0 or 1 => o with { CmContext = v },
                "conf" => o with { ConfidenceInput = v != 0 },
                "final" => o with { FinalByConfidence = v != 0 },
                "cmst" => o with { CmMixerInput = v != 0 },
                "sse" when v is >= 0 and <= 4 => o with { SseShare = v },
                _ => throw new ArgumentException($"unknown or bad cm+nn design setting '{kv}'", nameof(text)),
            };
        }
        return o;
    }
}
