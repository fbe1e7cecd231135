using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Application.Passkeys.WebAuthn;
using KoderId.Domain;
using KoderId.Domain.Passkeys;
using KoderId.Domain.Users;
using KoderId.EventSourcing.Storage;
using Mediator;

namespace KoderId.Application.Passkeys;

/// <param name="Credential">The browser's <c>PublicKeyCredential.toJSON()</c> of <c>navigator.credentials.create()</c>.</param>
/// <param name="Name">What the user calls it; "Passkey n" when absent.</param>
public sealed record RegisterPasskey(string TenantId, string UserId, RelyingParty RelyingParty, JsonElement Credential, string? Name) : ICommand<RegisteredPasskey>;

public sealed record RegisteredPasskey(string CredentialId, string Name, long Version);

/// <summary>
/// Finishes a registration ceremony (WebAuthn L3 §7.1): finds the challenge the response answers, consumes it
/// (one use, whatever the outcome, so a response cannot be tried twice), verifies the response against this
/// tenant's origin and RP ID and stores the credential. A challenge that is unknown, expired, used or issued to
/// another user is KID1346, the same as a wrong one.
/// </summary>
public sealed class RegisterPasskeyHandler(AggregateStore aggregates, ITransientStore transient) : ICommandHandler<RegisterPasskey, RegisteredPasskey>
{
    public async ValueTask<RegisteredPasskey> Handle(RegisterPasskey command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        var challenge = WebAuthnVerifier.ReadChallenge(command.Credential);
        var key = PasskeyChallenges.Key(challenge);
        var entry = await transient.GetAsync(command.TenantId, PasskeyChallenges.RegistrationKind, key, cancellationToken).ConfigureAwait(false);
        if (entry is null || !IssuedTo(entry.Value, command.UserId)
            || !await transient.TryRemoveAsync(command.TenantId, PasskeyChallenges.RegistrationKind, key, entry.Version, cancellationToken).ConfigureAwait(false))
        {
            throw new DomainException(DomainErrors.WebAuthnChallengeMismatch, "The challenge is unknown, expired or already used.");
        }

        var user = (await aggregates.LoadAsync(Aggregates.User, command.TenantId, StreamNames.User(command.TenantId, command.UserId), cancellationToken).ConfigureAwait(false)).State;
        if (user.Status != UserStatus.Active)
        {
            throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        }

        var rp = command.RelyingParty;
        var verified = WebAuthnVerifier.VerifyRegistration(command.Credential, new RegistrationExpectations(challenge, rp.Origin, rp.Id, RequireUserVerification: false));
        var credentialId = Base64UrlBytes.Encode(verified.CredentialId);
        var passkey = new NewPasskey(
            credentialId,
            Base64UrlBytes.Encode(verified.PublicKeyCose),
            verified.Algorithm,
            verified.SignCount,
            verified.Aaguid.ToString("D"),
            verified.Transports,
            verified.BackupEligible,
            verified.BackupState,
            Discoverable(command.Credential),
            verified.UserVerified,
            verified.AttestationFormat,
            verified.Attestation.ToString().ToLowerInvariant());
        var decided = await aggregates.DecideAsync(
            Aggregates.Passkeys,
            command.TenantId,
            StreamNames.Passkeys(command.TenantId, command.UserId),
            s => Passkey.Register(s, command.UserId, passkey, command.Name),
            cancellationToken).ConfigureAwait(false);
        return new RegisteredPasskey(credentialId, decided.State.Credentials[credentialId].Name, decided.Version);
    }

    private static bool IssuedTo(byte[] value, string userId)
    {
        try
        {
            using var doc = JsonDocument.Parse(value);
            return doc.RootElement.TryGetProperty("u", out var u) && u.ValueKind == JsonValueKind.String && u.GetString() == userId;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The credProps extension's <c>rk</c> (§10.1.3): true only when the client says the credential is discoverable.</summary>
    private static bool Discoverable(JsonElement credential) =>
        credential.TryGetProperty("clientExtensionResults", out var ext) && ext.ValueKind == JsonValueKind.Object
        && ext.TryGetProperty("credProps", out var props) && props.ValueKind == JsonValueKind.Object
        && props.TryGetProperty("rk", out var rk) && rk.ValueKind == JsonValueKind.True;
}
