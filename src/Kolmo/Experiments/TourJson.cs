using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kolmo.Experiments;

/// <summary>report.json: <see cref="TourResults"/> as JSON (camelCase, NaN and infinities as strings), and back.</summary>
public static class TourJson
{
    /// <summary>The JSON text of <paramref name="results"/>.</summary>
    public static string Serialize(TourResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return JsonSerializer.Serialize(results, TourJsonContext.Default.TourResults);
    }

    /// <summary>Reads a report.json written by <see cref="Serialize"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not such a report.</exception>
    public static TourResults Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize(json, TourJsonContext.Default.TourResults) ?? throw new InvalidDataException("report.json is empty (null)");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a tour report: {e.Message}", e);
        }
    }
}

/// <summary>Source-generated System.Text.Json metadata of the tour's records.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(TourResults))]
internal sealed partial class TourJsonContext : JsonSerializerContext;
