namespace KoderId.EventSourcing.Serialization;

/// <summary>The versioned wire name of an event record, e.g. <c>user.created.v1</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EventTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Marks a string property as personal data: stored encrypted with the data subject's key, unreadable once the key is erased.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PersonalDataAttribute : Attribute;

/// <summary>Marks the string property naming whose personal data the event carries (usually the user id).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DataSubjectAttribute : Attribute;

/// <summary>Rewrites the JSON of one stored event type into the next version. Applied on read, in a chain.</summary>
public interface IEventUpcaster
{
    string FromType { get; }
    string ToType { get; }
    System.Text.Json.Nodes.JsonObject Upcast(System.Text.Json.Nodes.JsonObject data);
}

public static class PersonalData
{
    /// <summary>What a personal field reads as once its subject's key is erased.</summary>
    public const string Erased = "[erased]";

    /// <summary>Prefix of an encrypted personal field as it is stored: <c>kid:enc:v1:</c> + base64(nonce | tag | ciphertext).</summary>
    public const string EncryptedPrefix = "kid:enc:v1:";
}
