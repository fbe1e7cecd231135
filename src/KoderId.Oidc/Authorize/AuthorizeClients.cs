using KoderId.Projections.Clients;

namespace KoderId.Oidc.Authorize;

/// <summary>The authorize endpoint's view of a client, from the cached client directory.</summary>
public sealed class AuthorizeClients(ClientDirectory clients) : IAuthorizeClients
{
    public async ValueTask<AuthorizeClient?> FindAsync(string tenantId, string clientId, CancellationToken ct)
    {
        var record = await clients.FindAsync(tenantId, clientId, ct).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }

        var view = record.View;
        return new AuthorizeClient(
            view.ClientId, view.Name, view.ClientType == "public", view.RedirectUris, view.GrantTypes, view.Scopes, view.FirstParty, view.RequirePkce);
    }
}
