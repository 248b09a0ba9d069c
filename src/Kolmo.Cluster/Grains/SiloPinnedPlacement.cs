using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Kolmo.Cluster.Grains;

/// <summary>
/// Places a grain on the silo its key names: the key is <c>PREFIX|SILO</c>, SILO being
/// <see cref="SiloAddress.ToParsableString"/>. A job's coordinator uses it to put exactly one worker on each
/// silo (Orleans' own strategies spread grains at random or by load, which leaves silos idle or doubled).
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class SiloPinnedPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static SiloPinnedPlacement Instance { get; } = new();

    /// <summary>The grain key for <paramref name="prefix"/> on <paramref name="silo"/>.</summary>
    public static string Key(string prefix, SiloAddress silo)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(silo);
        return prefix + "|" + silo.ToParsableString();
    }

    /// <summary>The silo a key names.</summary>
    /// <exception cref="ArgumentException">The key has no silo part.</exception>
    public static SiloAddress SiloOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int bar = key.LastIndexOf('|');
        if (bar < 0)
        {
            throw new ArgumentException($"grain key '{key}' names no silo", nameof(key));
        }
        return SiloAddress.FromParsableString(key[(bar + 1)..]);
    }
}

/// <summary>Marks a grain class as placed by <see cref="SiloPinnedPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloPinnedPlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public SiloPinnedPlacementAttribute()
        : base(SiloPinnedPlacement.Instance)
    {
    }
}

/// <summary>Chooses the silo a <see cref="SiloPinnedPlacement"/> key names; refuses when that silo is not in the cluster.</summary>
internal sealed class SiloPinnedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silo = SiloPinnedPlacement.SiloOf(target.GrainIdentity.Key.ToString()!);
        if (!context.GetCompatibleSilos(target).Contains(silo))
        {
            throw new SiloUnavailableException($"silo {silo} is not (or no longer) in the cluster");
        }
        return Task.FromResult(silo);
    }
}
