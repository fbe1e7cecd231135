using System.Buffers.Text;
using System.Text.Json;

namespace KoderId.Application.Passkeys.WebAuthn;

/// <summary>
/// The parsed <c>clientDataJSON</c> (WebAuthn L3 §5.8.1). Parsed as JSON, never compared with a template, and
/// bounded: a client that sends more than <see cref="MaxBytes"/> is refused before parsing.
/// </summary>
public sealed record ClientData(string Type, byte[] Challenge, string Origin, bool CrossOrigin, string? TopOrigin)
{
    /// <summary>Browsers send a few hundred bytes; 4 KiB leaves room for extensions and refuses a body meant to waste memory.</summary>
    public const int MaxBytes = 4096;

    public const string CreateType = "webauthn.create";
    public const string GetAssertionType = "webauthn.get";

    public static ClientData Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxBytes)
        {
            throw WebAuthnErrors.Refused(KoderId.Domain.DomainErrors.WebAuthnClientDataTooLarge, $"clientDataJSON is over {MaxBytes} bytes.");
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw WebAuthnErrors.Malformed("clientDataJSON is not an object");
            }

            var type = RequiredString(root, "type");
            var challengeText = RequiredString(root, "challenge");
            var origin = RequiredString(root, "origin");
            var crossOrigin = root.TryGetProperty("crossOrigin", out var co) && co.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False or JsonValueKind.Null => false,
                _ => throw WebAuthnErrors.Malformed("crossOrigin is not a boolean"),
            };
            string? topOrigin = root.TryGetProperty("topOrigin", out var top) && top.ValueKind == JsonValueKind.String ? top.GetString() : null;
            if (!Base64UrlBytes.TryDecode(challengeText, out var challenge) || challenge.Length == 0)
            {
                throw WebAuthnErrors.Malformed("the challenge is not base64url");
            }

            return new ClientData(type, challenge, origin, crossOrigin, topOrigin);
        }
        catch (JsonException)
        {
            throw WebAuthnErrors.Malformed("clientDataJSON is not JSON");
        }
    }

    private static string RequiredString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw WebAuthnErrors.Malformed($"clientDataJSON has no string {name}");
}

/// <summary>base64url without padding (RFC 4648 §5), the encoding of every binary member of WebAuthn's JSON.</summary>
public static class Base64UrlBytes
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>Decodes unpadded base64url; padding is tolerated since some clients add it.</summary>
    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null)
        {
            return false;
        }

        var trimmed = text.TrimEnd('=');
        if (!Base64Url.IsValid(trimmed))
        {
            return false;
        }

        try
        {
            bytes = Base64Url.DecodeFromChars(trimmed);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
