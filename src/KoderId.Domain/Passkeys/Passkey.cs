using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using KoderId.Events.Passkeys;

namespace KoderId.Domain.Passkeys;

/// <summary>One registered credential as the user's passkey stream folds it.</summary>
public sealed record PasskeyCredential(
    string CredentialId,
    string PublicKey,
    int Algorithm,
    long SignCount,
    string Aaguid,
    ImmutableArray<string> Transports,
    bool BackupEligible,
    bool BackupState,
    bool Discoverable,
    string Name,
    bool UserVerified,
    long Uses);

/// <summary>A user's passkeys (<c>passkeys-{tenant}-{user}</c>), by credential id.</summary>
public sealed record PasskeysState(string UserId, ImmutableSortedDictionary<string, PasskeyCredential> Credentials)
{
    public static readonly PasskeysState Initial = new("", ImmutableSortedDictionary.Create<string, PasskeyCredential>(StringComparer.Ordinal));
}

/// <summary>What a verified registration ceremony hands the decision (the verification itself is the caller's: ADR 0006).</summary>
public sealed record NewPasskey(
    string CredentialId,
    string PublicKey,
    int Algorithm,
    long SignCount,
    string Aaguid,
    IReadOnlyList<string> Transports,
    bool BackupEligible,
    bool BackupState,
    bool Discoverable,
    bool UserVerified,
    string AttestationFormat,
    string Attestation);

/// <summary>
/// Decisions on a user's passkeys. A credential id is unique in its tenant (a unique claim on its hash), so one
/// authenticator key can never be registered to two accounts. A sign-in that shows a counter regression is
/// recorded and leaves the stored counter where it was (WebAuthn L3 §7.2 step 22).
/// </summary>
public static class Passkey
{
    public const string CredentialScope = "passkey-credential";
    public const int MaxNameLength = 100;

    /// <summary>A user with more is almost certainly a script; the cap bounds the stream and allowCredentials.</summary>
    public const int MaxPerUser = 25;

    public static readonly ImmutableArray<string> RemoveReasons = ["user", "admin"];

    public static PasskeysState Evolve(PasskeysState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            PasskeyRegistered e => state with
            {
                UserId = e.UserId,
                Credentials = state.Credentials.SetItem(e.CredentialId, new PasskeyCredential(
                    e.CredentialId, e.PublicKey, e.Algorithm, e.SignCount, e.Aaguid, [.. e.Transports], e.BackupEligible, e.BackupState,
                    e.Discoverable, e.Name, e.UserVerified, 0)),
            },
            PasskeyUsed e when state.Credentials.TryGetValue(e.CredentialId, out var c) => state with
            {
                Credentials = state.Credentials.SetItem(e.CredentialId, c with
                {
                    SignCount = e.SignCount, BackupState = e.BackupState, UserVerified = c.UserVerified || e.UserVerified, Uses = c.Uses + 1,
                }),
            },
            PasskeyRenamed e when state.Credentials.TryGetValue(e.CredentialId, out var c) => state with
            {
                Credentials = state.Credentials.SetItem(e.CredentialId, c with { Name = e.Name }),
            },
            PasskeyRemoved e => state with { Credentials = state.Credentials.Remove(e.CredentialId) },
            _ => state,
        };
    }

    /// <summary>The unique claim of each live credential: the base64url SHA-256 of its id (ids run to 1,364 characters).</summary>
    public static IReadOnlyList<UniqueKey> UniqueKeys(PasskeysState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return [.. state.Credentials.Keys.Select(id => new UniqueKey(CredentialScope, ClaimValue(id)))];
    }

    public static string ClaimValue(string credentialId) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(credentialId))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static IReadOnlyList<object> Register(PasskeysState state, string userId, NewPasskey passkey, string? name)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(passkey);
        if (!Names.IsValidId(userId))
        {
            throw new DomainException(DomainErrors.PasskeyInvalidRequest, "A passkey needs a valid user id.");
        }

        if (state.Credentials.ContainsKey(passkey.CredentialId))
        {
            throw new DomainException(DomainErrors.PasskeyCredentialTaken, "This passkey is already registered.");
        }

        if (state.Credentials.Count >= MaxPerUser)
        {
            throw new DomainException(DomainErrors.PasskeyInvalidRequest, $"A user has at most {MaxPerUser} passkeys.");
        }

        var cleanName = CleanName(name ?? DefaultName(state));
        return
        [
            new PasskeyRegistered(
                passkey.CredentialId, userId, passkey.PublicKey, passkey.Algorithm, passkey.SignCount, passkey.Aaguid, [.. passkey.Transports],
                passkey.BackupEligible, passkey.BackupState, passkey.Discoverable, cleanName, passkey.UserVerified, passkey.AttestationFormat,
                passkey.Attestation),
        ];
    }

    /// <summary>
    /// A verified sign-in: the new counter, or — when the counter does not move past the stored one while either is
    /// non-zero (§7.2 step 22; authenticators that keep no counter send 0 forever) — the regression event and nothing
    /// else, and the caller refuses the sign-in. Decided on the state at append time, so two racing sign-ins cannot
    /// move the stored counter backwards.
    /// </summary>
    public static IReadOnlyList<object> RecordUse(PasskeysState state, string credentialId, long signCount, bool backupState, bool userVerified)
    {
        var credential = Find(state, credentialId);
        var regressed = (signCount != 0 || credential.SignCount != 0) && signCount <= credential.SignCount;
        return regressed
            ? [new PasskeyCounterRegressionDetected(credentialId, state.UserId, credential.SignCount, signCount)]
            : [new PasskeyUsed(credentialId, state.UserId, signCount, backupState, userVerified)];
    }

    public static IReadOnlyList<object> Rename(PasskeysState state, string credentialId, string? name)
    {
        var credential = Find(state, credentialId);
        var cleanName = CleanName(name);
        return cleanName == credential.Name ? [] : [new PasskeyRenamed(credentialId, state.UserId, cleanName)];
    }

    public static IReadOnlyList<object> Remove(PasskeysState state, string credentialId, string reason)
    {
        if (!RemoveReasons.Contains(reason, StringComparer.Ordinal))
        {
            throw new DomainException(DomainErrors.PasskeyInvalidRequest, "The reason is user or admin.");
        }

        Find(state, credentialId);
        return [new PasskeyRemoved(credentialId, state.UserId, reason)];
    }

    private static PasskeyCredential Find(PasskeysState state, string credentialId)
    {
        ArgumentNullException.ThrowIfNull(state);
        return credentialId is not null && state.Credentials.TryGetValue(credentialId, out var credential)
            ? credential
            : throw new DomainException(DomainErrors.PasskeyNotFound, "The passkey does not exist.");
    }

    private static string DefaultName(PasskeysState state) => $"Passkey {state.Credentials.Count + 1}";

    private static string CleanName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxNameLength || trimmed.Any(char.IsControl))
        {
            throw new DomainException(DomainErrors.PasskeyInvalidName, $"A passkey name is 1 to {MaxNameLength} characters without control characters.");
        }

        return trimmed;
    }
}
