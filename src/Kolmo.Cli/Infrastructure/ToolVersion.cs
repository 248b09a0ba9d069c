using System.Reflection;

namespace Kolmo.Cli.Infrastructure;

/// <summary>The version of the tool, as set once in Directory.Build.props (<c>Version</c>) and stamped into the assembly.</summary>
public static class ToolVersion
{
    /// <summary>The version, with the source commit when the build knew it: <c>0.1.0 (commit 1a2b3c4)</c>.</summary>
    public static string Text { get; } = Format(
        typeof(ToolVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ToolVersion).Assembly.GetName().Version?.ToString(3)
        ?? "unknown");

    /// <summary>"0.1.0+1a2b3c4d…" → "0.1.0 (commit 1a2b3c4)".</summary>
    internal static string Format(string informational)
    {
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0)
        {
            return informational;
        }
        string commit = informational[(plus + 1)..];
        return $"{informational[..plus]} (commit {commit[..Math.Min(7, commit.Length)]})";
    }
}
