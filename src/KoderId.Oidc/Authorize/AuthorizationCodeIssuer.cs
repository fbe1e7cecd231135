using KoderId.Application.Grants;
using KoderId.Application.Tenants;
using Mediator;

namespace KoderId.Oidc.Authorize;

/// <summary>Issues the code through the grant commands, with the tenant's code lifetime.</summary>
public sealed class AuthorizationCodeIssuer(ISender sender, ITenantSettingsProvider settings) : IAuthorizationCodeIssuer
{
    public async ValueTask<string> IssueAsync(ValidatedAuthorizeRequest request, SsoSession session, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(session);
        var tokens = (await settings.GetAsync(request.TenantId, ct).ConfigureAwait(false)).Tokens;
        var issued = await sender.Send(
            new IssueAuthorizationCode(
                request.TenantId, request.ClientId, request.RedirectUri, request.Scope, session.SessionId, request.Nonce,
                request.CodeChallenge, request.CodeChallengeMethod, TimeSpan.FromSeconds(tokens.AuthorizationCodeSeconds)),
            ct).ConfigureAwait(false);
        return issued.Code;
    }
}
