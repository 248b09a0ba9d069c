namespace Kolmo.Modeling;

/// <summary>TEMPORARY tuning knobs read from KOLMO_CM_TUNE="k=v,..." (removed before landing).</summary>
internal static class CmTune
{
    private static readonly Dictionary<string, int> Values = Parse();

    public static int Get(string key, int dflt) => Values.TryGetValue(key, out int v) ? v : dflt;

    public static string? Str(string name) => Environment.GetEnvironmentVariable(name);

    private static Dictionary<string, int> Parse()
    {
        var d = new Dictionary<string, int>();
        var s = Environment.GetEnvironmentVariable("KOLMO_CM_TUNE");
        if (string.IsNullOrEmpty(s))
        {
            return d;
        }
        foreach (var kv in s.Split(','))
        {
            var p = kv.Split('=');
            d[p[0]] = int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        return d;
    }
}
