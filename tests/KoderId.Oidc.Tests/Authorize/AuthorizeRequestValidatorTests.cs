using KoderId.Oidc.Authorize;
using KoderId.Oidc.Common;
using Microsoft.Extensions.Primitives;

namespace KoderId.Oidc.Tests.Authorize;

public sealed class AuthorizeRequestValidatorTests
{
    private const string Challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly AuthorizeClient Web = new(
        "web", "Web app", IsPublic: false, ["https://app.example/cb", "http://127.0.0.1/native"], ["authorization_code", "refresh_token"],
        ["openid", "profile", "email", "offline_access"], FirstParty: true, RequirePkce: true);

    private static readonly AuthorizeClient Legacy = Web with { ClientId = "legacy", RequirePkce = false };

    private static Dictionary<string, StringValues> Request(params (string Name, string Value)[] overrides)
    {
        var parameters = new Dictionary<string, StringValues>(StringComparer.Ordinal)
        {
            ["client_id"] = "web",
            ["redirect_uri"] = "https://app.example/cb",
            ["response_type"] = "code",
            ["scope"] = "openid profile",
            ["state"] = "xyz",
            ["code_challenge"] = Challenge,
            ["code_challenge_method"] = "S256",
        };
        foreach (var (name, value) in overrides)
        {
            if (value.Length == 0)
            {
                parameters.Remove(name);
            }
            else
            {
                parameters[name] = value;
            }
        }

        return parameters;
    }

    private sealed class Clients(params AuthorizeClient[] clients) : IAuthorizeClients
    {
        public ValueTask<AuthorizeClient?> FindAsync(string tenantId, string clientId, CancellationToken ct) =>
            ValueTask.FromResult(tenantId == "acme" ? clients.FirstOrDefault(c => c.ClientId == clientId) : null);
    }

    [Fact]
    public void a_complete_request_is_valid()
    {
        var request = AuthorizeRequestValidator.Validate(Request(("nonce", "n-1"), ("max_age", "300"), ("login_hint", "alice")), "acme", Web, "https://app.example/cb", Now);

        Assert.Equal(["openid", "profile"], request.Scopes);
        Assert.Equal("xyz", request.State);
        Assert.Equal("n-1", request.Nonce);
        Assert.Equal(300, request.MaxAge);
        Assert.Equal("alice", request.LoginHint);
        Assert.Equal("S256", request.CodeChallengeMethod);
    }

    [Theory]
    [InlineData("https://app.example/cb", true)]
    [InlineData("https://app.example/cb/", false)]
    [InlineData("https://APP.example/cb", false)]
    [InlineData("https://app.example/CB", false)]
    [InlineData("https://app.example/cb?x=1", false)]
    [InlineData("https://app.example/cb#frag", false)]
    [InlineData("https://app.example:8443/cb", false)]
    [InlineData("https://evil.example/cb", false)]
    [InlineData("https://user@app.example/cb", false)]
    [InlineData("http://app.example/cb", false)]
    [InlineData("http://127.0.0.1:51004/native", true)]
    [InlineData("http://127.0.0.1/native", true)]
    [InlineData("http://127.0.0.1:51004/native/x", false)]
    [InlineData("http://localhost:51004/native", false)]
    [InlineData("http://[::1]:51004/native", false)]
    public async Task the_redirect_uri_must_match_exactly_except_a_loopback_port(string redirectUri, bool accepted)
    {
        var (_, verified, problem) = await AuthorizeRequestValidator.ValidateClientAsync(Request(("redirect_uri", redirectUri)), "acme", new Clients(Web), default);

        Assert.Equal(accepted, problem is null);
        Assert.Equal(accepted ? redirectUri : null, verified);
    }

    [Fact]
    public async Task an_unknown_client_or_another_tenants_client_is_not_trusted()
    {
        Assert.NotNull((await AuthorizeRequestValidator.ValidateClientAsync(Request(("client_id", "nobody")), "acme", new Clients(Web), default)).Problem);
        Assert.NotNull((await AuthorizeRequestValidator.ValidateClientAsync(Request(), "beta", new Clients(Web), default)).Problem);
    }

    [Fact]
    public async Task a_repeated_client_id_or_redirect_uri_is_not_trusted()
    {
        var twoClients = Request();
        twoClients["client_id"] = new StringValues(["web", "web"]);
        var twoRedirects = Request();
        twoRedirects["redirect_uri"] = new StringValues(["https://app.example/cb", "https://app.example/cb"]);

        Assert.NotNull((await AuthorizeRequestValidator.ValidateClientAsync(twoClients, "acme", new Clients(Web), default)).Problem);
        Assert.NotNull((await AuthorizeRequestValidator.ValidateClientAsync(twoRedirects, "acme", new Clients(Web), default)).Problem);
        Assert.NotNull((await AuthorizeRequestValidator.ValidateClientAsync(Request(("redirect_uri", "")), "acme", new Clients(Web), default)).Problem);
    }

    [Theory]
    [InlineData("response_type", "", OAuthErrors.InvalidRequest)]
    [InlineData("response_type", "token", OAuthErrors.UnsupportedResponseType)]
    [InlineData("response_type", "code id_token", OAuthErrors.UnsupportedResponseType)]
    [InlineData("response_mode", "fragment", OAuthErrors.InvalidRequest)]
    [InlineData("scope", "", OAuthErrors.InvalidScope)]
    [InlineData("scope", "openid admin", OAuthErrors.InvalidScope)]
    [InlineData("scope", "openid roles", OAuthErrors.InvalidScope)]
    [InlineData("code_challenge", "", OAuthErrors.InvalidRequest)]
    [InlineData("code_challenge_method", "plain", OAuthErrors.InvalidRequest)]
    [InlineData("code_challenge_method", "", OAuthErrors.InvalidRequest)]
    [InlineData("code_challenge", "too-short", OAuthErrors.InvalidRequest)]
    [InlineData("prompt", "none login", OAuthErrors.InvalidRequest)]
    [InlineData("prompt", "sometimes", OAuthErrors.InvalidRequest)]
    [InlineData("max_age", "-1", OAuthErrors.InvalidRequest)]
    [InlineData("max_age", "soon", OAuthErrors.InvalidRequest)]
    [InlineData("request", "eyJhbGciOiJub25lIn0.e30.", OAuthErrors.RequestNotSupported)]
    [InlineData("request_uri", "https://evil.example/r", OAuthErrors.RequestUriNotSupported)]
    public void a_bad_parameter_is_refused_with_the_rfc_error(string name, string value, string error)
    {
        var refused = Assert.Throws<OAuthException>(() => AuthorizeRequestValidator.Validate(Request((name, value)), "acme", Web, "https://app.example/cb", Now));

        Assert.Equal(error, refused.Error);
    }

    [Fact]
    public void a_repeated_parameter_is_invalid()
    {
        var parameters = Request();
        parameters["scope"] = new StringValues(["openid", "openid email"]);

        Assert.Equal(OAuthErrors.InvalidRequest, Assert.Throws<OAuthException>(() => AuthorizeRequestValidator.Validate(parameters, "acme", Web, "https://app.example/cb", Now)).Error);
    }

    [Fact]
    public void pkce_may_be_omitted_only_by_a_confidential_client_that_does_not_require_it()
    {
        var request = AuthorizeRequestValidator.Validate(Request(("client_id", "legacy"), ("code_challenge", ""), ("code_challenge_method", "")), "acme", Legacy, "https://app.example/cb", Now);
        Assert.Null(request.CodeChallenge);

        var publicClient = Legacy with { IsPublic = true };
        Assert.Throws<OAuthException>(() => AuthorizeRequestValidator.Validate(Request(("code_challenge", ""), ("code_challenge_method", "")), "acme", publicClient, "https://app.example/cb", Now));
    }

    [Fact]
    public void a_client_without_the_code_grant_is_unauthorized()
    {
        var machine = Web with { GrantTypes = ["client_credentials"] };

        Assert.Equal(OAuthErrors.UnauthorizedClient, Assert.Throws<OAuthException>(() => AuthorizeRequestValidator.Validate(Request(), "acme", machine, "https://app.example/cb", Now)).Error);
    }

    [Fact]
    public void the_state_is_echoed_only_when_sent_once()
    {
        Assert.Equal("xyz", AuthorizeRequestValidator.StateOf(Request()));
        var twice = Request();
        twice["state"] = new StringValues(["a", "b"]);
        Assert.Null(AuthorizeRequestValidator.StateOf(twice));
    }
}
