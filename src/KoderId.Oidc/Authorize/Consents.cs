using KoderId.Application.Grants;
using KoderId.Projections.Grants;
using Mediator;

namespace KoderId.Oidc.Authorize;

/// <summary>Port: the scopes a user approved for a third-party client, remembered across sign-ins.</summary>
public interface IConsents
{
    ValueTask<bool> CoversAsync(string tenantId, string userId, string clientId, IReadOnlyCollection<string> scopes, CancellationToken ct);

    ValueTask GiveAsync(string tenantId, string userId, string clientId, IReadOnlyList<string> scopes, CancellationToken ct);
}

public sealed class Consents(ConsentDirectory directory, ISender sender) : IConsents
{
    public async ValueTask<bool> CoversAsync(string tenantId, string userId, string clientId, IReadOnlyCollection<string> scopes, CancellationToken ct)
    {
        var given = await directory.ScopesAsync(tenantId, userId, clientId, ct).ConfigureAwait(false);
        return scopes.All(given.Contains);
    }

    public async ValueTask GiveAsync(string tenantId, string userId, string clientId, IReadOnlyList<string> scopes, CancellationToken ct) =>
        await sender.Send(new GiveConsent(tenantId, userId, clientId, scopes), ct).ConfigureAwait(false);
}
