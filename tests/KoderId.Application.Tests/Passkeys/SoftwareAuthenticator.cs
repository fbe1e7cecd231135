using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using KoderId.Application.Passkeys.WebAuthn;

namespace KoderId.Application.Tests.Passkeys;

/// <summary>
/// A software ES256 authenticator and client in one, for ceremony tests: answers creation and request options as a
/// browser would (clientDataJSON with the page's origin, <c>none</c> attestation, a discoverable credential), with
/// switches to misbehave (another origin or RP ID, no UV, a counter that goes backwards).
/// </summary>
internal sealed class SoftwareAuthenticator : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public SoftwareAuthenticator(string origin)
    {
        Origin = origin;
    }

    public string Origin { get; set; }

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(16);

    public byte[]? UserHandle { get; private set; }

    public uint Counter { get; set; }

    public bool UserVerified { get; set; } = true;

    /// <summary>The RP ID the authenticator scopes to; the options' when null.</summary>
    public string? RpIdOverride { get; set; }

    public JsonObject Create(JsonObject options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rpId = RpIdOverride ?? options["rp"]!["id"]!.GetValue<string>();
        Base64UrlBytes.TryDecode(options["user"]!["id"]!.GetValue<string>(), out var handle);
        UserHandle = handle;
        var clientData = ClientDataJson("webauthn.create", options["challenge"]!.GetValue<string>());
        var p = _key.ExportParameters(false);
        var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cose.WriteStartMap(5);
        cose.WriteInt32(1);
        cose.WriteInt32(2);
        cose.WriteInt32(3);
        cose.WriteInt32(-7);
        cose.WriteInt32(-1);
        cose.WriteInt32(1);
        cose.WriteInt32(-2);
        cose.WriteByteString(p.Q.X!);
        cose.WriteInt32(-3);
        cose.WriteByteString(p.Q.Y!);
        cose.WriteEndMap();
        byte[] attested = [.. new byte[16], (byte)(CredentialId.Length >> 8), (byte)CredentialId.Length, .. CredentialId, .. cose.Encode()];
        var authData = AuthData(rpId, 0x41, attested);
        var attestation = new CborWriter(CborConformanceMode.Ctap2Canonical);
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt");
        attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt");
        attestation.WriteStartMap(0);
        attestation.WriteEndMap();
        attestation.WriteTextString("authData");
        attestation.WriteByteString(authData);
        attestation.WriteEndMap();
        return new JsonObject
        {
            ["id"] = Base64UrlBytes.Encode(CredentialId),
            ["rawId"] = Base64UrlBytes.Encode(CredentialId),
            ["type"] = "public-key",
            ["response"] = new JsonObject
            {
                ["clientDataJSON"] = Base64UrlBytes.Encode(clientData),
                ["attestationObject"] = Base64UrlBytes.Encode(attestation.Encode()),
                ["transports"] = new JsonArray("internal"),
            },
            ["authenticatorAttachment"] = "platform",
            ["clientExtensionResults"] = new JsonObject { ["credProps"] = new JsonObject { ["rk"] = true } },
        };
    }

    /// <param name="publicKey">The request options (<c>publicKey</c> member of the challenge answer).</param>
    public JsonObject Get(JsonObject publicKey, bool sendUserHandle = true)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var rpId = RpIdOverride ?? publicKey["rpId"]!.GetValue<string>();
        var clientData = ClientDataJson("webauthn.get", publicKey["challenge"]!.GetValue<string>());
        Counter++;
        var authData = AuthData(rpId, 0x01, []);
        byte[] signed = [.. authData, .. SHA256.HashData(clientData)];
        var signature = _key.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var response = new JsonObject
        {
            ["clientDataJSON"] = Base64UrlBytes.Encode(clientData),
            ["authenticatorData"] = Base64UrlBytes.Encode(authData),
            ["signature"] = Base64UrlBytes.Encode(signature),
        };
        if (sendUserHandle && UserHandle is not null)
        {
            response["userHandle"] = Base64UrlBytes.Encode(UserHandle);
        }

        return new JsonObject
        {
            ["id"] = Base64UrlBytes.Encode(CredentialId),
            ["rawId"] = Base64UrlBytes.Encode(CredentialId),
            ["type"] = "public-key",
            ["response"] = response,
            ["clientExtensionResults"] = new JsonObject(),
        };
    }

    public void Dispose() => _key.Dispose();

    private byte[] ClientDataJson(string type, string challenge) =>
        Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["challenge"] = challenge, ["origin"] = Origin, ["crossOrigin"] = false }.ToJsonString());

    private byte[] AuthData(string rpId, byte flags, byte[] attested)
    {
        var counter = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(counter, Counter);
        var f = (byte)(flags | (UserVerified ? 0x04 : 0));
        return [.. SHA256.HashData(Encoding.UTF8.GetBytes(rpId)), f, .. counter, .. attested];
    }
}
