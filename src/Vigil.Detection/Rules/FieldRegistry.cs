using System.Net;

namespace Vigil.Detection.Rules;

/// <summary>
/// Falco field name to typed accessor over <see cref="EventContext"/>, plus the Falco fields Vigil
/// knows but cannot fill, each with its reason. A name in neither is an unknown field: an error.
/// </summary>
public sealed class FieldRegistry
{
    private readonly Dictionary<string, FieldDefinition> _fields = new(StringComparer.Ordinal);

    private FieldRegistry()
    {
    }

    public static FieldRegistry Default { get; } = Build();

    public IEnumerable<FieldDefinition> All => _fields.Values.OrderBy(f => f.Name, StringComparer.Ordinal);

    /// <summary>Finds a field, or explains why it is unsupported (<see cref="RuleProblemKind.Unsupported"/>) or unknown (error).</summary>
    public FieldDefinition Resolve(FieldReference reference)
    {
        // Falco accepts both evt.arg.flags and evt.arg[flags]; a numeric argument stays positional.
        if (reference is { Name: "evt.arg", Argument: { Length: > 0 } argName } && !char.IsAsciiDigit(argName[0]))
        {
            return Resolve(new FieldReference("evt.arg." + argName, null));
        }
        if (_fields.TryGetValue(reference.Name, out FieldDefinition? field))
        {
            if (!field.IsSupported)
            {
                throw RuleException.Unsupported($"field '{reference}' is not supported: {field.UnsupportedReason}");
            }
            CheckArgument(field, reference);
            return field;
        }
        if (UnsupportedFalcoFields.ReasonForFamily(reference.Name) is { } familyReason)
        {
            throw RuleException.Unsupported($"field '{reference}' is not supported: {familyReason}");
        }
        throw RuleException.Error($"unknown field '{reference}'");
    }

    internal void Add(string name, FieldType type, string source, Delegate getter, FieldShape shape = FieldShape.Scalar) =>
        _fields.Add(name, new FieldDefinition(name, type, shape, source, getter, null));

    internal void Text(string name, string source, Func<EventContext, ReadOnlyMemory<char>?> getter) => Add(name, FieldType.Text, source, getter);

    internal void Number(string name, string source, Func<EventContext, long?> getter) => Add(name, FieldType.Number, source, getter);

    internal void Bool(string name, string source, Func<EventContext, bool?> getter) => Add(name, FieldType.Bool, source, getter);

    internal void Ip(string name, string source, Func<EventContext, IPAddress?> getter, FieldType type = FieldType.Ip) => Add(name, type, source, getter);

    internal void Unsupported(string name, FieldType type, string reason) =>
        _fields.Add(name, new FieldDefinition(name, type, FieldShape.Scalar, "", null, reason));

    private static void CheckArgument(FieldDefinition field, FieldReference reference)
    {
        bool hasArgument = reference.Argument is not null;
        if (field.Shape == FieldShape.AncestorIndexed)
        {
            if (hasArgument && !(int.TryParse(reference.Argument, out int index) && index >= 0))
            {
                throw RuleException.Error($"field '{reference}' needs a non-negative index");
            }
        }
        else if (hasArgument)
        {
            throw RuleException.Error($"field '{field.Name}' takes no argument");
        }
    }

    private static FieldRegistry Build()
    {
        var registry = new FieldRegistry();
        EventFields.Register(registry);
        ProcessFields.Register(registry);
        ExecDetailFields.Register(registry);
        FileDescriptorFields.Register(registry);
        IdentityFields.Register(registry);
        VigilStateFields.Register(registry);
        UnsupportedFalcoFields.Register(registry);
        return registry;
    }
}
