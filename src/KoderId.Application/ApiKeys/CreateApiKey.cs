using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Domain.Tenants;
using Mediator;

namespace KoderId.Application.ApiKeys;

/// <param name="TenantId">The key's tenant; a system key (<paramref name="System"/>) is kept in the default tenant whatever is passed.</param>
public sealed record CreateApiKey(
    string TenantId,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset? ExpiresAt = null,
    bool System = false) : ICommand<ApiKeyCreatedResult>;

/// <summary><paramref name="Key"/> is the full <c>kid_...</c> value: shown this once, never stored or logged.</summary>
public sealed record ApiKeyCreatedResult(string KeyId, string TenantId, string Key, long Version);

public sealed class CreateApiKeyHandler(AggregateStore aggregates, IClock clock) : ICommandHandler<CreateApiKey, ApiKeyCreatedResult>
{
    public async ValueTask<ApiKeyCreatedResult> Handle(CreateApiKey command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var tenantId = command.System ? Tenant.DefaultTenantId : command.TenantId;
        await aggregates.RequireActiveTenantAsync(tenantId, cancellationToken).ConfigureAwait(false);

        var keyId = ApiKeyToken.NewKeyId();
        var secret = ApiKeyToken.NewSecret();
        var hash = ApiKeyToken.Hash(secret);
        var now = clock.UtcNow;
        try
        {
            var decided = await aggregates.DecideAsync(
                Aggregates.ApiKey,
                tenantId,
                StreamNames.ApiKey(tenantId, keyId),
                s => ApiKey.Create(s, keyId, command.Name, command.Scopes, command.System, command.ExpiresAt, hash, now),
                cancellationToken).ConfigureAwait(false);
            return new ApiKeyCreatedResult(keyId, tenantId, ApiKeyToken.Format(keyId, secret), decided.Version);
        }
        catch (DomainException ex) when (ex.Code == DomainErrors.ApiKeyNotFound)
        {
            // The generated stream name is held by another tenant's stream (see StreamNames).
            throw new DomainException(DomainErrors.ApiKeyIdTaken, "An API key with this id already exists.");
        }
    }
}
