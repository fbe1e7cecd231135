using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Passkeys.WebAuthn;

namespace KoderId.Application.Tests.Passkeys;

/// <summary>The W3C WebAuthn L3 §16 test vectors (webauthn-l3-test-vectors.json) as credentials the verifier reads.</summary>
internal static class SpecVectors
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Passkeys", "webauthn-l3-test-vectors.json"))).RootElement);

    public static string RpId => Root.Value.GetProperty("rpId").GetString()!;

    public static string Origin => Root.Value.GetProperty("origin").GetString()!;

    public static IEnumerable<string> Names => Root.Value.GetProperty("vectors").EnumerateArray().Select(v => v.GetProperty("name").GetString()!);

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var name in Names)
        {
            data.Add(name);
        }

        return data;
    }

    public static JsonElement Vector(string name) =>
        Root.Value.GetProperty("vectors").EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);

    public static JsonElement CrossOrigin => Root.Value.GetProperty("crossOriginRegistration");

    public static byte[] Hex(JsonElement e, string property) => Convert.FromHexString(e.GetProperty(property).GetString()!);

    public static string B64(byte[] bytes) => Base64UrlBytes.Encode(bytes);

    public static JsonObject Registration(JsonElement registration, byte[]? clientData = null, byte[]? attestationObject = null, byte[]? id = null) => new()
    {
        ["id"] = B64(id ?? Hex(registration, "credentialId")),
        ["rawId"] = B64(id ?? Hex(registration, "credentialId")),
        ["type"] = "public-key",
        ["response"] = new JsonObject
        {
            ["clientDataJSON"] = B64(clientData ?? Hex(registration, "clientDataJSON")),
            ["attestationObject"] = B64(attestationObject ?? Hex(registration, "attestationObject")),
            ["transports"] = new JsonArray("usb", "carrier-pigeon"),
        },
        ["clientExtensionResults"] = new JsonObject(),
    };

    public static JsonObject Assertion(byte[] credentialId, JsonElement authentication, byte[]? clientData = null, byte[]? authenticatorData = null, byte[]? signature = null) => new()
    {
        ["id"] = B64(credentialId),
        ["rawId"] = B64(credentialId),
        ["type"] = "public-key",
        ["response"] = new JsonObject
        {
            ["clientDataJSON"] = B64(clientData ?? Hex(authentication, "clientDataJSON")),
            ["authenticatorData"] = B64(authenticatorData ?? Hex(authentication, "authenticatorData")),
            ["signature"] = B64(signature ?? Hex(authentication, "signature")),
        },
    };

    public static JsonElement Json(JsonObject o) => JsonDocument.Parse(o.ToJsonString()).RootElement;
}
