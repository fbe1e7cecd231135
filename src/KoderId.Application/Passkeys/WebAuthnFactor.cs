using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Common;
using KoderId.Application.Flows;
using KoderId.Application.Passkeys.WebAuthn;
using KoderId.Domain;
using KoderId.Domain.Passkeys;
using KoderId.Domain.Users;
using KoderId.EventSourcing.Storage;

namespace KoderId.Application.Passkeys;

/// <summary>
/// The <c>webauthn</c> step of an authentication flow (ADR 0006): WebAuthn L3 §7.2 against the tenant's origin
/// and RP ID. <see cref="BeginAsync"/> issues <c>PublicKeyCredentialRequestOptions</c> (empty
/// <c>allowCredentials</c> in a username-less flow, so the browser offers discoverable credentials) and keeps the
/// challenge in the flow state and, hashed, in the transient store; <see cref="VerifyAsync"/> consumes that entry
/// first, so an assertion is accepted once whatever the engine does with its flow. The credential's owner comes
/// from the tenant-scoped lookup, so another tenant's passkey finds no one. A user-verified assertion is both
/// factors (amr <c>hwk user</c>), one without UV is possession only (<c>hwk</c>). A counter that goes backwards is
/// recorded (<c>passkey.counter-regression-detected.v1</c>) and the sign-in refused (§7.2 step 22, a possible clone).
/// A named flow whose user has no passkey, or is no user, lists made-up credentials (<see cref="PasskeyDecoys"/>), so
/// <c>allowCredentials</c> does not tell who has passkeys or who exists (§14.6.2).
/// </summary>
public sealed class WebAuthnFactor(AggregateStore aggregates, ITransientStore transient, IPasskeyOwners owners, IClock clock, IPasskeyDecoyKey? decoyKey = null)
    : IAuthenticationFactor
{
    public const string StepName = "webauthn";

    private const string DecoyStreamUser = "decoy";

    public string Step => StepName;

    /// <summary>The strongest it can prove; the outcome says what an assertion did prove.</summary>
    public FactorKind Kind => FactorKind.MultiFactor;

    public async ValueTask<bool> IsAvailableAsync(string tenantId, string? userId, CancellationToken ct)
    {
        if (userId is null)
        {
            return true;
        }

        return (await LoadPasskeysAsync(tenantId, userId, ct).ConfigureAwait(false)).Credentials.Count > 0;
    }

    public async ValueTask<FactorChallenge> BeginAsync(FactorContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rp = RelyingParty.ForOrigin(context.Origin, "");
        var challenge = RandomNumberGenerator.GetBytes(32);
        var allow = new JsonArray();
        if (context.UserId is not null)
        {
            foreach (var credential in (await LoadPasskeysAsync(context.TenantId, context.UserId, ct).ConfigureAwait(false)).Credentials.Values)
            {
                allow.Add(BeginPasskeyRegistrationHandler.Descriptor(credential.CredentialId, credential.Transports));
            }
        }
        else if (context.Name is not null)
        {
            // A decoy flow reads a stream as a real one does (the result is not used), so it does not answer faster.
            _ = await LoadPasskeysAsync(context.TenantId, DecoyStreamUser, ct).ConfigureAwait(false);
        }

        if (allow.Count == 0 && decoyKey is not null && (context.UserId ?? context.Name) is not null)
        {
            var seed = context.UserId is not null ? PasskeyDecoys.ForUser(context.UserId) : PasskeyDecoys.ForName(context.Name!);
            foreach (var decoy in PasskeyDecoys.Descriptors(decoyKey.Key.Span, context.TenantId, seed))
            {
                allow.Add(decoy);
            }
        }

        await transient.TryAddAsync(
            context.TenantId, PasskeyChallenges.AuthenticationKind, PasskeyChallenges.Key(challenge), Encoding.UTF8.GetBytes(context.FlowId),
            clock.UtcNow + PasskeyChallenges.Lifetime, ct).ConfigureAwait(false);
        var options = new JsonObject
        {
            ["challenge"] = Base64UrlBytes.Encode(challenge),
            ["rpId"] = rp.Id,
            ["timeout"] = PasskeyChallenges.TimeoutMilliseconds,
            ["userVerification"] = "preferred",
            ["allowCredentials"] = allow,
        };
        return new FactorChallenge(new JsonObject { ["publicKey"] = options }, Base64UrlBytes.Encode(challenge));
    }

    public async ValueTask<FactorOutcome> VerifyAsync(FactorContext context, JsonElement input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (input.ValueKind != JsonValueKind.Object || !input.TryGetProperty("credential", out var credential))
        {
            throw WebAuthnErrors.Malformed("the body has no credential");
        }

        // Malformed input is a 400 before anything is consumed; every later refusal is the flow's wrong answer.
        var assertion = WebAuthnVerifier.ReadAssertion(credential);
        if (context.State is null || !Base64UrlBytes.TryDecode(context.State, out var challenge) || challenge.Length != 32)
        {
            return FactorOutcome.Failed;
        }

        var key = PasskeyChallenges.Key(challenge);
        var entry = await transient.GetAsync(context.TenantId, PasskeyChallenges.AuthenticationKind, key, ct).ConfigureAwait(false);
        if (entry is null || !CryptographicOperations.FixedTimeEquals(entry.Value, Encoding.UTF8.GetBytes(context.FlowId))
            || !await transient.TryRemoveAsync(context.TenantId, PasskeyChallenges.AuthenticationKind, key, entry.Version, ct).ConfigureAwait(false))
        {
            return FactorOutcome.Failed;
        }

        var credentialId = Base64UrlBytes.Encode(assertion.CredentialId);
        var owner = await owners.FindOwnerAsync(context.TenantId, credentialId, ct).ConfigureAwait(false);
        if (owner is null || (context.UserId is not null && owner != context.UserId))
        {
            return FactorOutcome.Failed;
        }

        // §7.2 step 6: a username-less sign-in names its user in userHandle; when present it must be the owner.
        var handle = PasskeyChallenges.UserHandle(owner);
        if ((context.UserId is null && assertion.UserHandle is null)
            || (assertion.UserHandle is not null && !CryptographicOperations.FixedTimeEquals(assertion.UserHandle, handle)))
        {
            return FactorOutcome.Failed;
        }

        var user = (await aggregates.LoadAsync(Aggregates.User, context.TenantId, StreamNames.User(context.TenantId, owner), ct).ConfigureAwait(false)).State;
        var passkeys = await LoadPasskeysAsync(context.TenantId, owner, ct).ConfigureAwait(false);
        if (user.Status != UserStatus.Active || !passkeys.Credentials.TryGetValue(credentialId, out var stored))
        {
            return FactorOutcome.Failed;
        }

        var rp = RelyingParty.ForOrigin(context.Origin, "");
        VerifiedAssertion verified;
        try
        {
            verified = WebAuthnVerifier.VerifyAssertion(
                assertion,
                new AssertionExpectations(challenge, rp.Origin, rp.Id, RequireUserVerification: false),
                new StoredCredential(assertion.CredentialId, Base64UrlBytes.TryDecode(stored.PublicKey, out var cose) ? cose : [], (uint)stored.SignCount, stored.BackupEligible));
        }
        catch (DomainException ex) when (!WebAuthnRefusals.IsMalformed(ex))
        {
            return FactorOutcome.Failed;
        }

        var decided = await aggregates.DecideAsync(
            Aggregates.Passkeys,
            context.TenantId,
            StreamNames.Passkeys(context.TenantId, owner),
            s => Passkey.RecordUse(s, credentialId, verified.SignCount, verified.BackupState, verified.UserVerified),
            ct).ConfigureAwait(false);
        if (decided.Events.Any(e => e is KoderId.Events.Passkeys.PasskeyCounterRegressionDetected))
        {
            return FactorOutcome.Failed;
        }

        return verified.UserVerified
            ? new FactorOutcome(true, owner, ["hwk", "user"], FactorKind.MultiFactor)
            : new FactorOutcome(true, owner, ["hwk"], FactorKind.Possession);
    }

    private async Task<PasskeysState> LoadPasskeysAsync(string tenantId, string userId, CancellationToken ct) =>
        Names.IsValidId(userId)
            ? (await aggregates.LoadAsync(Aggregates.Passkeys, tenantId, StreamNames.Passkeys(tenantId, userId), ct).ConfigureAwait(false)).State
            : PasskeysState.Initial;
}
