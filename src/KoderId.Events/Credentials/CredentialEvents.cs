using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Credentials;

/// <summary>
/// A new password hash for the user, as a PHC string (<c>$argon2id$v=19$m=...</c>; imported bcrypt hashes keep
/// their <c>$2b$</c> form). Never the password. The hash is encrypted with the user's key: the log is kept
/// forever and replayed by people, and a hash in clear is an offline-cracking target.
/// </summary>
[EventType("user.password-set.v1")]
public sealed record UserPasswordSet(
    [property: DataSubject] string UserId,
    [property: PersonalData] string PasswordHash,
    bool ChangeRequired);
