using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Passkeys;

// A user's WebAuthn credentials (stream passkeys-{tenant}-{user}, ADR 0006). Credential ids and public keys are
// base64url without padding; they identify an authenticator key, not a person, so only the name the user gave
// is personal data. The user id is the data subject of every event.

/// <param name="CredentialId">The credential id the authenticator made (base64url), unique in the tenant.</param>
/// <param name="PublicKey">The credential public key as the authenticator encoded it (COSE_Key, base64url).</param>
/// <param name="Algorithm">The COSE algorithm: -7 (ES256), -8 (EdDSA) or -257 (RS256).</param>
/// <param name="Aaguid">The authenticator model's AAGUID; all zeros for a <c>none</c> attestation that hides it.</param>
/// <param name="Transports">What the client reported it can reach the authenticator by (<c>internal</c>, <c>usb</c>, <c>hybrid</c>, ...).</param>
/// <param name="BackupEligible">BE: the credential may be synced (a multi-device passkey); fixed for its life.</param>
/// <param name="BackupState">BS: it was backed up when registered.</param>
/// <param name="Discoverable">The client reported a resident (discoverable) credential, usable without a username.</param>
/// <param name="UserVerified">UV was set at registration.</param>
/// <param name="AttestationFormat"><c>none</c> or <c>packed</c>.</param>
/// <param name="Attestation"><c>none</c>, <c>self</c> or <c>basic</c> (an x5c certificate, not checked against a root: ADR 0006).</param>
[EventType("passkey.registered.v1")]
public sealed record PasskeyRegistered(
    string CredentialId,
    [property: DataSubject] string UserId,
    string PublicKey,
    int Algorithm,
    long SignCount,
    string Aaguid,
    IReadOnlyList<string> Transports,
    bool BackupEligible,
    bool BackupState,
    bool Discoverable,
    [property: PersonalData] string Name,
    bool UserVerified,
    string AttestationFormat,
    string Attestation)
{
    public bool Equals(PasskeyRegistered? other) =>
        other is not null && CredentialId == other.CredentialId && UserId == other.UserId && PublicKey == other.PublicKey
        && Algorithm == other.Algorithm && SignCount == other.SignCount && Aaguid == other.Aaguid && Transports.SequenceEqual(other.Transports)
        && BackupEligible == other.BackupEligible && BackupState == other.BackupState && Discoverable == other.Discoverable
        && Name == other.Name && UserVerified == other.UserVerified && AttestationFormat == other.AttestationFormat && Attestation == other.Attestation;

    public override int GetHashCode() => HashCode.Combine(CredentialId, UserId, PublicKey, SignCount);
}

/// <summary>A successful sign-in with the credential: its new signature counter and backup state (§7.2 steps 24-25).</summary>
[EventType("passkey.used.v1")]
public sealed record PasskeyUsed(string CredentialId, [property: DataSubject] string UserId, long SignCount, bool BackupState, bool UserVerified);

/// <summary>
/// §7.2 step 22: an assertion with a valid signature whose counter did not move past the stored one — a sign the
/// authenticator may have been cloned. The sign-in was refused; the stored counter is unchanged.
/// </summary>
[EventType("passkey.counter-regression-detected.v1")]
public sealed record PasskeyCounterRegressionDetected(string CredentialId, [property: DataSubject] string UserId, long StoredSignCount, long PresentedSignCount);

[EventType("passkey.renamed.v1")]
public sealed record PasskeyRenamed(string CredentialId, [property: DataSubject] string UserId, [property: PersonalData] string Name);

/// <param name="Reason"><c>user</c> (self-service) or <c>admin</c>.</param>
[EventType("passkey.removed.v1")]
public sealed record PasskeyRemoved(string CredentialId, [property: DataSubject] string UserId, string Reason);
