using System.Collections.Immutable;
using System.Globalization;
using System.Net.Mail;
using System.Text;
using System.Text.RegularExpressions;
using KoderId.Events.Credentials;
using KoderId.Events.Tenants;
using KoderId.Events.Users;

namespace KoderId.Domain.Users;

public enum UserStatus
{
    None,
    Active,
    Disabled,
    Deleted,
    Erased,
}

/// <summary>The OIDC standard-claim fields an administrator or the user edits.</summary>
public sealed record UserProfile(
    string? GivenName = null,
    string? FamilyName = null,
    string? DisplayName = null,
    string? Phone = null,
    string? PreferredLanguage = null)
{
    public static readonly UserProfile Empty = new();
}

/// <summary>One field of a patch: absent (null <see cref="Nullable{T}"/>) leaves it, a value sets it, <c>To(null)</c> clears it.</summary>
public readonly record struct FieldChange(string? Value)
{
    public static FieldChange To(string? value) => new(value);
}

/// <summary>A JSON-merge-patch shaped change of the profile: fields left null are unchanged.</summary>
public sealed record UserProfilePatch(
    FieldChange? GivenName = null,
    FieldChange? FamilyName = null,
    FieldChange? DisplayName = null,
    FieldChange? Phone = null,
    FieldChange? PreferredLanguage = null)
{
    public UserProfile ApplyTo(UserProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return new UserProfile(
            GivenName is { } g ? g.Value : profile.GivenName,
            FamilyName is { } f ? f.Value : profile.FamilyName,
            DisplayName is { } d ? d.Value : profile.DisplayName,
            Phone is { } p ? p.Value : profile.Phone,
            PreferredLanguage is { } l ? l.Value : profile.PreferredLanguage);
    }
}

/// <summary>
/// A user as its stream folds it. Disabled and deleted are independent flags so a restore brings back a
/// disabled account disabled. An email is pending while <see cref="EmailVerified"/> is false.
/// </summary>
public sealed record UserState(
    string UserId,
    string Username,
    string? Email,
    bool EmailVerified,
    UserProfile Profile,
    bool Created,
    bool Disabled,
    bool Deleted,
    bool Erased,
    StoredPassword? Password = null,
    UserLock? Lock = null)
{
    public static readonly UserState Initial = new("", "", null, false, UserProfile.Empty, false, false, false, false);

    public bool Exists => Created;

    /// <summary>The external identities linked to the account (<c>user.external-identity-linked.v1</c>).</summary>
    public IReadOnlyList<ExternalIdentity> ExternalIdentities { get; init; } = [];

    /// <summary>The user's metadata: key to the value's bytes, base64-encoded as the events carry them, ordered by key.</summary>
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    public bool HasPassword => Password is not null;

    public UserStatus Status =>
        !Created ? UserStatus.None
        : Erased ? UserStatus.Erased
        : Deleted ? UserStatus.Deleted
        : Disabled ? UserStatus.Disabled
        : UserStatus.Active;
}

/// <summary>The user's lock: until when, and which lock in a row it is (the backoff doubles with each).</summary>
public sealed record UserLock(DateTimeOffset Until, int LockNumber);
/// <summary>A subject at an external identity provider the user signs in as.</summary>
public sealed record ExternalIdentity(string IdpId, string ExternalUserId, string? DisplayName);

/// <summary>
/// The user's password verifier: a PHC string (never the password). <see cref="ToString"/> leaves the string
/// out, so a state or event dump in a log or a test failure never shows it.
/// </summary>
public sealed record StoredPassword(string Phc, bool ChangeRequired)
{
    public override string ToString() => $"StoredPassword {{ Phc = [redacted], ChangeRequired = {ChangeRequired} }}";
}

/// <summary>
/// Decisions on a user. Each returns the events to append, none when the user is already as asked
/// (disabling a disabled user, as Keycloak and Zitadel do), or throws a <see cref="DomainException"/>.
/// </summary>
public static partial class User
{
    public const string UsernameScope = "username";
    public const string EmailScope = "email";
    public const int MaxUsernameLength = 64;
    public const int MaxUserIdLength = 64;
    public const int MaxEmailLength = 254;
    public const int MaxNameLength = 200;
    public const int MaxReasonLength = 500;
    public const int MaxMetadataKeyLength = 200;
    public const int MaxMetadataValueBytes = 16 * 1024;
    public const int MaxMetadataEntries = 200;

    public static UserState Evolve(UserState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            UserCreated e => new UserState(
                e.UserId, e.Username, e.Email, e.EmailVerified,
                new UserProfile(e.GivenName, e.FamilyName, e.DisplayName, e.Phone, e.PreferredLanguage),
                Created: true, Disabled: false, Deleted: false, Erased: false),
            UserProfileUpdated e => state with { Profile = new UserProfile(e.GivenName, e.FamilyName, e.DisplayName, e.Phone, e.PreferredLanguage) },
            UserEmailChanged e => state with { Email = e.Email, EmailVerified = e.EmailVerified },
            UserEmailVerified e => string.Equals(e.Email, state.Email, StringComparison.Ordinal) ? state with { EmailVerified = true } : state,
            UserDisabled => state with { Disabled = true },
            UserEnabled => state with { Disabled = false },
            UserDeleted => state with { Deleted = true },
            UserRestored e => state with { Deleted = false, Disabled = e.Disabled },
            UserErased => state with { Erased = true, Username = "", Email = null, EmailVerified = false, Profile = UserProfile.Empty, Password = null, ExternalIdentities = [], Metadata = state.Metadata.Clear() },
            UserExternalIdentityLinked e => state with { ExternalIdentities = [.. state.ExternalIdentities, new ExternalIdentity(e.IdpId, e.ExternalUserId, e.DisplayName)] },
            UserMetadataSet e => state with { Metadata = state.Metadata.SetItem(e.Key, e.Value) },
            UserMetadataRemoved e => state with { Metadata = state.Metadata.Remove(e.Key) },
            UserPasswordSet e => state with { Password = new StoredPassword(e.PasswordHash, e.ChangeRequired) },
            UserLockedOut e => state with { Lock = new UserLock(e.Until, e.LockNumber) },
            UserUnlocked => state with { Lock = null },
            _ => state,
        };
    }

    /// <summary>The values this user holds unique in its tenant: a live (or disabled) user holds its username and email; a deleted or erased one holds none.</summary>
    public static IReadOnlyList<UniqueKey> UniqueKeys(UserState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Created || state.Deleted || state.Erased)
        {
            return [];
        }

        var keys = new List<UniqueKey>(2) { new(UsernameScope, UsernameKey(state.Username)) };
        if (!string.IsNullOrEmpty(state.Email))
        {
            keys.Add(new UniqueKey(EmailScope, EmailKey(state.Email)));
        }

        return keys;
    }

    public static IReadOnlyList<object> Create(UserState state, string userId, string username, string? email, bool emailVerified, UserProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!IsValidUserId(userId))
        {
            throw new DomainException(DomainErrors.UserInvalidId, $"A user id is 1 to {MaxUserIdLength} letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }

        if (state.Created)
        {
            throw new DomainException(DomainErrors.UserIdTaken, "A user with this id already exists.");
        }

        var name = NormalizeUsername(username);
        var address = email is null ? null : NormalizeEmail(email);
        var p = ValidProfile(profile ?? UserProfile.Empty);
        return [new UserCreated(userId, name, address, address is not null && emailVerified, p.GivenName, p.FamilyName, p.DisplayName, p.Phone, p.PreferredLanguage)];
    }

    public static IReadOnlyList<object> UpdateProfile(UserState state, UserProfilePatch patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        EnsureLive(state);
        var next = ValidProfile(patch.ApplyTo(state.Profile));
        return next == state.Profile
            ? []
            : [new UserProfileUpdated(state.UserId, next.GivenName, next.FamilyName, next.DisplayName, next.Phone, next.PreferredLanguage)];
    }

    /// <summary>
    /// A new address, pending (<paramref name="verified"/> false) until <see cref="VerifyEmail"/>; an
    /// administrator who vouches for it may set it verified at once. The new address is claimed at once so
    /// nobody else can take it while it is pending.
    /// </summary>
    public static IReadOnlyList<object> ChangeEmail(UserState state, string email, bool verified)
    {
        EnsureLive(state);
        var address = NormalizeEmail(email);
        if (string.Equals(address, state.Email, StringComparison.Ordinal) && state.EmailVerified == verified)
        {
            return [];
        }

        return [new UserEmailChanged(state.UserId, address, verified)];
    }

    /// <summary>Confirms the address a verification was sent to; refused when the address has changed since.</summary>
    public static IReadOnlyList<object> VerifyEmail(UserState state, string email)
    {
        EnsureLive(state);
        if (state.Disabled)
        {
            throw new DomainException(DomainErrors.UserDisabled, "The user is disabled.");
        }

        if (string.IsNullOrEmpty(state.Email))
        {
            throw new DomainException(DomainErrors.UserNoEmail, "The user has no email address to verify.");
        }

        if (email is null || !string.Equals(EmailKey(email.Trim()), EmailKey(state.Email), StringComparison.Ordinal))
        {
            throw new DomainException(DomainErrors.UserEmailMismatch, "The address verified is not the user's current address.");
        }

        return state.EmailVerified ? [] : [new UserEmailVerified(state.UserId, state.Email)];
    }

    public static IReadOnlyList<object> Disable(UserState state, string? reason = null)
    {
        EnsureLive(state);
        var trimmed = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (trimmed is { Length: > MaxReasonLength } || (trimmed is not null && trimmed.Any(char.IsControl)))
        {
            throw new DomainException(DomainErrors.UserInvalidProfile, $"A reason is at most {MaxReasonLength} printable characters.");
        }

        return state.Disabled ? [] : [new UserDisabled(state.UserId, trimmed)];
    }

    public static IReadOnlyList<object> Enable(UserState state)
    {
        EnsureLive(state);
        return state.Disabled ? [new UserEnabled(state.UserId)] : [];
    }

    /// <summary>A soft delete: no sign-in, not listed as live, username and email released; <see cref="Restore"/> undoes it.</summary>
    public static IReadOnlyList<object> Delete(UserState state)
    {
        EnsureNotErased(state);
        return state.Deleted ? [] : [new UserDeleted(state.UserId)];
    }

    public static IReadOnlyList<object> Restore(UserState state)
    {
        EnsureNotErased(state);
        return state.Deleted ? [new UserRestored(state.UserId, state.Disabled)] : [];
    }

    /// <summary>Right to erasure: allowed for a live or deleted user; the caller destroys the subject key right after the append.</summary>
    public static IReadOnlyList<object> Erase(UserState state)
    {
        EnsureExists(state);
        return state.Erased ? [] : [new UserErased(state.UserId)];
    }

    /// <summary>
    /// An administrator sets the first password or resets it. The caller has checked the password against
    /// the tenant's policy and hashed it: the domain sees only the PHC string. Allowed for a disabled user
    /// (the reset waits for the enable), not for a deleted or erased one.
    /// </summary>
    public static IReadOnlyList<object> SetPassword(UserState state, string passwordHash, bool changeRequired)
    {
        EnsureLive(state);
        EnsurePasswordHash(passwordHash);
        return [new UserPasswordSet(state.UserId, passwordHash, changeRequired, state.HasPassword ? PasswordSetReasons.AdminReset : PasswordSetReasons.Initial)];
    }

    /// <summary>
    /// The user replaces its own password, after the caller verified <paramref name="verifiedHash"/> (the PHC
    /// the current password matched). A concurrent change in between makes that proof stale: refused as
    /// KID1023 rather than overwriting a password the user did not prove.
    /// </summary>
    public static IReadOnlyList<object> ChangePassword(UserState state, string verifiedHash, string newPasswordHash)
    {
        EnsureCanSignIn(state);
        EnsurePasswordHash(newPasswordHash);
        if (state.Password is null || !string.Equals(state.Password.Phc, verifiedHash, StringComparison.Ordinal))
        {
            throw new DomainException(DomainErrors.UserPasswordChanged, "The password changed while it was being verified.");
        }

        return [new UserPasswordSet(state.UserId, newPasswordHash, ChangeRequired: false, PasswordSetReasons.Change)];
    }

    /// <summary>
    /// The user chose a new password through an emailed reset link (ADR 0006). The caller proved the link was
    /// issued for <paramref name="passwordAtIssue"/> (the PHC then, null for none): a password set since makes
    /// the link stale (KID1023). A disabled user cannot reset; the caller revokes the sessions after the append.
    /// </summary>
    public static IReadOnlyList<object> ResetPassword(UserState state, string? passwordAtIssue, string newPasswordHash)
    {
        EnsureCanSignIn(state);
        EnsurePasswordHash(newPasswordHash);
        if (!string.Equals(state.Password?.Phc, passwordAtIssue, StringComparison.Ordinal))
        {
            throw new DomainException(DomainErrors.UserPasswordChanged, "The password changed after the reset link was sent.");
        }

        return [new UserPasswordSet(state.UserId, newPasswordHash, ChangeRequired: false, PasswordSetReasons.Reset)];
    }

    /// <summary>
    /// The transparent rehash after a successful sign-in: the same password at the current parameters.
    /// Nothing when the stored hash is no longer the one that was verified (changed meanwhile) or the user
    /// can no longer sign in; the pending change-required flag is kept.
    /// </summary>
    public static IReadOnlyList<object> Rehash(UserState state, string verifiedHash, string newPasswordHash)
    {
        ArgumentNullException.ThrowIfNull(state);
        EnsurePasswordHash(newPasswordHash);
        if (state.Status != UserStatus.Active || state.Password is null || !string.Equals(state.Password.Phc, verifiedHash, StringComparison.Ordinal))
        {
            return [];
        }

        return [new UserPasswordSet(state.UserId, newPasswordHash, state.Password.ChangeRequired, PasswordSetReasons.Rehash)];
    }

    /// <summary>Whether the user is locked out at <paramref name="now"/> (ADR 0006).</summary>
    public static bool IsLockedAt(UserState state, DateTimeOffset now) => state?.Lock is { } l && l.Until > now;

    /// <summary>
    /// The user reached the tenant's failed-attempt limit: locked for <c>BaseBackoffSeconds * 2^(n-1)</c>, capped at
    /// <c>MaxLockDurationSeconds</c>, where n counts locks in a row. A lock that ended more than the cap ago no longer
    /// counts, so the backoff starts again. Nothing when already locked (concurrent failures lock once).
    /// </summary>
    public static IReadOnlyList<object> LockOut(UserState state, DateTimeOffset now, int failedAttempts, LockoutSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        if (!CanSignIn(state) || IsLockedAt(state, now))
        {
            return [];
        }

        var previous = state.Lock is { } l && l.Until.AddSeconds(settings.MaxLockDurationSeconds) > now ? l.LockNumber : 0;
        var number = previous + 1;
        var seconds = Math.Min((double)settings.MaxLockDurationSeconds, settings.BaseBackoffSeconds * Math.Pow(2, Math.Min(number - 1, 30)));
        return [new UserLockedOut(state.UserId, now.AddSeconds(seconds), Math.Max(1, failedAttempts), number)];
    }

    /// <summary>An administrator lifts the lock; nothing when the user is not locked.</summary>
    public static IReadOnlyList<object> Unlock(UserState state, DateTimeOffset now)
    {
        EnsureLive(state);
        return IsLockedAt(state, now) ? [new UserUnlocked(state.UserId)] : [];
    }

    /// <summary>
    /// A hash brought from another system as it is (ADR 0007): bcrypt, scrypt, sha-crypt ... The application has
    /// checked it is a format it verifies; the first successful sign-in replaces it with Argon2id (<see cref="Rehash"/>).
    /// </summary>
    public static IReadOnlyList<object> ImportPassword(UserState state, string importedHash, bool changeRequired = false)
    {
        EnsureLive(state);
        EnsurePasswordHash(importedHash);
        return [new UserPasswordSet(state.UserId, importedHash, changeRequired, PasswordSetReasons.Import)];
    }

    /// <summary>Links an external identity (an IdP link); linking one already linked changes nothing. Throws KID1420 for a bad one.</summary>
    public static IReadOnlyList<object> LinkExternalIdentity(UserState state, string idpId, string externalUserId, string? displayName = null)
    {
        EnsureLive(state);
        var idp = idpId?.Trim() ?? "";
        var subject = externalUserId?.Trim() ?? "";
        var name = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim();
        if (idp.Length is 0 or > 200 || subject.Length is 0 or > 200 || name is { Length: > 200 } ||
            idp.Any(char.IsControl) || subject.Any(char.IsControl) || (name is not null && name.Any(char.IsControl)))
        {
            throw new DomainException(DomainErrors.UserInvalidExternalIdentity, "An external identity needs a provider id and a subject of 1 to 200 printable characters.");
        }

        return state.ExternalIdentities.Any(x => x.IdpId == idp && x.ExternalUserId == subject)
            ? []
            : [new UserExternalIdentityLinked(state.UserId, idp, subject, name)];
    }

    /// <summary>
    /// Sets and removes metadata entries in one decision (a value null removes its key): an event per entry that
    /// changes, none for a value already held or a key already absent. Throws KID1024 for a bad key, KID1025 for a bad
    /// value, KID1026 when the user would hold more than <see cref="MaxMetadataEntries"/> entries. Allowed for a
    /// disabled user, not a deleted or erased one.
    /// </summary>
    public static IReadOnlyList<object> ChangeMetadata(UserState state, IReadOnlyList<KeyValuePair<string, byte[]?>> changes)
    {
        EnsureLive(state);
        ArgumentNullException.ThrowIfNull(changes);
        var events = new List<object>(changes.Count);
        var metadata = state.Metadata;
        foreach (var (key, value) in changes)
        {
            EnsureMetadataKey(key);
            if (value is null)
            {
                if (metadata.ContainsKey(key))
                {
                    metadata = metadata.Remove(key);
                    events.Add(new UserMetadataRemoved(state.UserId, key));
                }

                continue;
            }

            if (value.Length is 0 or > MaxMetadataValueBytes)
            {
                throw new DomainException(DomainErrors.UserInvalidMetadataValue, $"A metadata value is 1 to {MaxMetadataValueBytes} bytes.");
            }

            var encoded = Convert.ToBase64String(value);
            if (metadata.TryGetValue(key, out var held) && string.Equals(held, encoded, StringComparison.Ordinal))
            {
                continue;
            }

            metadata = metadata.SetItem(key, encoded);
            events.Add(new UserMetadataSet(state.UserId, key, encoded));
        }

        if (metadata.Count > MaxMetadataEntries && metadata.Count > state.Metadata.Count)
        {
            throw new DomainException(DomainErrors.UserMetadataLimit, $"A user holds at most {MaxMetadataEntries} metadata entries.");
        }

        return events;
    }

    /// <summary>Removes one entry; KID1027 when the user has no entry under <paramref name="key"/>.</summary>
    public static IReadOnlyList<object> RemoveMetadata(UserState state, string key)
    {
        EnsureLive(state);
        EnsureMetadataKey(key);
        return state.Metadata.ContainsKey(key)
            ? [new UserMetadataRemoved(state.UserId, key)]
            : throw new DomainException(DomainErrors.UserMetadataNotFound, "The user has no metadata entry with this key.");
    }

    /// <summary>A metadata key: 1 to 200 characters, no control or format characters, no '/', no space at either end. Case matters.</summary>
    public static bool IsValidMetadataKey(string? key) =>
        key is { Length: > 0 and <= MaxMetadataKeyLength } && !char.IsWhiteSpace(key[0]) && !char.IsWhiteSpace(key[^1]) &&
        !key.Contains('/', StringComparison.Ordinal) && key.All(c => CharUnicodeInfo.GetUnicodeCategory(c) is not (UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned));

    private static void EnsureMetadataKey(string key)
    {
        if (!IsValidMetadataKey(key))
        {
            throw new DomainException(DomainErrors.UserInvalidMetadataKey, $"A metadata key is 1 to {MaxMetadataKeyLength} printable characters without '/' and without a space at either end.");
        }
    }

    /// <summary>Throws what <see cref="SetPassword"/> would for this user, before the caller spends a hash on it.</summary>
    public static void EnsurePasswordCanBeSet(UserState state) => EnsureLive(state);

    /// <summary>Throws what <see cref="ChangePassword"/> would for this user's state (not for its password).</summary>
    public static void EnsurePasswordCanBeChanged(UserState state) => EnsureCanSignIn(state);

    /// <summary>Whether a sign-in may be attempted: a live, enabled user. Says nothing about the password.</summary>
    public static bool CanSignIn(UserState state) => state is { Status: UserStatus.Active };

    /// <summary>NFKC, trimmed, 1-64 characters without whitespace, control or format characters. Throws KID1014.</summary>
    public static string NormalizeUsername(string? username)
    {
        var normalized = Nfkc((username ?? "").Trim());
        if (normalized.Length is 0 or > MaxUsernameLength || !normalized.All(IsUsernameChar))
        {
            throw new DomainException(DomainErrors.UserInvalidUsername, $"A username is 1 to {MaxUsernameLength} characters without spaces or control characters.");
        }

        return normalized;
    }

    /// <summary>The case-insensitive uniqueness key of a (normalized) username.</summary>
    public static string UsernameKey(string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        return Nfkc(username).ToLowerInvariant();
    }

    /// <summary>NFKC (needs ICU, which Directory.Build.props keeps on: invariant mode leaves non-ASCII text unchanged).</summary>
    public static string Nfkc(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Normalize(NormalizationForm.FormKC);
    }

    /// <summary>Trimmed; must parse as <see cref="MailAddress"/> with nothing but the address, and pass a plain-syntax check. Throws KID1015.</summary>
    public static string NormalizeEmail(string? email)
    {
        var trimmed = (email ?? "").Trim();
        if (trimmed.Length is 0 or > MaxEmailLength || !MailAddress.TryCreate(trimmed, out var parsed) ||
            !string.Equals(parsed.Address, trimmed, StringComparison.Ordinal) || parsed.DisplayName.Length > 0)
        {
            throw InvalidEmail();
        }

        var at = trimmed.LastIndexOf('@');
        var local = trimmed[..at];
        var domain = trimmed[(at + 1)..];
        if (local.Length > 64 || !EmailLocalPattern().IsMatch(local) || local.StartsWith('.') || local.EndsWith('.') ||
            local.Contains("..", StringComparison.Ordinal) || !EmailDomainPattern().IsMatch(domain))
        {
            throw InvalidEmail();
        }

        return trimmed;
    }

    /// <summary>The case-insensitive uniqueness key of an email address.</summary>
    public static string EmailKey(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email.Trim().ToLowerInvariant();
    }

    public static bool IsValidUserId(string? userId) => userId is not null && UserIdPattern().IsMatch(userId);

    private static DomainException InvalidEmail() =>
        new(DomainErrors.UserInvalidEmail, "The email address is not valid.");

    private static bool IsUsernameChar(char c) => CharUnicodeInfo.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => false,
        _ => true,
    };

    private static UserProfile ValidProfile(UserProfile profile) => new(
        Name(profile.GivenName),
        Name(profile.FamilyName),
        Name(profile.DisplayName),
        Phone(profile.Phone),
        Language(profile.PreferredLanguage));

    private static string? Name(string? value)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (trimmed.Length > MaxNameLength || trimmed.Any(char.IsControl))
        {
            throw new DomainException(DomainErrors.UserInvalidProfile, $"A name is at most {MaxNameLength} printable characters.");
        }

        return trimmed;
    }

    /// <summary>E.164 after dropping the usual separators: <c>+44 20 7946-0000</c> is stored as <c>+442079460000</c>.</summary>
    private static string? Phone(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var compact = PhoneSeparators().Replace(value, "");
        if (!PhonePattern().IsMatch(compact))
        {
            throw new DomainException(DomainErrors.UserInvalidProfile, "A phone number is in E.164 form: '+', country code and number, 7 to 15 digits.");
        }

        return compact;
    }

    private static string? Language(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var trimmed = value.Trim();
        if (trimmed.Length > 35 || !LanguagePattern().IsMatch(trimmed))
        {
            throw new DomainException(DomainErrors.UserInvalidProfile, "A preferred language is a BCP 47 tag such as 'en' or 'pt-BR'.");
        }

        return trimmed;
    }

    private static void EnsureExists(UserState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Created)
        {
            throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        }
    }

    private static void EnsureNotErased(UserState state)
    {
        EnsureExists(state);
        if (state.Erased)
        {
            throw new DomainException(DomainErrors.UserErased, "The user is erased.");
        }
    }

    private static void EnsureCanSignIn(UserState state)
    {
        EnsureLive(state);
        if (state.Disabled)
        {
            throw new DomainException(DomainErrors.UserDisabled, "The user is disabled.");
        }
    }

    // The shape only ($algorithm$...): the application parses and verifies; this keeps a password typed into
    // the hash parameter by mistake from ever being stored.
    private static void EnsurePasswordHash(string passwordHash)
    {
        if (string.IsNullOrEmpty(passwordHash) || passwordHash.Length > 512 || !PasswordHashShape().IsMatch(passwordHash))
        {
            throw new ArgumentException("The password hash is not a PHC or modular-crypt string.", nameof(passwordHash));
        }
    }

    /// <summary>KID1011 for no such user, KID1013 erased, KID1012 deleted; a disabled user is live.</summary>
    public static void EnsureLive(UserState state)
    {
        EnsureNotErased(state);
        if (state.Deleted)
        {
            throw new DomainException(DomainErrors.UserDeleted, "The user is deleted.");
        }
    }

    [GeneratedRegex("^\\$[a-z0-9-]{1,32}\\$[!-~]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex PasswordHashShape();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserIdPattern();

    [GeneratedRegex("^[\\p{L}\\p{N}.!#$%&'*+/=?^_`{|}~-]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex EmailLocalPattern();

    [GeneratedRegex("^(?=.{1,253}\\z)(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.)+(?:[\\p{L}]{2,63}|xn--[a-z0-9-]{1,59})\\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex EmailDomainPattern();

    [GeneratedRegex("[\\s().-]", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneSeparators();

    [GeneratedRegex("^\\+[1-9][0-9]{6,14}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();

    [GeneratedRegex("^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex LanguagePattern();
}
