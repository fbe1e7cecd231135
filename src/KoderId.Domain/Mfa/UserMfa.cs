using System.Collections.Immutable;
using KoderId.Events.Mfa;

namespace KoderId.Domain.Mfa;

/// <summary>
/// A user's second factors (stream <c>mfa-{tenant}-{user}</c>, ADR 0006): the TOTP secret (pending until a code
/// confirms it, then enrolled), the last RFC 6238 time step accepted, and the current recovery code set.
/// </summary>
/// <param name="LastTimeStep">The highest time step accepted for the enrolled secret; -1 before any. A code of this step or an earlier one is spent.</param>
/// <param name="RecoveryCodeHashes">base64url SHA-256 of each code of the current set, in the order shown to the user.</param>
/// <param name="RecoveryCodesUsed">Parallel to <see cref="RecoveryCodeHashes"/>: which codes were spent.</param>
public sealed record UserMfaState(
    string UserId,
    string? PendingSecret,
    string? Secret,
    string? Source,
    long LastTimeStep,
    ImmutableArray<string> RecoveryCodeHashes,
    ImmutableArray<bool> RecoveryCodesUsed)
{
    public static readonly UserMfaState Initial = new("", null, null, null, -1, [], []);

    public bool TotpEnrolled => Secret is not null;

    public bool TotpPending => PendingSecret is not null;

    public int RecoveryCodesRemaining => RecoveryCodesUsed.Count(used => !used);

    // A record prints every member: the secrets must not reach a log line or a test failure message.
    public override string ToString() =>
        $"UserMfaState {{ UserId = {UserId}, TotpPending = {TotpPending}, TotpEnrolled = {TotpEnrolled}, Source = {Source}, LastTimeStep = {LastTimeStep}, RecoveryCodesRemaining = {RecoveryCodesRemaining} }}";
}

/// <summary>
/// Decisions on a user's TOTP and recovery codes. Pure: the caller generates secrets and codes (randomness is
/// I/O), computes which time step a code matches (the clock is I/O) and hashes recovery codes; a decision only
/// sees the result. Replay protection lives here: a time step not after the last accepted one, or a spent
/// recovery code, is refused, and the store's optimistic concurrency makes two racing uses of one code append once.
/// </summary>
public static class UserMfa
{
    public const int RecoveryCodeCount = 10;

    private const int MinSecretChars = 16;
    private const int MaxSecretChars = 128;
    private const int HashChars = 43;

    public static UserMfaState Evolve(UserMfaState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            TotpEnrolmentStarted e => state with { UserId = e.UserId, PendingSecret = e.Secret },
            TotpEnrolled e => state with
            {
                UserId = e.UserId, Secret = state.PendingSecret, PendingSecret = null, Source = e.Source,
                LastTimeStep = e.TimeStep is { } step ? Math.Max(step, state.LastTimeStep) : state.LastTimeStep,
            },
            TotpCodeUsed e => state with { UserId = e.UserId, LastTimeStep = Math.Max(e.TimeStep, state.LastTimeStep) },

            // A new secret starts a new sequence of steps; codes of the old one are useless against it anyway.
            TotpRemoved e => state with { UserId = e.UserId, Secret = null, PendingSecret = null, Source = null, LastTimeStep = -1 },
            RecoveryCodesGenerated e => state with
            {
                UserId = e.UserId, RecoveryCodeHashes = [.. e.CodeHashes], RecoveryCodesUsed = [.. e.CodeHashes.Select(_ => false)],
            },
            RecoveryCodeUsed e when e.Index >= 0 && e.Index < state.RecoveryCodesUsed.Length =>
                state with { UserId = e.UserId, RecoveryCodesUsed = state.RecoveryCodesUsed.SetItem(e.Index, true) },
            _ => state,
        };
    }

    /// <summary>Begins (or restarts) an enrolment with a fresh secret. KID1321 when a TOTP is enrolled: remove it first (that needs re-authentication).</summary>
    public static IReadOnlyList<object> StartTotpEnrolment(UserMfaState state, string userId, string base32Secret)
    {
        ArgumentNullException.ThrowIfNull(state);
        EnsureUser(userId);
        if (state.TotpEnrolled)
        {
            throw new DomainException(DomainErrors.TotpAlreadyEnrolled, "A TOTP is already enrolled; remove it before enrolling another.");
        }

        EnsureSecret(base32Secret);
        return [new TotpEnrolmentStarted(userId, base32Secret)];
    }

    /// <summary>A code from the pending secret matched <paramref name="timeStep"/>: the secret becomes the user's TOTP and that step is spent.</summary>
    public static IReadOnlyList<object> ConfirmTotp(UserMfaState state, string userId, long timeStep)
    {
        ArgumentNullException.ThrowIfNull(state);
        EnsureUser(userId);
        if (state.TotpEnrolled)
        {
            throw new DomainException(DomainErrors.TotpAlreadyEnrolled, "A TOTP is already enrolled.");
        }

        if (!state.TotpPending)
        {
            throw new DomainException(DomainErrors.TotpNoPendingEnrolment, "There is no TOTP enrolment to confirm; start one first.");
        }

        EnsureStep(timeStep);
        return [new TotpEnrolled(userId, TotpSources.Confirmation, timeStep)];
    }

    /// <summary>
    /// Enrolment during sign-in (ADR 0006): a secret the flow kept and a code of it that matched
    /// <paramref name="timeStep"/>, decided as <see cref="StartTotpEnrolment"/> then <see cref="ConfirmTotp"/> (the
    /// account page's events, in one append, so the secret never sits in the log unconfirmed), plus a new recovery
    /// code set when <paramref name="recoveryCodeHashes"/> is given.
    /// </summary>
    public static IReadOnlyList<object> EnrolConfirmedTotp(UserMfaState state, string userId, string base32Secret, long timeStep, IReadOnlyList<string>? recoveryCodeHashes)
    {
        var started = StartTotpEnrolment(state, userId, base32Secret);
        var pending = started.Aggregate(state, Evolve);
        var events = started.Concat(ConfirmTotp(pending, userId, timeStep));
        return recoveryCodeHashes is null ? [.. events] : [.. events, .. GenerateRecoveryCodes(pending, userId, recoveryCodeHashes)];
    }

    /// <summary>Enrols a secret brought from another system as confirmed; nothing when a TOTP is already enrolled (a re-run of the import).</summary>
    public static IReadOnlyList<object> ImportTotp(UserMfaState state, string userId, string base32Secret)
    {
        ArgumentNullException.ThrowIfNull(state);
        EnsureUser(userId);
        if (state.TotpEnrolled)
        {
            return [];
        }

        EnsureSecret(base32Secret);
        return [new TotpEnrolmentStarted(userId, base32Secret), new TotpEnrolled(userId, TotpSources.Import)];
    }

    /// <summary>An enrolled TOTP's code matched <paramref name="timeStep"/>. KID1325 when that step (or a later one) was already accepted: a replay.</summary>
    public static IReadOnlyList<object> UseTotpCode(UserMfaState state, string userId, long timeStep)
    {
        ArgumentNullException.ThrowIfNull(state);
        EnsureUser(userId);
        if (!state.TotpEnrolled)
        {
            throw new DomainException(DomainErrors.TotpNotFound, "The user has no TOTP enrolled.");
        }

        EnsureStep(timeStep);
        if (timeStep <= state.LastTimeStep)
        {
            throw new DomainException(DomainErrors.TotpCodeReplayed, "This code, or a later one, was already used.");
        }

        return [new TotpCodeUsed(userId, timeStep)];
    }

    /// <summary>Removes the enrolled TOTP or a pending enrolment. Who may (re-authentication, an administrator) is the caller's check.</summary>
    public static IReadOnlyList<object> RemoveTotp(UserMfaState state, string userId, string reason)
    {
        ArgumentNullException.ThrowIfNull(state);
        EnsureUser(userId);
        if (reason is not (TotpRemovalReasons.User or TotpRemovalReasons.Admin))
        {
            throw new DomainException(DomainErrors.MfaInvalidRequest, "The removal reason is 'user' or 'admin'.");
        }

        if (!state.TotpEnrolled && !state.TotpPending)
        {
            throw new DomainException(DomainErrors.TotpNotFound, "The user has no TOTP enrolled.");
        }

        return [new TotpRemoved(userId, reason)];
    }

    /// <summary>A new set of <see cref="RecoveryCodeCount"/> distinct code hashes replaces the current one (spent or not).</summary>
    public static IReadOnlyList<object> GenerateRecoveryCodes(UserMfaState state, string userId, IReadOnlyList<string> codeHashes)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(codeHashes);
        EnsureUser(userId);
        if (codeHashes.Count != RecoveryCodeCount
            || codeHashes.Distinct(StringComparer.Ordinal).Count() != RecoveryCodeCount
            || !codeHashes.All(h => h is { Length: HashChars } && h.All(IsBase64UrlChar)))
        {
            throw new DomainException(DomainErrors.MfaInvalidRequest, $"A recovery code set is {RecoveryCodeCount} distinct base64url SHA-256 hashes.");
        }

        return [new RecoveryCodesGenerated(userId, [.. codeHashes])];
    }

    /// <summary>Spends the code at <paramref name="index"/> of the current set; KID1328 when there is none there or it was spent.</summary>
    public static IReadOnlyList<object> UseRecoveryCode(UserMfaState state, string userId, int index)
    {
        ArgumentNullException.ThrowIfNull(state);
        EnsureUser(userId);
        if (index < 0 || index >= state.RecoveryCodesUsed.Length || state.RecoveryCodesUsed[index])
        {
            throw new DomainException(DomainErrors.RecoveryCodeInvalid, "The recovery code is not valid or was already used.");
        }

        return [new RecoveryCodeUsed(userId, index)];
    }

    /// <summary>RFC 4648 base32 without padding, 16-128 characters (80-640 bits).</summary>
    public static bool IsValidSecret(string? base32Secret) =>
        base32Secret is { Length: >= MinSecretChars and <= MaxSecretChars } && base32Secret.All(c => c is (>= 'A' and <= 'Z') or (>= '2' and <= '7'));

    private static void EnsureSecret(string base32Secret)
    {
        if (!IsValidSecret(base32Secret))
        {
            throw new DomainException(DomainErrors.MfaInvalidRequest, "A TOTP secret is RFC 4648 base32 (A-Z, 2-7) without padding, 16 to 128 characters.");
        }
    }

    private static void EnsureStep(long timeStep)
    {
        if (timeStep < 0)
        {
            throw new DomainException(DomainErrors.MfaInvalidRequest, "A time step is not negative.");
        }
    }

    private static void EnsureUser(string userId)
    {
        if (!Names.IsValidId(userId))
        {
            throw new DomainException(DomainErrors.MfaInvalidRequest, "A valid user id is required.");
        }
    }

    private static bool IsBase64UrlChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
}
