using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Mfa;

/// <summary>
/// A TOTP enrolment began (ADR 0006): the RFC 4648 base32 secret the user's authenticator app will share, pending
/// until a code from it confirms it (<see cref="TotpEnrolled"/>). The secret is encrypted with the user's key, so
/// erasing the user makes it unreadable; it never reaches a log line (see <see cref="ToString"/>).
/// </summary>
[EventType("mfa.totp-enrolment-started.v1")]
public sealed record TotpEnrolmentStarted(
    [property: DataSubject] string UserId,
    [property: PersonalData] string Secret)
{
    public override string ToString() => $"TotpEnrolmentStarted {{ UserId = {UserId}, Secret = [redacted] }}";
}

/// <summary>The pending secret is now the user's TOTP: confirmed by a code, or imported from another system.</summary>
/// <param name="Source"><see cref="TotpSources"/>: <c>confirmation</c> (a code proved it) or <c>import</c> (a migration enrolled it).</param>
/// <param name="TimeStep">The RFC 6238 time step of the confirming code; that code and any earlier one are spent. Absent for an import.</param>
[EventType("mfa.totp-enrolled.v1")]
public sealed record TotpEnrolled([property: DataSubject] string UserId, string Source, long? TimeStep = null);

/// <summary>
/// A TOTP code was accepted (a sign-in step or a re-authentication). <see cref="TimeStep"/> is the RFC 6238 step
/// (Unix time / 30) it matched: a code of this step or any earlier one is refused from now on, so a code is used once.
/// </summary>
[EventType("mfa.totp-code-used.v1")]
public sealed record TotpCodeUsed([property: DataSubject] string UserId, long TimeStep);

/// <param name="Reason"><see cref="TotpRemovalReasons"/>: the user removed it (after re-authenticating) or an administrator did.</param>
[EventType("mfa.totp-removed.v1")]
public sealed record TotpRemoved([property: DataSubject] string UserId, string Reason);

/// <summary>
/// A new set of recovery codes replaces any earlier one. Only their hashes are stored: base64url (no padding)
/// SHA-256 of the normalised code. The codes are 160-bit random values, so a fast hash is enough (ARCHITECTURE §5).
/// </summary>
[EventType("mfa.recovery-codes-generated.v1")]
public sealed record RecoveryCodesGenerated([property: DataSubject] string UserId, IReadOnlyList<string> CodeHashes)
{
    public bool Equals(RecoveryCodesGenerated? other) =>
        other is not null && UserId == other.UserId && CodeHashes.SequenceEqual(other.CodeHashes, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(UserId, CodeHashes.Count);
}

/// <param name="Index">Which code of the current set (0-based position in <see cref="RecoveryCodesGenerated.CodeHashes"/>) was spent.</param>
[EventType("mfa.recovery-code-used.v1")]
public sealed record RecoveryCodeUsed([property: DataSubject] string UserId, int Index);

/// <summary>The values of <see cref="TotpEnrolled.Source"/>.</summary>
public static class TotpSources
{
    public const string Confirmation = "confirmation";
    public const string Import = "import";
}

/// <summary>The values of <see cref="TotpRemoved.Reason"/>.</summary>
public static class TotpRemovalReasons
{
    public const string User = "user";
    public const string Admin = "admin";
}
