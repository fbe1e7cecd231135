using KoderId.Domain;
using KoderId.Oidc.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Token;

/// <summary>
/// The form-encoded body of a back-channel protocol request (token, introspection, revocation): POST, the
/// right media type, a bounded size, no parameter twice (RFC 6749 §3.2) — each refusal an OAuth error.
/// </summary>
public static class ProtocolForm
{
    public static async Task<IFormCollection> ReadAsync(HttpContext http, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!http.Request.HasFormContentType || !string.Equals(http.Request.ContentType?.Split(';')[0].Trim(), "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            throw new OAuthException(OAuthErrors.InvalidRequest, "The body must be application/x-www-form-urlencoded.");
        }

        if (http.Request.ContentLength > maxBytes)
        {
            throw new OAuthException(OAuthErrors.InvalidRequest, "The request body is too large.", StatusCodes.Status413PayloadTooLarge);
        }

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions
            {
                BufferBody = false,
                ValueCountLimit = 64,
                KeyLengthLimit = 256,
                ValueLengthLimit = (int)maxBytes,
            }, http.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            throw new OAuthException(OAuthErrors.InvalidRequest, "The form is malformed or too large.");
        }
        catch (BadHttpRequestException)
        {
            throw new OAuthException(OAuthErrors.InvalidRequest, "The form is malformed or too large.");
        }

        foreach (var (name, values) in form)
        {
            if (values.Count > 1)
            {
                throw new OAuthException(OAuthErrors.InvalidRequest, $"The {Printable(name)} parameter is repeated.");
            }
        }

        return form;
    }

    /// <summary>The protocol tenant; a blocked tenant issues and refreshes nothing (403).</summary>
    public static async Task<OidcTenant> TenantAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        try
        {
            return await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, http.RequestAborted).ConfigureAwait(false);
        }
        catch (DomainException error) when (error.Code == DomainErrors.TenantBlocked)
        {
            throw new OAuthException(OAuthErrors.UnauthorizedClient, $"The tenant is blocked. ({error.Code})", StatusCodes.Status403Forbidden);
        }
    }

    public static string? Single(IFormCollection form, string name)
    {
        ArgumentNullException.ThrowIfNull(form);
        var value = form[name].ToString();
        return value.Length == 0 ? null : value;
    }

    public static IReadOnlyList<string> Scopes(string? scope) =>
        (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>A refused grant decision: <c>invalid_grant</c>, whatever the domain's reason (the description says which).</summary>
    public static OAuthException FromDomain(DomainException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Code == DomainErrors.TenantBlocked
            ? new OAuthException(OAuthErrors.UnauthorizedClient, $"The tenant is blocked. ({error.Code})", StatusCodes.Status403Forbidden)
            : new OAuthException(OAuthErrors.InvalidGrant, $"{error.Message} ({error.Code})");
    }

    /// <summary>
    /// The error with our code at the end of its description (the convention of docs/errors.md, KID2140–KID2149 for
    /// the token, introspection and revocation endpoints' own refusals); one that already names a code is kept.
    /// </summary>
    public static OAuthException WithCode(OAuthException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.Description.EndsWith(')') && error.Description.Contains("(KID", StringComparison.Ordinal))
        {
            return error;
        }

        var code = error.Error switch
        {
            OAuthErrors.InvalidRequest => TokenErrorCodes.InvalidRequest,
            OAuthErrors.UnsupportedGrantType => TokenErrorCodes.UnsupportedGrantType,
            OAuthErrors.UnauthorizedClient => TokenErrorCodes.UnauthorizedClient,
            OAuthErrors.InvalidScope => TokenErrorCodes.InvalidScope,
            OAuthErrors.InvalidGrant => TokenErrorCodes.InvalidGrant,
            OAuthErrors.UnsupportedTokenType => TokenErrorCodes.UnsupportedTokenType,
            _ => TokenErrorCodes.InvalidRequest,
        };
        return new OAuthException(error.Error, $"{error.Description} ({code})", error.Status);
    }

    private static string Printable(string value) => "'" + new string(value.Where(c => c is >= ' ' and <= '~').Take(40).ToArray()) + "'";
}

/// <summary>KID2140–KID2149 (docs/errors.md): refusals of the back-channel protocol endpoints that are not a domain decision.</summary>
public static class TokenErrorCodes
{
    public const string InvalidRequest = "KID2140";
    public const string UnsupportedGrantType = "KID2141";
    public const string UnauthorizedClient = "KID2142";
    public const string InvalidScope = "KID2143";
    public const string InvalidGrant = "KID2144";
    public const string UnsupportedTokenType = "KID2145";
}
