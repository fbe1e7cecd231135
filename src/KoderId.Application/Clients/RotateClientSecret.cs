using KoderId.Application.Common;
using KoderId.Domain.Clients;
using Mediator;

namespace KoderId.Application.Clients;

public sealed record RotateClientSecret(string TenantId, string ClientId) : ICommand<ClientSecretRotatedResult>;

/// <summary><paramref name="ClientSecret"/> is shown this once; the previous secret stops working with this append.</summary>
public sealed record ClientSecretRotatedResult(string ClientId, string ClientSecret, long Version);

public sealed class RotateClientSecretHandler(AggregateStore aggregates) : ICommandHandler<RotateClientSecret, ClientSecretRotatedResult>
{
    public async ValueTask<ClientSecretRotatedResult> Handle(RotateClientSecret command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        ClientCommands.RequireId(command.ClientId);
        var secret = ClientSecrets.NewSecret();
        var hash = ClientSecrets.Hash(secret);
        var decided = await aggregates.DecideAsync(
            Aggregates.Client, command.TenantId, StreamNames.Client(command.TenantId, command.ClientId), s => Client.RotateSecret(s, hash), cancellationToken)
            .ConfigureAwait(false);
        return new ClientSecretRotatedResult(command.ClientId, secret, decided.Version);
    }
}
