using System.Globalization;

namespace Kolmo.Compression.Neural;

/// <summary>
/// Builds <see cref="ISequenceModel"/>s from configuration strings <c>kind:key=value,key=value</c> — the string the
/// <c>.kolmo</c> container records, so the decoder rebuilds the identical fresh model. Kinds are registered by the
/// layers that implement them; <c>order</c> (<see cref="CountSequenceModel"/>, key <c>k</c>) is built in.
/// </summary>
public static class SequenceModels
{
    private static readonly Dictionary<string, Func<IReadOnlyDictionary<string, string>, ISequenceModel>> Factories =
        new(StringComparer.Ordinal)
        {
            ["order"] = o => new CountSequenceModel(GetInt(o, "k", 1)),
            ["lstm"] = NetworkSequenceModel.CreateLstm,
            ["gpt"] = NetworkSequenceModel.CreateGpt,
            [OnlineLstmOptions.Kind] = OnlineLstm.Create,
        };

    private static readonly List<Func<byte[], ISequenceModel?>> Loaders = [b => NetworkSequenceModel.TryLoad(b)];

    /// <summary>Registers a checkpoint loader: returns the trained model, or null when the bytes are not its format.</summary>
    public static void RegisterLoader(Func<byte[], ISequenceModel?> loader)
    {
        ArgumentNullException.ThrowIfNull(loader);
        lock (Loaders)
        {
            Loaders.Add(loader);
        }
    }

    /// <summary>Loads a trained model from checkpoint bytes (as written by <c>kolmo train</c>).</summary>
    /// <exception cref="InvalidDataException">No registered loader understands the bytes.</exception>
    public static ISequenceModel LoadCheckpoint(byte[] checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        Func<byte[], ISequenceModel?>[] loaders;
        lock (Loaders)
        {
            loaders = [.. Loaders];
        }
        foreach (var load in loaders)
        {
            if (load(checkpoint) is { } m)
            {
                return m;
            }
        }
        throw new InvalidDataException("the prior model is not a checkpoint this build can load (expected a file written by 'kolmo train')");
    }

    /// <summary>Registers (or replaces) the factory of a model kind.</summary>
    public static void Register(string kind, Func<IReadOnlyDictionary<string, string>, ISequenceModel> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(factory);
        lock (Factories)
        {
            Factories[kind] = factory;
        }
    }

    /// <summary>
    /// The training block a model is meant to be coded with: the horizon of an <see cref="OnlineLstm"/>, the window of a
    /// network from the engine, <see cref="PrequentialCoder.DefaultBlock"/> otherwise.
    /// </summary>
    public static int NaturalBlock(ISequenceModel model) => model switch
    {
        OnlineLstm o => o.Options.Horizon,
        NetworkSequenceModel n => n.Window,
        _ => PrequentialCoder.DefaultBlock,
    };

    /// <summary>Creates a fresh model from <paramref name="spec"/>.</summary>
    /// <exception cref="ArgumentException">Unknown kind or malformed option.</exception>
    public static ISequenceModel Create(string spec)
    {
        ArgumentException.ThrowIfNullOrEmpty(spec);
        var (kind, options) = Parse(spec);
        Func<IReadOnlyDictionary<string, string>, ISequenceModel>? f;
        lock (Factories)
        {
            Factories.TryGetValue(kind, out f);
        }
        if (f is null)
        {
            throw new ArgumentException($"unknown sequence model '{kind}'", nameof(spec));
        }
        return f(options);
    }

    /// <summary>Splits <c>kind:key=value,…</c> into the kind and its options.</summary>
    public static (string Kind, IReadOnlyDictionary<string, string> Options) Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        string kind = colon < 0 ? spec : spec[..colon];
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (colon >= 0)
        {
            foreach (string part in spec[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new ArgumentException($"model option '{part}' is not key=value", nameof(spec));
                }
                options[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            }
        }
        return (kind.Trim(), options);
    }

    /// <summary>Reads an integer option, or <paramref name="fallback"/> when absent.</summary>
    public static int GetInt(IReadOnlyDictionary<string, string> options, string key, int fallback)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TryGetValue(key, out string? v))
        {
            return fallback;
        }
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r))
        {
            throw new ArgumentException($"model option {key}={v} is not an integer", nameof(options));
        }
        return r;
    }

    /// <summary>Reads a real option, or <paramref name="fallback"/> when absent.</summary>
    public static float GetFloat(IReadOnlyDictionary<string, string> options, string key, float fallback)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TryGetValue(key, out string? v))
        {
            return fallback;
        }
        if (!float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out float r))
        {
            throw new ArgumentException($"model option {key}={v} is not a number", nameof(options));
        }
        return r;
    }
}
