using System.Text.Json;
using System.Text.Json.Serialization;

namespace KoderId.Application.Flows;

/// <summary>
/// A flow as the transient store keeps it (kind <c>flow</c>, ADR 0006). Not secret by itself: factors seal or hash
/// what they keep in <see cref="Challenges"/>. <see cref="Decoy"/> marks a flow for a name that is no active user:
/// it offers the steps an ordinary user would have and no answer ever succeeds. <see cref="Name"/> is the name the flow
/// was started for (the <c>webauthn</c> step derives a decoy's made-up credential ids from it).
/// </summary>
internal sealed record FlowState(
    string? UserId,
    bool Decoy,
    bool Usernameless,
    IReadOnlyList<string> Steps,
    IReadOnlyList<string> Completed,
    IReadOnlyList<string> Amr,
    bool FirstFactorDone,
    IReadOnlyDictionary<string, string> Challenges,
    int Failures,
    DateTimeOffset ExpiresAt,
    string? Name = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static FlowState? Deserialize(byte[] value)
    {
        try
        {
            return JsonSerializer.Deserialize<FlowState>(value, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
