using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KoderId.Domain;

namespace KoderId.Application.Passkeys.WebAuthn;

/// <summary>What the registration ceremony expects (the options it issued and the tenant it runs for).</summary>
/// <param name="Origin">The tenant's origin, compared exactly with <c>clientData.origin</c>.</param>
/// <param name="RpId">The tenant's host; the authenticator data must carry SHA-256 of it.</param>
public sealed record RegistrationExpectations(byte[] Challenge, string Origin, string RpId, bool RequireUserVerification);

/// <summary>A verified new credential, ready to be stored (§7.1 step 27).</summary>
public sealed record VerifiedRegistration(
    byte[] CredentialId,
    byte[] PublicKeyCose,
    int Algorithm,
    uint SignCount,
    Guid Aaguid,
    bool UserVerified,
    bool BackupEligible,
    bool BackupState,
    string AttestationFormat,
    AttestationKind Attestation,
    IReadOnlyList<string> Transports);

/// <summary>What the authentication ceremony expects.</summary>
public sealed record AssertionExpectations(byte[] Challenge, string Origin, string RpId, bool RequireUserVerification);

/// <summary>The stored credential an assertion is checked against.</summary>
public sealed record StoredCredential(byte[] CredentialId, byte[] PublicKeyCose, uint SignCount, bool BackupEligible);

/// <summary>The members of an assertion (<c>PublicKeyCredential.toJSON()</c> of <c>navigator.credentials.get()</c>), decoded.</summary>
public sealed record AssertionResponse(byte[] CredentialId, byte[] ClientDataJson, byte[] AuthenticatorData, byte[] Signature, byte[]? UserHandle);

/// <summary>
/// A verified assertion. <see cref="CounterRegressed"/> is §7.2 step 22's signal that the authenticator may be
/// cloned: the signature is good but the counter did not move forward; the caller records it and refuses.
/// </summary>
public sealed record VerifiedAssertion(uint SignCount, bool UserVerified, bool BackupState, bool CounterRegressed);

/// <summary>
/// The relying-party checks of WebAuthn Level 3 §7.1 (registering a new credential) and §7.2 (verifying an
/// authentication assertion), step by step, with no I/O: the caller looks up the challenge and the credential and
/// stores the outcome. Every refusal is a <see cref="DomainException"/> with a KID134x code; malformed input
/// (<see cref="WebAuthnRefusals.IsMalformed"/>) is told apart from a response that merely fails to verify.
/// </summary>
public static class WebAuthnVerifier
{
    private static readonly string[] KnownTransports = ["ble", "hybrid", "internal", "nfc", "smart-card", "usb"];

    /// <summary>The challenge of a response's client data, to find the ceremony it belongs to before verifying it.</summary>
    public static byte[] ReadChallenge(JsonElement credential) =>
        ClientData.Parse(Bytes(Response(credential), "clientDataJSON", ClientData.MaxBytes + 1)).Challenge;

    /// <summary>§7.1: verifies a registration response (<c>PublicKeyCredential.toJSON()</c> of <c>navigator.credentials.create()</c>).</summary>
    public static VerifiedRegistration VerifyRegistration(JsonElement credential, RegistrationExpectations expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        // Steps 1-4: the credential's JSON, its type and its id.
        var (id, response) = Envelope(credential);
        var clientDataJson = Bytes(response, "clientDataJSON", ClientData.MaxBytes + 1);
        var attestationBytes = Bytes(response, "attestationObject", AttestationObject.MaxBytes + 1);

        // Steps 5-10: the client data.
        var clientData = ClientData.Parse(clientDataJson);
        CheckClientData(clientData, ClientData.CreateType, expected.Challenge, expected.Origin);

        // Step 11: the hash the attestation signs.
        var clientDataHash = SHA256.HashData(clientDataJson);

        // Step 12: the attestation object and the authenticator data inside it.
        var attestation = AttestationObject.Parse(attestationBytes);
        var authData = AuthenticatorData.Parse(attestation.AuthData);

        // Steps 13-16: rpIdHash, UP, UV, BE/BS.
        CheckAuthenticatorData(authData, expected.RpId, expected.RequireUserVerification);
        if (authData.Credential is not { } attested)
        {
            throw WebAuthnErrors.Malformed("the authenticator data has no attested credential data");
        }

        // The id the client reports is the one the authenticator made.
        if (!CryptographicOperations.FixedTimeEquals(id, attested.CredentialId))
        {
            throw new DomainException(DomainErrors.WebAuthnCredentialMismatch, "The credential id is not the one in the authenticator data.");
        }

        // Step 19: the algorithm is one the options offered (the COSE key parse refuses any other).
        if (!CoseAlgorithms.IsSupported(attested.PublicKey.Algorithm))
        {
            throw new DomainException(DomainErrors.WebAuthnUnsupportedAlgorithm, "The credential's algorithm was not offered.");
        }

        // Steps 21-22: the attestation statement; steps 23-24: no trust anchors are configured (ADR 0006), so any
        // verified statement is accepted and its kind is recorded. Step 25 (id length) is in the parse.
        var kind = AttestationVerifier.Verify(attestation, authData, clientDataHash);
        return new VerifiedRegistration(
            attested.CredentialId,
            attested.PublicKeyCose,
            attested.PublicKey.Algorithm,
            authData.SignCount,
            attested.Aaguid,
            authData.UserVerified,
            authData.BackupEligible,
            authData.BackupState,
            attestation.Format,
            kind,
            Transports(response));
    }

    /// <summary>Decodes an assertion's JSON; malformed input throws KID1343.</summary>
    public static AssertionResponse ReadAssertion(JsonElement credential)
    {
        var (id, response) = Envelope(credential);
        byte[]? userHandle = null;
        if (response.TryGetProperty("userHandle", out var uh) && uh.ValueKind == JsonValueKind.String)
        {
            userHandle = Base64UrlBytes.TryDecode(uh.GetString(), out var decoded) && decoded.Length <= 64
                ? decoded
                : throw WebAuthnErrors.Malformed("userHandle is not base64url of at most 64 bytes");
        }

        return new AssertionResponse(
            id,
            Bytes(response, "clientDataJSON", ClientData.MaxBytes + 1),
            Bytes(response, "authenticatorData", 4096),
            Bytes(response, "signature", 1024),
            userHandle is { Length: > 0 } ? userHandle : null);
    }

    /// <summary>
    /// §7.2 steps 11-22 for an assertion whose credential the caller has found (steps 5-10: allowCredentials,
    /// the user handle and the credential record are the caller's, it owns the lookup).
    /// </summary>
    public static VerifiedAssertion VerifyAssertion(AssertionResponse assertion, AssertionExpectations expected, StoredCredential stored)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(stored);
        if (!CryptographicOperations.FixedTimeEquals(assertion.CredentialId, stored.CredentialId))
        {
            throw new DomainException(DomainErrors.WebAuthnCredentialMismatch, "The assertion is for another credential.");
        }

        // Steps 9-14: the client data.
        var clientData = ClientData.Parse(assertion.ClientDataJson);
        CheckClientData(clientData, ClientData.GetAssertionType, expected.Challenge, expected.Origin);

        // Steps 15-17: rpIdHash, UP, UV.
        var authData = AuthenticatorData.Parse(assertion.AuthenticatorData);
        CheckAuthenticatorData(authData, expected.RpId, expected.RequireUserVerification);
        if (authData.Credential is not null)
        {
            throw WebAuthnErrors.Malformed("an assertion carries no attested credential data");
        }

        // Step 18: backup eligibility is fixed when the credential is made.
        if (authData.BackupEligible != stored.BackupEligible)
        {
            throw new DomainException(DomainErrors.WebAuthnBackupStateInvalid, "The backup eligibility differs from the registered one.");
        }

        // Steps 19-20: the signature over authenticatorData || SHA-256(clientDataJSON) with the stored key.
        var key = CoseKey.Parse(stored.PublicKeyCose);
        var signed = new byte[assertion.AuthenticatorData.Length + SHA256.HashSizeInBytes];
        assertion.AuthenticatorData.CopyTo(signed, 0);
        SHA256.HashData(assertion.ClientDataJson, signed.AsSpan(assertion.AuthenticatorData.Length));
        if (!key.Verify(signed, assertion.Signature))
        {
            throw new DomainException(DomainErrors.WebAuthnInvalidSignature, "The assertion signature does not verify.");
        }

        // Step 22: a counter that does not move forward (when either side is non-zero) may be a cloned authenticator.
        var regressed = (authData.SignCount != 0 || stored.SignCount != 0) && authData.SignCount <= stored.SignCount;
        return new VerifiedAssertion(authData.SignCount, authData.UserVerified, authData.BackupState, regressed);
    }

    private static void CheckClientData(ClientData clientData, string type, byte[] challenge, string origin)
    {
        if (!string.Equals(clientData.Type, type, StringComparison.Ordinal))
        {
            throw new DomainException(DomainErrors.WebAuthnWrongType, $"The client data type is not {type}.");
        }

        if (!CryptographicOperations.FixedTimeEquals(clientData.Challenge, challenge))
        {
            throw new DomainException(DomainErrors.WebAuthnChallengeMismatch, "The client data challenge is not the one issued.");
        }

        if (!string.Equals(clientData.Origin, origin, StringComparison.Ordinal))
        {
            throw new DomainException(DomainErrors.WebAuthnOriginMismatch, "The client data origin is not the tenant's origin.");
        }

        // Koder ID's pages are never framed (frame-ancestors 'none'), so a ceremony from inside a frame is refused.
        if (clientData.CrossOrigin || clientData.TopOrigin is not null)
        {
            throw new DomainException(DomainErrors.WebAuthnCrossOrigin, "The ceremony ran in a cross-origin frame.");
        }
    }

    private static void CheckAuthenticatorData(AuthenticatorData authData, string rpId, bool requireUserVerification)
    {
        var expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(rpId));
        if (!CryptographicOperations.FixedTimeEquals(authData.RpIdHash, expectedHash))
        {
            throw new DomainException(DomainErrors.WebAuthnRpIdMismatch, "The authenticator data is for another relying party.");
        }

        if (!authData.UserPresent)
        {
            throw new DomainException(DomainErrors.WebAuthnUserNotPresent, "The authenticator did not test user presence.");
        }

        if (requireUserVerification && !authData.UserVerified)
        {
            throw new DomainException(DomainErrors.WebAuthnUserNotVerified, "The authenticator did not verify the user.");
        }

        if (authData.BackupState && !authData.BackupEligible)
        {
            throw new DomainException(DomainErrors.WebAuthnBackupStateInvalid, "A credential that cannot be backed up reports being backed up.");
        }
    }

    private static (byte[] Id, JsonElement Response) Envelope(JsonElement credential)
    {
        if (credential.ValueKind != JsonValueKind.Object)
        {
            throw WebAuthnErrors.Malformed("the credential is not a JSON object");
        }

        if (!credential.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "public-key")
        {
            throw WebAuthnErrors.Malformed("the credential type is not public-key");
        }

        var id = Bytes(credential, "id", 1400);
        if (credential.TryGetProperty("rawId", out var rawId) && rawId.ValueKind != JsonValueKind.Undefined
            && !(Base64UrlBytes.TryDecode(rawId.GetString(), out var raw) && raw.AsSpan().SequenceEqual(id)))
        {
            throw WebAuthnErrors.Malformed("rawId is not id");
        }

        return (id, Response(credential));
    }

    private static JsonElement Response(JsonElement credential) =>
        credential.ValueKind == JsonValueKind.Object && credential.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object
            ? response
            : throw WebAuthnErrors.Malformed("the credential has no response object");

    /// <summary>A base64url member; longer than <paramref name="maxBytes"/> decoded is refused (the clientDataJSON bound keeps its own code).</summary>
    private static byte[] Bytes(JsonElement element, string name, int maxBytes)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw WebAuthnErrors.Malformed($"{name} is missing");
        }

        var text = value.GetString()!;
        if (text.Length > (maxBytes * 4 / 3) + 4)
        {
            if (name == "clientDataJSON")
            {
                throw new DomainException(DomainErrors.WebAuthnClientDataTooLarge, $"clientDataJSON is over {ClientData.MaxBytes} bytes.");
            }

            throw WebAuthnErrors.Malformed($"{name} is too long");
        }

        return Base64UrlBytes.TryDecode(text, out var bytes) && bytes.Length > 0 ? bytes : throw WebAuthnErrors.Malformed($"{name} is not base64url");
    }

    private static string[] Transports(JsonElement response) =>
        response.TryGetProperty("transports", out var transports) && transports.ValueKind == JsonValueKind.Array
            ? transports.EnumerateArray()
                .Where(t => t.ValueKind == JsonValueKind.String)
                .Select(t => t.GetString()!)
                .Where(t => KnownTransports.Contains(t, StringComparer.Ordinal))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToArray()
            : [];
}
