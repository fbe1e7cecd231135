using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Oidc.Keys;
using KoderId.Oidc.Token;
using KoderId.Projections.Clients;
using KoderId.Projections.Grants;
using KoderId.Projections.Sessions;
using KoderId.Projections.Users;
using Microsoft.Extensions.Options;

namespace KoderId.Oidc.Common;

/// <summary>An access token that is active now: signature, issuer, type and lifetime hold, and so does everything it depends on.</summary>
/// <param name="SessionId">The token's session: a user's token has one, a client's own token (client_credentials) none.</param>
/// <param name="Username">The user's username, for a user token.</param>
public sealed record ActiveAccessToken(ValidatedToken Token, string Subject, string ClientId, string? SessionId, IReadOnlyList<string> Scopes, long ExpiresAt, string? Username)
{
    public bool IsUserToken => SessionId is not null;

    public string? Claim(string name) => Token.Claim(name);

    public long? Seconds(string name) =>
        Token.Claims.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var s) ? s : null;
}

/// <summary>Why an access token is not active: a KID code (KID2120–KID2129 for the JWT itself, KID2150–KID2157 otherwise) and a description without the token.</summary>
public sealed record AccessTokenRefusal(string Code, string Description);

public sealed record AccessTokenCheck(ActiveAccessToken? Active, AccessTokenRefusal? Refusal)
{
    public static AccessTokenCheck Refuse(string code, string description) => new(null, new AccessTokenRefusal(code, description));
}

/// <summary>
/// The check of one of our access tokens shared by introspection, userinfo and <c>/v1/sessions</c> (ADR 0004, "hot
/// paths append nothing"): the JWT (<see cref="JwtValidator"/>, <c>typ: at+jwt</c>, the tenant's issuer, its
/// <c>tid</c>), then on every call the state it depends on, primary-key reads in one statement so revocation is immediate:
/// the session (<c>sid</c>) active and the user's, the refresh family (<c>rfid</c>) active, the <c>jti</c> not
/// revoked, the user active (disabled, deleted or erased → refused), the client still registered.
/// Only the signature check is cached (<see cref="SignatureCache"/>): it is the cost (ES256 ~0.15 ms) and a
/// signature that verified once verifies until the token's <c>exp</c>.
/// </summary>
public sealed class AccessTokenValidator(
    JwtValidator jwt,
    SignatureCache cache,
    AccessTokenStateDirectory states,
    ClientDirectory clients,
    IClock clock,
    IOptions<KeyOptions> keyOptions)
{
    public async ValueTask<AccessTokenCheck> ValidateAsync(OidcTenant tenant, string? token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var now = clock.UtcNow;
        var validated = cache.Find(tenant.TenantId, tenant.Issuer, token, now - keyOptions.Value.ClockSkew);
        if (validated is null)
        {
            var result = await jwt.ValidateAsync(tenant.TenantId, tenant.Issuer, token, TokenIssuer.AccessTokenType, ct).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                return AccessTokenCheck.Refuse(result.Failure!.Code, result.Failure.Description);
            }

            validated = result.Token!;
            cache.Add(tenant.TenantId, tenant.Issuer, token!, validated, now);
        }

        var subject = validated.Claim("sub");
        var clientId = validated.Claim("client_id");
        var exp = validated.Claims.GetProperty("exp").TryGetInt64(out var e) ? e : 0;
        if (string.IsNullOrEmpty(subject) || string.IsNullOrEmpty(clientId) || !string.Equals(validated.Claim("tid"), tenant.TenantId, StringComparison.Ordinal))
        {
            return AccessTokenCheck.Refuse(TokenErrors.Malformed, "The token lacks sub, client_id or this tenant's tid.");
        }

        var scopes = ProtocolForm.Scopes(validated.Claim("scope"));
        var sid = validated.Claim("sid");
        var rfid = validated.Claim("rfid");
        var jti = validated.Claim("jti");

        // One statement for every read-model fact the token depends on (each a primary-key lookup).
        var state = await states.GetAsync(tenant.TenantId, sid, rfid, rfid is null ? jti : null, subject, now, ct).ConfigureAwait(false);

        // The session first: its revocation also revokes its families, and "the session ended" is the truer reason.
        if (sid is not null && !string.Equals(state.SessionUserId, subject, StringComparison.Ordinal))
        {
            return AccessTokenCheck.Refuse(EndpointErrors.BearerSessionEnded, "The token's session was revoked or has ended.");
        }

        if (rfid is not null ? !state.FamilyActive : state.JtiRevoked)
        {
            return AccessTokenCheck.Refuse(EndpointErrors.BearerTokenRevoked,
                rfid is not null ? "The token's refresh family was revoked or has ended." : "The token was revoked.");
        }

        if (sid is null)
        {
            // A client's own token (client_credentials): it lives as long as its client.
            return await clients.FindAsync(tenant.TenantId, clientId, ct).ConfigureAwait(false) is null
                ? AccessTokenCheck.Refuse(EndpointErrors.BearerClientGone, "The token's client no longer exists.")
                : new AccessTokenCheck(new ActiveAccessToken(validated, subject, clientId, null, scopes, exp, null), null);
        }

        if (state.UserStatus is not UserStatus.Active)
        {
            return AccessTokenCheck.Refuse(EndpointErrors.BearerUserInactive, "The token's user is disabled or deleted.");
        }

        return new AccessTokenCheck(new ActiveAccessToken(validated, subject, clientId, sid, scopes, exp, state.Username), null);
    }
}

/// <summary>
/// Successful signature validations of access tokens, keyed by the token's SHA-256 (32 bytes rather than the
/// token's ~1 KB, so a full cache stays around 16 MB), each kept until the token's <c>exp</c>. Bounded: when full, expired entries are swept, and if it is still full it starts over (a cache
/// miss costs one verification, never a wrong answer). An entry only answers for the tenant and issuer it was
/// validated for, so another tenant's host still refuses the token.
/// </summary>
public sealed class SignatureCache
{
    public const int Capacity = 16_384;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public ValidatedToken? Find(string tenantId, string issuer, string? token, DateTimeOffset notExpiredAt)
    {
        if (token is null || token.Length > JwtValidator.MaxTokenLength || !_entries.TryGetValue(Key(token), out var entry))
        {
            return null;
        }

        if (entry.ExpiresAt <= notExpiredAt)
        {
            _entries.TryRemove(Key(token), out _);
            return null;
        }

        return string.Equals(entry.TenantId, tenantId, StringComparison.Ordinal) && string.Equals(entry.Issuer, issuer, StringComparison.Ordinal)
            ? entry.Token
            : null;
    }

    public void Add(string tenantId, string issuer, string token, ValidatedToken validated, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(validated);
        if (!validated.Claims.TryGetProperty("exp", out var exp) || !exp.TryGetInt64(out var seconds) || seconds > now.AddDays(1).ToUnixTimeSeconds())
        {
            return;
        }

        if (_entries.Count >= Capacity)
        {
            foreach (var (key, entry) in _entries)
            {
                if (entry.ExpiresAt <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }

            if (_entries.Count >= Capacity)
            {
                _entries.Clear();
            }
        }

        _entries[Key(token)] = new Entry(tenantId, issuer, validated, DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    private static string Key(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        return Convert.ToBase64String(hash);
    }

    private sealed record Entry(string TenantId, string Issuer, ValidatedToken Token, DateTimeOffset ExpiresAt);
}
