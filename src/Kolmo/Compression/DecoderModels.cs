using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Kolmo.Modeling;

namespace Kolmo.Compression;

/// <summary>
/// Models for decoding many inputs made with the same model configuration (the damage sweep decodes thousands of
/// damaged copies of one file). Every decode gets a model in exactly the state that
/// <see cref="ModelCompressor.CreateModel(ModelEntry, int, byte[], Prior?)"/> builds: either one built by it, or — for
/// models that can be restored in place (<see cref="IRestorableModel"/>: cm, the first cm) — a model handed back
/// after an earlier decode, its tables overwritten with those of a fresh model built once per configuration (no
/// allocation). Building allocates and initialises tables of up to hundreds of megabytes, which for a small input costs
/// more than decoding it. Decoding with this gives the same output and the same errors as without. Thread-safe. Use
/// one instance with one set of priors; it keeps at most <see cref="MaxConfigurations"/> configurations (a model of a
/// further one is built for each decode, as without it).
/// </summary>
public sealed class DecoderModels
{
    /// <summary>Configurations kept (a damaged header can name others; they are not kept).</summary>
    public const int MaxConfigurations = 4;

    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<IByteModel, Slot> _lent = [];

    /// <summary>Configurations built so far.</summary>
    public int Configurations
    {
        get
        {
            lock (_slots)
            {
                return _slots.Count;
            }
        }
    }

    /// <summary>Models handed out by restoring a returned model in place.</summary>
    public long Restored => Interlocked.Read(ref _restored);

    /// <summary>Models handed out as built.</summary>
    public long Built => Interlocked.Read(ref _built);

    private long _restored;
    private long _built;

    /// <summary>
    /// A model of this configuration in its fresh state (<paramref name="build"/>'s, whose exceptions pass through).
    /// Hand it back with <see cref="Return"/> when its decode has ended.
    /// </summary>
    internal IByteModel Take(ModelEntry entry, int level, byte[] parameters, Prior? prior, Func<IByteModel> build)
    {
        string key = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{(int)entry.Id}/{level}/{Convert.ToHexString(parameters)}/{prior?.Kind ?? 0}/{prior?.Hash ?? 0}");
        Slot? slot;
        lock (_slots)
        {
            if (!_slots.TryGetValue(key, out slot) && _slots.Count < MaxConfigurations)
            {
                // the fresh model the others are restored from (never decoded with); none for a model that cannot be restored
                var fresh = build();
                slot = new Slot(fresh as IRestorableModel);
                _slots[key] = slot;
            }
        }
        if (slot?.Fresh is { } source && slot.Spare.TryTake(out var used))
        {
            used.RestoreFrom(source);
            Interlocked.Increment(ref _restored);
            _lent.AddOrUpdate(used, slot);
            return used;
        }
        var model = build();
        Interlocked.Increment(ref _built);
        if (slot?.Fresh is not null && model is IRestorableModel)
        {
            _lent.AddOrUpdate(model, slot);
        }
        return model;
    }

    /// <summary>Takes back a model from <see cref="Take"/> (in any state: a refused decode leaves it anywhere).</summary>
    internal void Return(IByteModel model)
    {
        if (model is IRestorableModel r && _lent.TryGetValue(model, out var slot))
        {
            _lent.Remove(model);
            slot.Spare.Add(r);
        }
    }

    private sealed class Slot(IRestorableModel? fresh)
    {
        public IRestorableModel? Fresh { get; } = fresh;

        public ConcurrentBag<IRestorableModel> Spare { get; } = [];
    }
}
