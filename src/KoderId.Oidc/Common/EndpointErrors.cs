namespace KoderId.Oidc.Common;

/// <summary>
/// KID2146–KID2149 and KID2150–KID2169 (docs/errors.md): the refusals of introspection, userinfo, the bearer
/// check of <c>/v1/sessions</c> and end session that are not a JWT failure (those keep their KID2120–KID2129
/// code). As elsewhere the code ends the <c>error_description</c> in parentheses.
/// </summary>
public static class EndpointErrors
{
    public const string IntrospectionPublicClient = "KID2146";
    public const string BearerMissing = "KID2150";
    public const string BearerInvalidRequest = "KID2151";
    public const string BearerSessionEnded = "KID2152";
    public const string BearerTokenRevoked = "KID2153";
    public const string BearerUserInactive = "KID2154";
    public const string BearerNotUserToken = "KID2155";
    public const string BearerInsufficientScope = "KID2156";
    public const string BearerClientGone = "KID2157";
    public const string EndSessionInvalidRequest = "KID2160";
    public const string EndSessionInvalidHint = "KID2161";
    public const string EndSessionUnknownClient = "KID2162";
    public const string EndSessionRedirectMismatch = "KID2163";
    public const string EndSessionClientMismatch = "KID2164";
    public const string EndSessionFormExpired = "KID2165";

    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        [IntrospectionPublicClient] = "introspection.public_client",
        [BearerMissing] = "bearer.missing",
        [BearerInvalidRequest] = "bearer.invalid_request",
        [BearerSessionEnded] = "bearer.session_ended",
        [BearerTokenRevoked] = "bearer.token_revoked",
        [BearerUserInactive] = "bearer.user_inactive",
        [BearerNotUserToken] = "bearer.not_user_token",
        [BearerInsufficientScope] = "bearer.insufficient_scope",
        [BearerClientGone] = "bearer.client_gone",
        [EndSessionInvalidRequest] = "end_session.invalid_request",
        [EndSessionInvalidHint] = "end_session.invalid_id_token_hint",
        [EndSessionUnknownClient] = "end_session.unknown_client",
        [EndSessionRedirectMismatch] = "end_session.post_logout_redirect_uri_mismatch",
        [EndSessionClientMismatch] = "end_session.client_mismatch",
        [EndSessionFormExpired] = "end_session.form_expired",
    };

    /// <summary>Every code and its name, for the errors catalogue and its test.</summary>
    public static IReadOnlyDictionary<string, string> All => Names;
}
