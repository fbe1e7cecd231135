using System.Collections.Concurrent;
using KoderId.Application.Common;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Credentials.Commands;

/// <summary>
/// A sign-in's password check. A command, not a query: a success may append the transparent rehash
/// (<c>user.password-set.v1</c>, reason <c>rehash</c>) when the tenant's hashing cost has changed.
/// </summary>
public sealed record VerifyPassword(string TenantId, string UserId, string Password) : ICommand<PasswordCheck>
{
    public override string ToString() => $"VerifyPassword {{ TenantId = {TenantId}, UserId = {UserId}, Password = [redacted] }}";
}

/// <summary>
/// The answer. A failure is one value whatever the cause (no such user or tenant, another tenant's user, no
/// password, a wrong one, a disabled, deleted or erased user), so the answer cannot be used to probe accounts.
/// </summary>
public sealed record PasswordCheck(bool Succeeded, bool ChangeRequired, bool Rehashed)
{
    public static PasswordCheck Failed { get; } = new(false, false, false);
}

/// <remarks>
/// Every failure path still computes one Argon2id verification at the tenant's cost (against a dummy hash
/// when there is nothing real to check), so the response time does not tell an unknown user from a wrong
/// password either.
/// </remarks>
public sealed class VerifyPasswordHandler(AggregateStore aggregates, PasswordHashingService hashing, ICredentialPolicies policies)
    : ICommandHandler<VerifyPassword, PasswordCheck>
{
    private const int MaxDummyHashes = 64;
    private static readonly ConcurrentDictionary<PasswordHashingPolicy, string> DummyHashes = new();

    public async ValueTask<PasswordCheck> Handle(VerifyPassword command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var policy = await policies.GetAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        UserState? user;
        try
        {
            user = await aggregates.LoadUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        }
        catch (DomainException)
        {
            // Unknown, blocked or deleted tenant, malformed or foreign user id.
            user = null;
        }

        var stored = user is not null && User.CanSignIn(user) ? user.Password : null;
        if (stored is null || !PasswordHashingService.IsVerifiable(stored.Phc))
        {
            await hashing.VerifyAsync(command.Password, DummyHash(policy.Hashing), policy.Hashing, cancellationToken).ConfigureAwait(false);
            return PasswordCheck.Failed;
        }

        var outcome = await hashing.VerifyAsync(command.Password, stored.Phc, policy.Hashing, cancellationToken).ConfigureAwait(false);
        if (outcome == PasswordVerification.Failed)
        {
            return PasswordCheck.Failed;
        }

        var rehashed = outcome == PasswordVerification.SucceededRehashNeeded
            && await TryRehashAsync(command, stored.Phc, policy.Hashing, cancellationToken).ConfigureAwait(false);
        return new PasswordCheck(true, stored.ChangeRequired, rehashed);
    }

    private async Task<bool> TryRehashAsync(VerifyPassword command, string verified, PasswordHashingPolicy policy, CancellationToken ct)
    {
        string hash;
        try
        {
            hash = await hashing.HashAsync(command.Password, policy, ct).ConfigureAwait(false);
        }
        catch (PasswordHashingBusyException)
        {
            // The sign-in has succeeded; the rehash waits for the next one rather than failing it.
            return false;
        }

        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.Rehash(s, verified, hash), ct).ConfigureAwait(false);
        return decided.Changed;
    }

    private string DummyHash(PasswordHashingPolicy policy)
    {
        // Policies are per tenant and a tenant admin may change them at will: keep the cache bounded.
        if (DummyHashes.Count >= MaxDummyHashes && !DummyHashes.ContainsKey(policy))
        {
            DummyHashes.Clear();
        }

        return DummyHashes.GetOrAdd(policy, p => hashing.Hasher.Hash(Guid.NewGuid().ToString("N"), p));
    }
}
