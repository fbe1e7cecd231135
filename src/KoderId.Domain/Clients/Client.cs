using KoderId.Events.Clients;

namespace KoderId.Domain.Clients;

public sealed record ClientState(
    string ClientId,
    ClientSettings? Settings,
    string RegisteredVia,
    string? SecretHash,
    string? RegistrationAccessTokenHash,
    bool Deleted)
{
    public static readonly ClientState Initial = new("", null, "", null, null, false);

    public bool Exists => Settings is not null && !Deleted;
}

/// <summary>
/// Decisions on an OAuth client (ADR 0004). Secrets and registration tokens are made and hashed by the caller
/// (randomness is I/O); decisions only see digests. A deleted client is gone: every later decision is not-found.
/// </summary>
public static class Client
{
    public static ClientState Evolve(ClientState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            ClientRegistered e => state with
            {
                ClientId = e.ClientId,
                Settings = new ClientSettings(e.Name, e.ClientType, [.. e.RedirectUris], [.. e.PostLogoutRedirectUris], [.. e.GrantTypes], [.. e.ResponseTypes],
                    [.. e.Scopes], e.TokenEndpointAuthMethod, e.IdTokenSignedResponseAlg, e.RequirePkce, e.FirstParty, e.Jwks, e.JwksUri,
                    e.AccessTokenLifetime, e.RefreshTokenLifetime, e.IdTokenLifetime),
                RegisteredVia = e.RegisteredVia,
                SecretHash = e.SecretHash,
                RegistrationAccessTokenHash = e.RegistrationAccessTokenHash,
            },
            ClientUpdated e => state with
            {
                Settings = new ClientSettings(e.Name, e.ClientType, [.. e.RedirectUris], [.. e.PostLogoutRedirectUris], [.. e.GrantTypes], [.. e.ResponseTypes],
                    [.. e.Scopes], e.TokenEndpointAuthMethod, e.IdTokenSignedResponseAlg, e.RequirePkce, e.FirstParty, e.Jwks, e.JwksUri,
                    e.AccessTokenLifetime, e.RefreshTokenLifetime, e.IdTokenLifetime),
            },
            ClientSecretRotated e => state with { SecretHash = e.SecretHash },
            ClientDeleted => state with { Deleted = true },
            _ => state,
        };
    }

    /// <param name="secretHash">A fresh secret's digest; kept only when the client authenticates with a secret.</param>
    /// <param name="registrationAccessTokenHash">The RFC 7592 token's digest; kept only for a dynamic registration.</param>
    public static IReadOnlyList<object> Register(
        ClientState state, string clientId, ClientDraft draft, string registeredVia, string secretHash, string? registrationAccessTokenHash)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Settings is not null)
        {
            throw new DomainException(DomainErrors.ClientIdTaken, "A client with this id already exists.");
        }

        if (registeredVia is not (ClientRegistrations.Admin or ClientRegistrations.Dynamic))
        {
            throw new ArgumentOutOfRangeException(nameof(registeredVia), registeredVia, "admin or dynamic");
        }

        var s = ClientRules.Normalize(draft, registeredVia);
        return
        [
            new ClientRegistered(clientId, s.Name, s.ClientType, s.RedirectUris, s.PostLogoutRedirectUris, s.GrantTypes, s.ResponseTypes, s.Scopes,
                s.TokenEndpointAuthMethod, s.IdTokenSignedResponseAlg, s.RequirePkce, s.FirstParty, registeredVia, s.Jwks, s.JwksUri,
                s.AccessTokenLifetime, s.RefreshTokenLifetime, s.IdTokenLifetime,
                s.UsesSecret ? secretHash : null,
                registeredVia == ClientRegistrations.Dynamic ? registrationAccessTokenHash : null),
        ];
    }

    /// <summary>Replaces the metadata. The type is fixed at registration; moving to a secret method needs a secret (rotate first).</summary>
    public static IReadOnlyList<object> Update(ClientState state, ClientDraft draft)
    {
        var current = Require(state);
        var s = ClientRules.Normalize(draft with { ClientType = draft.ClientType ?? current.ClientType }, state.RegisteredVia);
        if (s.ClientType != current.ClientType)
        {
            throw new DomainException(DomainErrors.ClientTypeImmutable, "A client's type (confidential or public) is fixed at registration; register a new client.");
        }

        if (s.UsesSecret && state.SecretHash is null)
        {
            throw new DomainException(DomainErrors.ClientSecretRequired, "The client has no secret yet: rotate its secret before choosing a secret method.");
        }

        if (s.Equals(current))
        {
            return [];
        }

        return
        [
            new ClientUpdated(state.ClientId, s.Name, s.ClientType, s.RedirectUris, s.PostLogoutRedirectUris, s.GrantTypes, s.ResponseTypes, s.Scopes,
                s.TokenEndpointAuthMethod, s.IdTokenSignedResponseAlg, s.RequirePkce, s.FirstParty, s.Jwks, s.JwksUri,
                s.AccessTokenLifetime, s.RefreshTokenLifetime, s.IdTokenLifetime),
        ];
    }

    public static IReadOnlyList<object> RotateSecret(ClientState state, string secretHash)
    {
        var current = Require(state);
        if (current.IsPublic)
        {
            throw new DomainException(DomainErrors.ClientSecretNotApplicable, "A public client has no secret.");
        }

        return [new ClientSecretRotated(state.ClientId, secretHash)];
    }

    public static IReadOnlyList<object> Delete(ClientState state)
    {
        Require(state);
        return [new ClientDeleted(state.ClientId)];
    }

    private static ClientSettings Require(ClientState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Exists ? state.Settings! : throw new DomainException(DomainErrors.ClientNotFound, "The client does not exist.");
    }
}
