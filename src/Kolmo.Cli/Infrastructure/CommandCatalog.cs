using System.Reflection;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;

namespace Kolmo.Cli.Infrastructure;

/// <summary>One option of a command, read from its settings class.</summary>
/// <param name="LongNames">Long names without dashes.</param>
/// <param name="ShortNames">One-letter names without the dash.</param>
/// <param name="TakesValue">Whether a value follows the option.</param>
/// <param name="ValueType">The property type the value converts to.</param>
/// <param name="IsHidden">Not shown in help (still accepted).</param>
public sealed record OptionSpec(IReadOnlyList<string> LongNames, IReadOnlyList<string> ShortNames, bool TakesValue, Type ValueType, bool IsHidden)
{
    /// <summary>The name shown to people: <c>--long</c> or, without one, <c>-s</c>.</summary>
    public string Display => LongNames.Count > 0 ? "--" + LongNames[0] : "-" + ShortNames[0];
}

/// <summary>One command: its names and the options and arguments of its settings class.</summary>
/// <param name="Name">The command name.</param>
/// <param name="Aliases">Other names (e.g. <c>c</c> for compress).</param>
/// <param name="SettingsType">The settings class.</param>
/// <param name="Options">Every option, inherited ones included.</param>
/// <param name="Arguments">Positional arguments in order: (value name, is required, takes many values).</param>
public sealed record CommandSpec(string Name, IReadOnlyList<string> Aliases, Type SettingsType, IReadOnlyList<OptionSpec> Options, IReadOnlyList<(string Name, bool Required, bool Many)> Arguments)
{
    /// <summary>Reads a settings class by reflection (public instance properties with Spectre attributes).</summary>
    public static CommandSpec FromSettings(string name, IReadOnlyList<string> aliases, Type settingsType)
    {
        ArgumentNullException.ThrowIfNull(settingsType);
        var options = new List<OptionSpec>();
        var arguments = new List<(int Position, string Name, bool Required, bool Many)>();
        foreach (var p in settingsType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetCustomAttribute<CommandOptionAttribute>() is { } o)
            {
                options.Add(new OptionSpec([.. o.LongNames], [.. o.ShortNames], o.ValueName is not null, p.PropertyType, o.IsHidden));
            }
            if (p.GetCustomAttribute<CommandArgumentAttribute>() is { } a)
            {
                arguments.Add((a.Position, a.ValueName, a.IsRequired, p.PropertyType.IsArray));
            }
        }
        return new CommandSpec(name, aliases, settingsType, options, [.. arguments.OrderBy(a => a.Position).Select(a => (a.Name, a.Required, a.Many))]);
    }

    /// <summary>The examples shown in the command's help (each a full argument list, command name first).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Examples { get; init; } = [];

    /// <summary>The option with this long name (without dashes), if any.</summary>
    public OptionSpec? Long(string name) => Options.FirstOrDefault(o => o.LongNames.Contains(name, StringComparer.Ordinal));

    /// <summary>The option with this one-letter name, if any.</summary>
    public OptionSpec? Short(char name) => Options.FirstOrDefault(o => o.ShortNames.Contains(name.ToString(), StringComparer.Ordinal));
}

/// <summary>
/// Every command the <c>kolmo</c> app registers, recorded while the app is configured (see
/// <see cref="CatalogConfigurator"/>), so that <see cref="ArgumentCheck"/> can validate a command line strictly and
/// tests can render the help of every command.
/// </summary>
public sealed class CommandCatalog
{
    private readonly List<CommandSpec> _commands = [];
    private readonly HashSet<string> _branches = new(StringComparer.Ordinal);

    /// <summary>The registered commands, in registration order.</summary>
    public IReadOnlyList<CommandSpec> Commands => _commands;

    /// <summary>Names of command groups (branches), whose sub-commands are checked by Spectre alone.</summary>
    public IReadOnlyCollection<string> Branches => _branches;

    internal void Add(CommandSpec spec) => _commands.Add(spec);

    internal void AddAlias(string command, string alias)
    {
        int i = _commands.FindIndex(c => c.Name == command);
        _commands[i] = _commands[i] with { Aliases = [.. _commands[i].Aliases, alias] };
    }

    internal void AddBranch(string name) => _branches.Add(name);

    internal void AddExample(string command, IReadOnlyList<string> args)
    {
        int i = _commands.FindIndex(c => c.Name == command);
        _commands[i] = _commands[i] with { Examples = [.. _commands[i].Examples, args] };
    }

    /// <summary>The command called <paramref name="name"/> (or with that alias), if any.</summary>
    public CommandSpec? Find(string name) => _commands.FirstOrDefault(c => c.Name == name || c.Aliases.Contains(name, StringComparer.Ordinal));

    /// <summary>Every command name and alias.</summary>
    public IEnumerable<string> AllNames => _commands.SelectMany(c => c.Aliases.Prepend(c.Name)).Concat(_branches);
}

/// <summary>
/// An <see cref="IConfigurator"/> that only records each command in a <see cref="CommandCatalog"/>: the app runs every
/// feature's registration once against it (to know the commands before parsing) and once against Spectre's.
/// Command files need not know: they call <c>config.AddCommand</c> as usual.
/// </summary>
internal sealed class CatalogConfigurator(CommandCatalog catalog) : IConfigurator
{
    public ICommandAppSettings Settings => throw new NotSupportedException("app settings belong in Program.CreateApp");

    public IConfigurator SetHelpProvider(IHelpProvider helpProvider) => this;

    public IConfigurator SetHelpProvider<T>()
        where T : IHelpProvider => this;

    public IConfigurator AddExample(params string[] args) => this;

    public ICommandConfigurator AddCommand<TCommand>(string name)
        where TCommand : class, ICommand => Add(name, SettingsOf(typeof(TCommand)));

    public ICommandConfigurator AddDelegate<TSettings>(string name, Func<CommandContext, TSettings, CancellationToken, int> func)
        where TSettings : CommandSettings => Add(name, typeof(TSettings));

    public ICommandConfigurator AddAsyncDelegate<TSettings>(string name, Func<CommandContext, TSettings, CancellationToken, Task<int>> func)
        where TSettings : CommandSettings => Add(name, typeof(TSettings));

    public IBranchConfigurator AddBranch<TSettings>(string name, Action<IConfigurator<TSettings>> action)
        where TSettings : CommandSettings
    {
        catalog.AddBranch(name);
        return new Branch();
    }

    private CommandRecorder Add(string name, Type settings)
    {
        catalog.Add(CommandSpec.FromSettings(name, [], settings));
        return new CommandRecorder(catalog, name);
    }

    private static Type SettingsOf(Type command)
    {
        for (var t = command; t != null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericArguments() is [var s] && typeof(CommandSettings).IsAssignableFrom(s))
            {
                return s;
            }
        }
        return typeof(EmptyCommandSettings);
    }

    private sealed class Branch : IBranchConfigurator
    {
        public IBranchConfigurator WithAlias(string alias) => this;
    }

    private sealed class CommandRecorder(CommandCatalog catalog, string name) : ICommandConfigurator
    {
        public ICommandConfigurator WithExample(params string[] args)
        {
            catalog.AddExample(name, args);
            return this;
        }

        public ICommandConfigurator WithAlias(string alias)
        {
            catalog.AddAlias(name, alias);
            return this;
        }

        public ICommandConfigurator WithDescription(string description) => this;

        public ICommandConfigurator WithData(object data) => this;

        public ICommandConfigurator IsHidden() => this;
    }
}
