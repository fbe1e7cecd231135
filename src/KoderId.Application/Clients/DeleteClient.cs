using KoderId.Application.Common;
using KoderId.Domain.Clients;
using Mediator;

namespace KoderId.Application.Clients;

public sealed record DeleteClient(string TenantId, string ClientId) : ICommand<CommandResult>;

/// <summary>Deleting is allowed in a blocked tenant (taking access away must always work).</summary>
public sealed class DeleteClientHandler(AggregateStore aggregates) : ICommandHandler<DeleteClient, CommandResult>
{
    public async ValueTask<CommandResult> Handle(DeleteClient command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.LoadTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        ClientCommands.RequireId(command.ClientId);
        var decided = await aggregates.DecideAsync(
            Aggregates.Client, command.TenantId, StreamNames.Client(command.TenantId, command.ClientId), Client.Delete, cancellationToken).ConfigureAwait(false);
        return new CommandResult(command.ClientId, decided.Version, decided.Changed);
    }
}
