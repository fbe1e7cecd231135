using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Credentials;

/// <summary>
/// A new password hash for the user, as a PHC string (<c>$argon2id$v=19$m=...</c>; imported bcrypt hashes keep
/// their <c>$2b$</c> form). Never the password. The hash is encrypted with the user's key: the log is kept
/// forever and replayed by people, and a hash in clear is an offline-cracking target.
/// </summary>
/// <param name="Reason">
/// Why the hash changed (<see cref="PasswordSetReasons"/>): an audit reader tells an administrator's reset from
/// the user's own change and from the transparent rehash at login. Optional, so events written before it read
/// as null (unknown).
/// </param>
[EventType("user.password-set.v1")]
public sealed record UserPasswordSet(
    [property: DataSubject] string UserId,
    [property: PersonalData] string PasswordHash,
    bool ChangeRequired,
    string? Reason = null)
{
    // A record prints every member; an event dumped into a log or a test failure must not show the hash.
    public override string ToString() => $"UserPasswordSet {{ UserId = {UserId}, PasswordHash = [redacted], ChangeRequired = {ChangeRequired}, Reason = {Reason} }}";
}

/// <summary>The values of <see cref="UserPasswordSet.Reason"/>.</summary>
public static class PasswordSetReasons
{
    /// <summary>An administrator gave a user without a password its first one.</summary>
    public const string Initial = "initial";

    /// <summary>An administrator replaced the user's password.</summary>
    public const string AdminReset = "admin-reset";

    /// <summary>The user changed it, proving the current one.</summary>
    public const string Change = "change";

    /// <summary>The same password, hashed again at the tenant's current parameters after a successful sign-in.</summary>
    public const string Rehash = "rehash";

    /// <summary>A hash brought from another system as it was (ADR 0007: a Zitadel import), replaced by Argon2id at the first sign-in.</summary>
    public const string Import = "import";

    /// <summary>The user set a new one through an emailed reset link (ADR 0006); their sessions were revoked with it.</summary>
    public const string Reset = "reset";
}
