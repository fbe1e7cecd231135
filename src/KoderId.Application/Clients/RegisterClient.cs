using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Clients;
using KoderId.Events.Clients;
using Mediator;

namespace KoderId.Application.Clients;

/// <param name="RegisteredVia"><c>admin</c> or <c>dynamic</c>; a dynamic client gets a registration access token (RFC 7592).</param>
/// <param name="ClientId">Only for imports, which derive a stable id from the source system's (ADR 0007); otherwise generated.</param>
public sealed record RegisterClient(string TenantId, ClientDraft Draft, string RegisteredVia = ClientRegistrations.Admin, string? ClientId = null) : ICommand<ClientRegisteredResult>;

/// <summary><paramref name="ClientSecret"/> and <paramref name="RegistrationAccessToken"/> are shown this once, never stored or logged.</summary>
public sealed record ClientRegisteredResult(string ClientId, string TenantId, string? ClientSecret, string? RegistrationAccessToken, long Version);

public sealed class RegisterClientHandler(AggregateStore aggregates) : ICommandHandler<RegisterClient, ClientRegisteredResult>
{
    public async ValueTask<ClientRegisteredResult> Handle(RegisterClient command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);

        if (command.ClientId is not null && !ClientSecrets.IsClientId(command.ClientId))
        {
            throw new ArgumentException("A client id is 32 lowercase hexadecimal characters.", nameof(command));
        }

        var clientId = command.ClientId ?? ClientSecrets.NewClientId();
        var secret = ClientSecrets.NewSecret();
        var registrationToken = command.RegisteredVia == ClientRegistrations.Dynamic ? ClientSecrets.NewSecret() : null;
        try
        {
            var decided = await aggregates.DecideAsync(
                Aggregates.Client,
                command.TenantId,
                StreamNames.Client(command.TenantId, clientId),
                s => Client.Register(s, clientId, command.Draft, command.RegisteredVia, ClientSecrets.Hash(secret),
                    registrationToken is null ? null : ClientSecrets.Hash(registrationToken)),
                cancellationToken).ConfigureAwait(false);
            var registered = (ClientRegistered)decided.Events[0];
            return new ClientRegisteredResult(clientId, command.TenantId, registered.SecretHash is null ? null : secret, registrationToken, decided.Version);
        }
        catch (DomainException ex) when (ex.Code == DomainErrors.ClientNotFound)
        {
            // The generated stream name is held by another tenant's stream (see StreamNames).
            throw new DomainException(DomainErrors.ClientIdTaken, "A client with this id already exists.");
        }
    }
}
