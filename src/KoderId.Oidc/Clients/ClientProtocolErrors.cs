using KoderId.Oidc.Common;
using Microsoft.AspNetCore.Http;

namespace KoderId.Oidc.Clients;

/// <summary>
/// KID2100–KID2119 (docs/errors.md): client authentication and dynamic registration. OAuth error JSON has no
/// member for our code, so the code ends the <c>error_description</c> in parentheses: the RFC's <c>error</c>
/// stays what a library acts on, the code is what a developer searches the catalogue for.
/// </summary>
public static class ClientProtocolErrors
{
    public const string AuthenticationFailed = "KID2100";
    public const string MultipleAuthMethods = "KID2101";
    public const string InvalidAuthRequest = "KID2102";
    public const string RegistrationUnauthorized = "KID2103";
    public const string InvalidClientMetadata = "KID2104";
    public const string InvalidRedirectUri = "KID2105";
    public const string InvalidRegistrationToken = "KID2106";
    public const string MalformedRegistration = "KID2107";
    public const string RegistrationTooLarge = "KID2108";
    public const string RegistrationMediaType = "KID2109";

    /// <summary>The one answer to every client authentication failure: unknown client, wrong secret, wrong method, bad assertion, replay.</summary>
    public static OAuthException ClientAuthenticationFailed() =>
        new(OAuthErrors.InvalidClient, $"Client authentication failed. ({AuthenticationFailed})", StatusCodes.Status401Unauthorized);

    public static OAuthException Error(string error, string code, string description, int status = StatusCodes.Status400BadRequest) =>
        new(error, $"{description} ({code})", status);
}
