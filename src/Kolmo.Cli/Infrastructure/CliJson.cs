using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Kolmo.Cli.Infrastructure;

/// <summary>
/// JSON output of the <c>kolmo</c> commands: records serialised with System.Text.Json through the source-generated
/// <see cref="CliJsonContext"/> (no reflection, no hand-built strings). Property names are camelCase; non-ASCII text
/// (cipher symbols, file names) is written as is. A command adds its output record to the
/// <see cref="JsonSerializableAttribute"/> list of <see cref="CliJsonContext"/> and prints it with <see cref="Print"/>.
/// </summary>
public static class CliJson
{
    private static readonly CliJsonContext Indented = new(new JsonSerializerOptions(CliJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    });

    private static readonly CliJsonContext Compact = new(new JsonSerializerOptions(CliJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    });

    /// <summary>Serialises <paramref name="value"/> (indented or on one line).</summary>
    public static string Serialize<T>(T value, Func<CliJsonContext, JsonTypeInfo<T>> type, bool indented = true) =>
        JsonSerializer.Serialize(value, type(indented ? Indented : Compact));

    /// <summary>Prints <paramref name="value"/> as JSON on standard output.</summary>
    public static void Print<T>(T value, Func<CliJsonContext, JsonTypeInfo<T>> type, bool indented = true) =>
        Console.Out.WriteLine(Serialize(value, type, indented));
}

/// <summary>The source-generated serialisers of every JSON record the commands print.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(DecipherReport))]
[JsonSerializable(typeof(Commands.Information.ClassifyReport))]
[JsonSerializable(typeof(Commands.Information.BoundReport))]
[JsonSerializable(typeof(Commands.Information.PairReport))]
[JsonSerializable(typeof(EvalReport))]
[JsonSerializable(typeof(Commands.Compression.ContainerReport))]
[JsonSerializable(typeof(Commands.Compression.ContainerReport[]))]
public sealed partial class CliJsonContext : JsonSerializerContext;
