using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using KoderId.Application.Passkeys.WebAuthn;

namespace KoderId.Application.Passkeys;

/// <summary>
/// The key the decoy credential ids are derived with (a server secret every node shares). The host derives it from
/// its key-encryption key, so there is no second key to keep.
/// </summary>
public interface IPasskeyDecoyKey
{
    /// <summary>32 bytes; the same on every node and across restarts, or decoys would change and give themselves away.</summary>
    ReadOnlyMemory<byte> Key { get; }
}

/// <summary>
/// Made-up <c>allowCredentials</c> for a named flow whose user has no passkey, or is no user at all (WebAuthn L3
/// §14.6.2, username enumeration): derived with HMAC-SHA-256 from the tenant and the name (or, for a real user, the
/// user id, so the username and the email give the same list), so the same name gets the same list every time.
/// One to three entries (5/8, 1/4, 1/8), ids of 16, 20, 32 or 64 bytes and the transports browsers report, as real
/// passkeys look. An assertion for one of them finds no owner and fails like any wrong answer.
/// </summary>
public static class PasskeyDecoys
{
    private static readonly int[] IdLengths = [16, 20, 32, 64];

    // As PublicKeyCredential.getTransports() reports them (sorted): platform, synced with a phone, security keys.
    private static readonly string[][] TransportSets = [["hybrid", "internal"], ["internal"], ["nfc", "usb"], ["usb"]];

    /// <summary>The seed of an unknown name: trimmed and lower-cased as the users read model keys a username.</summary>
    public static string ForName(string name) => "name:" + (name ?? "").Trim().ToLowerInvariant();

    /// <summary>The seed of a real user without a passkey.</summary>
    public static string ForUser(string userId) => "user:" + userId;

    public static IReadOnlyList<JsonObject> Descriptors(ReadOnlySpan<byte> key, string tenantId, string seed)
    {
        var prk = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("koderid/passkey-decoys/v1\n" + tenantId + "\n" + seed));
        var shape = HKDF.Expand(HashAlgorithmName.SHA256, prk, 1 + (2 * 3), Encoding.ASCII.GetBytes("shape"));
        var count = shape[0] switch { < 160 => 1, < 224 => 2, _ => 3 };
        var descriptors = new List<JsonObject>(count);
        for (var i = 0; i < count; i++)
        {
            var length = IdLengths[shape[1 + (2 * i)] % IdLengths.Length];
            var id = HKDF.Expand(HashAlgorithmName.SHA256, prk, length, Encoding.ASCII.GetBytes("id/" + i));
            var transports = TransportSets[shape[2 + (2 * i)] % TransportSets.Length];
            descriptors.Add(BeginPasskeyRegistrationHandler.Descriptor(Base64UrlBytes.Encode(id), transports));
        }

        return descriptors;
    }
}
