using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace KoderId.Oidc.Common;

/// <summary>The error codes of RFC 6749 §4.1.2.1 / §5.2, RFC 6750 §3.1, RFC 7591 §3.2.2, OIDC Core §3.1.2.6.</summary>
public static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string UnsupportedResponseType = "unsupported_response_type";
    public const string InvalidScope = "invalid_scope";
    public const string AccessDenied = "access_denied";
    public const string ServerError = "server_error";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";
    public const string LoginRequired = "login_required";
    public const string ConsentRequired = "consent_required";
    public const string InteractionRequired = "interaction_required";
    public const string InvalidRequestUri = "invalid_request_uri";
    public const string InvalidRequestObject = "invalid_request_object";
    public const string RequestNotSupported = "request_not_supported";
    public const string RequestUriNotSupported = "request_uri_not_supported";
    public const string RegistrationNotSupported = "registration_not_supported";
    public const string InvalidRedirectUri = "invalid_redirect_uri";
    public const string InvalidClientMetadata = "invalid_client_metadata";
    public const string UnsupportedTokenType = "unsupported_token_type";
}

/// <summary>
/// A refused protocol request. Thrown by validators anywhere below an endpoint and turned into RFC 6749 error
/// JSON (status 400 unless stated; 401 with <c>WWW-Authenticate</c> for client authentication failures) by
/// <see cref="OAuthResults.Error"/>. The description is for developers and never holds a secret.
/// </summary>
public sealed class OAuthException(string error, string description, int status = StatusCodes.Status400BadRequest) : Exception(description)
{
    public string Error { get; } = error;

    public string Description { get; } = description;

    public int Status { get; } = status;
}

/// <summary>The JSON body of an OAuth error response.</summary>
public sealed record OAuthErrorBody(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription);

public static class OAuthResults
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>RFC 6749 §5.2 error JSON with <c>Cache-Control: no-store</c>; a 401 carries a <c>WWW-Authenticate</c> challenge.</summary>
    public static IResult Error(OAuthException error, string? challengeScheme = "Basic")
    {
        ArgumentNullException.ThrowIfNull(error);
        return new ErrorResult(error, challengeScheme);
    }

    public static IResult Error(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        Error(new OAuthException(error, description, status));

    /// <summary>A JSON body no cache may keep (RFC 6749 §5.1: token responses, and every other protocol response with a secret).</summary>
    public static IResult NoStoreJson<T>(T body, int status = StatusCodes.Status200OK) => new NoStoreJsonResult<T>(body, status);

    public static void SetNoStore(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }

    private sealed class ErrorResult(OAuthException error, string? challengeScheme) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = error.Status;
            SetNoStore(response);
            if (error.Status == StatusCodes.Status401Unauthorized && challengeScheme is not null)
            {
                response.Headers.WWWAuthenticate = $"{challengeScheme} error=\"{error.Error}\"";
            }

            return response.WriteAsJsonAsync(new OAuthErrorBody(error.Error, error.Description), Json, "application/json", httpContext.RequestAborted);
        }
    }

    private sealed class NoStoreJsonResult<T>(T body, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            SetNoStore(httpContext.Response);
            return httpContext.Response.WriteAsJsonAsync(body, Json, "application/json", httpContext.RequestAborted);
        }
    }
}
