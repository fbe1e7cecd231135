using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Users;

// Every user event names its user as [DataSubject], also when it carries no personal data, so the audit
// model can be searched by subject. Personal fields are encrypted with that user's key (crypto-shredding).

[EventType("user.created.v1")]
public sealed record UserCreated(
    [property: DataSubject] string UserId,
    [property: PersonalData] string Username,
    [property: PersonalData] string? Email,
    bool EmailVerified,
    [property: PersonalData] string? GivenName = null,
    [property: PersonalData] string? FamilyName = null,
    [property: PersonalData] string? DisplayName = null,
    [property: PersonalData] string? Phone = null,
    string? PreferredLanguage = null);

/// <summary>
/// Replaces the whole profile: a field left out is cleared. Supersedes <c>user.profile-updated.v1</c>, whose
/// single free-form <c>name</c> is read as <see cref="DisplayName"/> (see <see cref="UserProfileUpdatedV1Upcaster"/>).
/// </summary>
[EventType("user.profile-updated.v2")]
public sealed record UserProfileUpdated(
    [property: DataSubject] string UserId,
    [property: PersonalData] string? GivenName = null,
    [property: PersonalData] string? FamilyName = null,
    [property: PersonalData] string? DisplayName = null,
    [property: PersonalData] string? Phone = null,
    string? PreferredLanguage = null);

[EventType("user.email-changed.v1")]
public sealed record UserEmailChanged(
    [property: DataSubject] string UserId,
    [property: PersonalData] string Email,
    bool EmailVerified);

/// <summary>
/// The user proved the address is theirs (the verification link, ADR 0006). <see cref="Email"/> is the address
/// proven: a later change makes it stale, so a reader never marks a newer address verified by mistake.
/// </summary>
[EventType("user.email-verified.v1")]
public sealed record UserEmailVerified(
    [property: DataSubject] string UserId,
    [property: PersonalData] string Email);

/// <summary>The user can no longer sign in; existing sessions are revoked by their own events.</summary>
[EventType("user.disabled.v1")]
public sealed record UserDisabled([property: DataSubject] string UserId, string? Reason = null);

[EventType("user.enabled.v1")]
public sealed record UserEnabled([property: DataSubject] string UserId);

/// <summary>A soft delete: the account is gone for sign-in and lists, its username and email are released.</summary>
[EventType("user.deleted.v1")]
public sealed record UserDeleted([property: DataSubject] string UserId);

/// <summary>
/// The user's personal data is erased (right to erasure): the subject key is destroyed right after this
/// event, so every personal field of every earlier event reads as <see cref="PersonalData.Erased"/>.
/// </summary>
[EventType("user.erased.v1")]
public sealed record UserErased([property: DataSubject] string UserId);

/// <summary>
/// A soft-deleted user is back: username and email are claimed again. <see cref="Disabled"/> says whether the
/// account returns disabled (it was disabled when deleted), so a restore never silently re-enables sign-in.
/// </summary>
[EventType("user.restored.v1")]
public sealed record UserRestored([property: DataSubject] string UserId, bool Disabled);

/// <summary>
/// Too many failed sign-ins (ADR 0006): every authenticating path refuses the user until <see cref="Until"/>.
/// <see cref="LockNumber"/> counts consecutive locks (the backoff doubles with each); the failures themselves are
/// counters outside the log, never events.
/// </summary>
[EventType("user.locked-out.v1")]
public sealed record UserLockedOut([property: DataSubject] string UserId, DateTimeOffset Until, int FailedAttempts, int LockNumber);

/// <summary>An administrator lifted the lock before it expired; the backoff starts again from the first lock.</summary>
[EventType("user.unlocked.v1")]
public sealed record UserUnlocked([property: DataSubject] string UserId);

/// <summary>
/// The user signs in through an external identity provider as this subject there: kept from an import (a
/// Zitadel IdP link, ADR 0007) so the link survives the migration. <see cref="IdpId"/> is the provider's id
/// in the system the link came from.
/// </summary>
[EventType("user.external-identity-linked.v1")]
public sealed record UserExternalIdentityLinked(
    [property: DataSubject] string UserId,
    string IdpId,
    [property: PersonalData] string ExternalUserId,
    [property: PersonalData] string? DisplayName = null);

/// <summary>
/// A metadata entry of the user is set (created or replaced): an application-defined key and its value, the
/// bytes base64-encoded. The value is personal data (it is erased with the user); the key is not, so it must not
/// carry personal data itself (keys are names such as <c>department</c>, as in Zitadel).
/// </summary>
[EventType("user.metadata-set.v1")]
public sealed record UserMetadataSet(
    [property: DataSubject] string UserId,
    string Key,
    [property: PersonalData] string Value);

/// <summary>A metadata entry of the user is removed.</summary>
[EventType("user.metadata-removed.v1")]
public sealed record UserMetadataRemoved([property: DataSubject] string UserId, string Key);
