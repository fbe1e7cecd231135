using System.Text.Json.Nodes;
using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Users;

/// <summary>
/// <c>user.profile-updated.v1</c> carried one free-form <c>name</c> and a <c>locale</c>; v2 follows the OIDC
/// standard claims (given / family / display name, preferred language). The old name becomes the display name.
/// </summary>
/// <remarks>
/// Upcasters run on the stored JSON, before decryption, so a personal field is still ciphertext here: it can
/// be moved to another field (the key binds tenant and subject, not the field) but never parsed or split.
/// That is why <c>name</c> is not split into given and family names.
/// </remarks>
public sealed class UserProfileUpdatedV1Upcaster : IEventUpcaster
{
    public string FromType => "user.profile-updated.v1";

    public string ToType => "user.profile-updated.v2";

    public JsonObject Upcast(JsonObject data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var v2 = new JsonObject { ["userId"] = data["userId"]?.DeepClone() };
        if (data["name"] is { } name)
        {
            v2["displayName"] = name.DeepClone();
        }

        if (data["locale"] is { } locale)
        {
            v2["preferredLanguage"] = locale.DeepClone();
        }

        return v2;
    }
}
