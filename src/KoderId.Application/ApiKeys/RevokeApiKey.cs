using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using Mediator;

namespace KoderId.Application.ApiKeys;

public sealed record RevokeApiKey(string TenantId, string KeyId) : ICommand<CommandResult>;

/// <summary>Revoking is allowed in a blocked tenant (taking access away must always work); revoking twice appends nothing.</summary>
public sealed class RevokeApiKeyHandler(AggregateStore aggregates) : ICommandHandler<RevokeApiKey, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RevokeApiKey command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.LoadTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        if (!ApiKeyToken.IsKeyId(command.KeyId))
        {
            throw new DomainException(DomainErrors.ApiKeyNotFound, "The API key does not exist.");
        }

        var decided = await aggregates.DecideAsync(
            Aggregates.ApiKey, command.TenantId, StreamNames.ApiKey(command.TenantId, command.KeyId), ApiKey.Revoke, cancellationToken).ConfigureAwait(false);
        return new CommandResult(command.KeyId, decided.Version, decided.Changed);
    }
}
