using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Serialization;

/// <summary>Maps wire names to event records and back, and knows the upcaster chain of every retired version.</summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<string, EventTypeInfo> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, EventTypeInfo> _byType = [];
    private readonly Dictionary<string, IEventUpcaster> _upcasters = new(StringComparer.Ordinal);

    public IReadOnlyCollection<EventTypeInfo> Types => _byType.Values;
    public IReadOnlyCollection<IEventUpcaster> Upcasters => _upcasters.Values;

    public EventTypeRegistry RegisterAssembly(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            if (type.GetCustomAttribute<EventTypeAttribute>() is not null)
            {
                Register(type);
            }
            else if (typeof(IEventUpcaster).IsAssignableFrom(type) && type is { IsAbstract: false, IsInterface: false } &&
                     type.GetConstructor(Type.EmptyTypes) is not null)
            {
                AddUpcaster((IEventUpcaster)Activator.CreateInstance(type)!);
            }
        }

        return this;
    }

    public EventTypeRegistry Register<T>() => Register(typeof(T));

    public EventTypeRegistry Register(Type type)
    {
        var name = type.GetCustomAttribute<EventTypeAttribute>()?.Name
                   ?? throw new ArgumentException($"{type.Name} has no [EventType] attribute.", nameof(type));
        if (_byName.TryGetValue(name, out var existing) && existing.ClrType != type)
        {
            throw new InvalidOperationException($"Event type '{name}' is claimed by both {existing.ClrType.Name} and {type.Name}.");
        }

        var info = EventTypeInfo.Create(name, type);
        _byName[name] = info;
        _byType[type] = info;
        return this;
    }

    public EventTypeRegistry AddUpcaster(IEventUpcaster upcaster)
    {
        if (_byName.ContainsKey(upcaster.FromType))
        {
            throw new InvalidOperationException($"'{upcaster.FromType}' is a current type; only retired versions are upcast.");
        }

        _upcasters[upcaster.FromType] = upcaster;
        return this;
    }

    public EventTypeInfo Get(Type type) =>
        _byType.TryGetValue(type, out var info) ? info : throw new InvalidOperationException($"{type.Name} is not a registered event type.");

    public bool TryGet(string wireName, out EventTypeInfo info) => _byName.TryGetValue(wireName, out info!);

    public bool TryGetUpcaster(string wireName, out IEventUpcaster upcaster) => _upcasters.TryGetValue(wireName, out upcaster!);

    /// <summary>The record a stored wire type reads as, following upcasters. Throws <see cref="UnknownEventTypeException"/>.</summary>
    public EventTypeInfo Resolve(string wireName) =>
        TryResolve(wireName, out var info) ? info : throw new UnknownEventTypeException(wireName);

    public bool TryResolve(string wireName, out EventTypeInfo info)
    {
        var current = wireName;
        for (var hops = 0; hops < 64; hops++)
        {
            if (_byName.TryGetValue(current, out info!))
            {
                return true;
            }

            if (!_upcasters.TryGetValue(current, out var up))
            {
                break;
            }

            current = up.ToType;
        }

        info = null!;
        return false;
    }

    public bool IsKnown(string wireName) => TryResolve(wireName, out _);
}

public sealed class EventTypeInfo
{
    private EventTypeInfo(string name, Type clrType, FrozenSet<string> personalFields, string? subjectField)
    {
        Name = name;
        ClrType = clrType;
        PersonalFields = personalFields;
        SubjectField = subjectField;
    }

    public string Name { get; }
    public Type ClrType { get; }

    /// <summary>JSON names (camelCase) of the fields stored encrypted.</summary>
    public FrozenSet<string> PersonalFields { get; }

    /// <summary>JSON name of the field that names the data subject; set when <see cref="PersonalFields"/> is not empty.</summary>
    public string? SubjectField { get; }

    public bool HasPersonalData => PersonalFields.Count > 0;

    internal static EventTypeInfo Create(string name, Type type)
    {
        var naming = JsonNamingPolicy.CamelCase;
        var personal = new List<string>();
        string? subject = null;
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var jsonName = p.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name ?? naming.ConvertName(p.Name);
            var isPersonal = p.GetCustomAttribute<PersonalDataAttribute>() is not null;
            var isSubject = p.GetCustomAttribute<DataSubjectAttribute>() is not null;
            if ((isPersonal || isSubject) && p.PropertyType != typeof(string))
            {
                throw new InvalidOperationException($"{type.Name}.{p.Name}: personal data and data subject fields must be strings.");
            }

            if (isPersonal && isSubject)
            {
                throw new InvalidOperationException($"{type.Name}.{p.Name}: the data subject id cannot itself be personal data.");
            }

            if (isPersonal)
            {
                personal.Add(jsonName);
            }

            if (isSubject)
            {
                subject = subject is null ? jsonName : throw new InvalidOperationException($"{type.Name} has more than one [DataSubject].");
            }
        }

        if (personal.Count > 0 && subject is null)
        {
            throw new InvalidOperationException($"{type.Name} has personal data but no [DataSubject] property.");
        }

        return new EventTypeInfo(name, type, personal.ToFrozenSet(StringComparer.Ordinal), subject);
    }
}
