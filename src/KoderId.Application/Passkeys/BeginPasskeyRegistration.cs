using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using KoderId.Application.Common;
using KoderId.Application.Passkeys.WebAuthn;
using KoderId.Domain;
using KoderId.Domain.Users;
using KoderId.EventSourcing.Storage;
using Mediator;

namespace KoderId.Application.Passkeys;

/// <summary>Issues <c>PublicKeyCredentialCreationOptions</c> for a signed-in user (WebAuthn L3 §5.4), as JSON for <c>PublicKeyCredential.parseCreationOptionsFromJSON</c>.</summary>
public sealed record BeginPasskeyRegistration(string TenantId, string UserId, RelyingParty RelyingParty) : ICommand<JsonObject>;

/// <summary>
/// A fresh 256-bit challenge kept (hashed) in the transient store for five minutes and one use; the user's
/// existing credentials as <c>excludeCredentials</c> so an authenticator is not registered twice; a discoverable
/// credential preferred (for username-less sign-in) and user verification preferred; ES256, EdDSA, RS256.
/// Attestation <c>none</c>: Koder ID keeps no trust anchors (ADR 0006).
/// </summary>
public sealed class BeginPasskeyRegistrationHandler(AggregateStore aggregates, ITransientStore transient, IClock clock)
    : ICommandHandler<BeginPasskeyRegistration, JsonObject>
{
    public async ValueTask<JsonObject> Handle(BeginPasskeyRegistration command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        var user = (await aggregates.LoadAsync(Aggregates.User, command.TenantId, StreamNames.User(command.TenantId, command.UserId), cancellationToken).ConfigureAwait(false)).State;
        if (user.Status != UserStatus.Active)
        {
            throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        }

        var passkeys = (await aggregates.LoadAsync(Aggregates.Passkeys, command.TenantId, StreamNames.Passkeys(command.TenantId, command.UserId), cancellationToken).ConfigureAwait(false)).State;
        var challenge = RandomNumberGenerator.GetBytes(32);
        var state = new JsonObject { ["u"] = command.UserId }.ToJsonString();
        await transient.TryAddAsync(
            command.TenantId, PasskeyChallenges.RegistrationKind, PasskeyChallenges.Key(challenge), Encoding.UTF8.GetBytes(state),
            clock.UtcNow + PasskeyChallenges.Lifetime, cancellationToken).ConfigureAwait(false);

        var rp = command.RelyingParty;
        var algorithms = new JsonArray();
        foreach (var alg in CoseAlgorithms.Supported)
        {
            algorithms.Add(new JsonObject { ["type"] = "public-key", ["alg"] = alg });
        }

        var exclude = new JsonArray();
        foreach (var credential in passkeys.Credentials.Values)
        {
            exclude.Add(Descriptor(credential.CredentialId, credential.Transports));
        }

        var displayName = user.Profile.DisplayName ?? user.Username;
        return new JsonObject
        {
            ["rp"] = new JsonObject { ["id"] = rp.Id, ["name"] = rp.Name },
            ["user"] = new JsonObject
            {
                ["id"] = Base64UrlBytes.Encode(PasskeyChallenges.UserHandle(command.UserId)),
                ["name"] = user.Username,
                ["displayName"] = displayName,
            },
            ["challenge"] = Base64UrlBytes.Encode(challenge),
            ["pubKeyCredParams"] = algorithms,
            ["timeout"] = PasskeyChallenges.TimeoutMilliseconds,
            ["excludeCredentials"] = exclude,
            ["authenticatorSelection"] = new JsonObject
            {
                ["residentKey"] = "preferred",
                ["requireResidentKey"] = false,
                ["userVerification"] = "preferred",
            },
            ["attestation"] = "none",
            ["extensions"] = new JsonObject { ["credProps"] = true },
        };
    }

    internal static JsonObject Descriptor(string credentialId, IEnumerable<string> transports)
    {
        var descriptor = new JsonObject { ["type"] = "public-key", ["id"] = credentialId };
        var list = new JsonArray();
        foreach (var t in transports)
        {
            list.Add(t);
        }

        if (list.Count > 0)
        {
            descriptor["transports"] = list;
        }

        return descriptor;
    }
}
