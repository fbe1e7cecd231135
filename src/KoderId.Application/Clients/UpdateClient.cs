using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Clients;
using Mediator;

namespace KoderId.Application.Clients;

/// <summary>Replaces the client's metadata with <paramref name="Draft"/> (the admin API merges a patch into the current values first).</summary>
public sealed record UpdateClient(string TenantId, string ClientId, ClientDraft Draft) : ICommand<CommandResult>;

public sealed class UpdateClientHandler(AggregateStore aggregates) : ICommandHandler<UpdateClient, CommandResult>
{
    public async ValueTask<CommandResult> Handle(UpdateClient command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        ClientCommands.RequireId(command.ClientId);
        var decided = await aggregates.DecideAsync(
            Aggregates.Client, command.TenantId, StreamNames.Client(command.TenantId, command.ClientId), s => Client.Update(s, command.Draft), cancellationToken)
            .ConfigureAwait(false);
        return new CommandResult(command.ClientId, decided.Version, decided.Changed);
    }
}

internal static class ClientCommands
{
    /// <summary>Anything that is not a client id is answered like an unknown client, before a stream name is built from it.</summary>
    public static void RequireId(string clientId)
    {
        if (!ClientSecrets.IsClientId(clientId))
        {
            throw new DomainException(DomainErrors.ClientNotFound, "The client does not exist.");
        }
    }
}
