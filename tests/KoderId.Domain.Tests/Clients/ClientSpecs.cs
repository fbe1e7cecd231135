using KoderId.Domain.Clients;
using KoderId.Events.Clients;

namespace KoderId.Domain.Tests.Clients;

public sealed class ClientSpecs
{
    private const string Id = "0197a3f2c1d47c3e9b5a2f6d8e0c1b2a";
    private const string Hash = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";
    private const string TokenHash = "q1bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";
    private const string Jwks = """{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}""";

    private static readonly ClientDraft Web = new(Name: "Shop", RedirectUris: ["https://shop.example.com/cb"]);

    private static Spec<ClientState> Client() => new(ClientState.Initial, Domain.Clients.Client.Evolve);

    private static ClientRegistered Registered(Spec<ClientState>.Outcome outcome) => Assert.IsType<ClientRegistered>(Assert.Single(outcome.Events));

    [Fact]
    public void a_web_client_gets_the_secure_defaults_and_keeps_only_the_secret_hash()
    {
        var e = Registered(Client().When(s => Domain.Clients.Client.Register(s, Id, Web, ClientRegistrations.Admin, Hash, TokenHash)));
        Assert.Equal(("confidential", "client_secret_basic", "RS256", true, false), (e.ClientType, e.TokenEndpointAuthMethod, e.IdTokenSignedResponseAlg, e.RequirePkce, e.FirstParty));
        Assert.Equal(["authorization_code"], e.GrantTypes);
        Assert.Equal(["code"], e.ResponseTypes);
        Assert.Equal(["openid", "profile", "email"], e.Scopes);
        Assert.Equal(Hash, e.SecretHash);
        Assert.Null(e.RegistrationAccessTokenHash);
    }

    [Fact]
    public void a_public_client_is_none_without_secret_and_cannot_turn_pkce_off()
    {
        var native = new ClientDraft(Name: "App", TokenEndpointAuthMethod: "none", RedirectUris: ["com.example.app:/cb"]);
        var e = Registered(Client().When(s => Domain.Clients.Client.Register(s, Id, native, ClientRegistrations.Admin, Hash, null)));
        Assert.Equal("public", e.ClientType);
        Assert.Null(e.SecretHash);

        Client().When(s => Domain.Clients.Client.Register(s, Id, native with { RequirePkce = false }, ClientRegistrations.Admin, Hash, null))
            .ThenFails(DomainErrors.ClientPkceRequired);
        Client().When(s => Domain.Clients.Client.Register(s, Id, native with { ClientType = "public", TokenEndpointAuthMethod = "client_secret_basic" }, ClientRegistrations.Admin, Hash, null))
            .ThenFails(DomainErrors.ClientInvalidAuthMethod);
        Client().When(s => Domain.Clients.Client.Register(s, Id, native with { GrantTypes = ["client_credentials"] }, ClientRegistrations.Admin, Hash, null))
            .ThenFails(DomainErrors.ClientInvalidGrantType);
    }

    [Fact]
    public void a_dynamic_client_is_never_first_party_and_keeps_its_registration_token_hash()
    {
        var e = Registered(Client().When(s => Domain.Clients.Client.Register(s, Id, Web with { FirstParty = true }, ClientRegistrations.Dynamic, Hash, TokenHash)));
        Assert.False(e.FirstParty);
        Assert.Equal(TokenHash, e.RegistrationAccessTokenHash);
        Assert.True(Registered(Client().When(s => Domain.Clients.Client.Register(s, Id, Web with { FirstParty = true }, ClientRegistrations.Admin, Hash, null))).FirstParty);
    }

    [Theory]
    [InlineData(DomainErrors.ClientInvalidRedirectUri, "redirect")]
    [InlineData(DomainErrors.ClientInvalidGrantType, "grant")]
    [InlineData(DomainErrors.ClientInvalidGrantType, "refresh-alone")]
    [InlineData(DomainErrors.ClientInvalidResponseType, "token")]
    [InlineData(DomainErrors.ClientInvalidAuthMethod, "method")]
    [InlineData(DomainErrors.ClientInvalidScope, "scope")]
    [InlineData(DomainErrors.ClientInvalidLifetime, "lifetime")]
    [InlineData(DomainErrors.ClientInvalidSigningAlg, "alg")]
    [InlineData(DomainErrors.ClientInvalidJwks, "jwks-missing")]
    [InlineData(DomainErrors.ClientInvalidJwks, "jwks-private")]
    [InlineData(DomainErrors.ClientInvalidJwks, "jwks-both")]
    [InlineData(DomainErrors.ClientInvalidJwks, "jwks-uri-only")]
    [InlineData(DomainErrors.ClientInvalidJwks, "jwks-uri-http")]
    [InlineData(DomainErrors.ClientInvalidJwks, "jwks-exp-text")]
    [InlineData(DomainErrors.ClientInvalidJwks, "jwks-exp-fraction")]
    [InlineData(DomainErrors.ClientInvalidJwks, "jwks-exp-past-9999")]
    [InlineData(DomainErrors.ClientInvalidName, "name")]
    [InlineData(DomainErrors.ClientInvalidType, "type")]
    [InlineData(DomainErrors.ClientInvalidPostLogoutRedirectUri, "logout")]
    [InlineData(DomainErrors.ClientInvalidRedirectUri, "duplicate")]
    public void metadata_that_breaks_a_rule_is_refused_with_its_code(string code, string what)
    {
        var draft = what switch
        {
            "redirect" => Web with { RedirectUris = [] },
            "grant" => Web with { GrantTypes = ["password"] },
            "refresh-alone" => Web with { GrantTypes = ["refresh_token"] },
            "token" => Web with { ResponseTypes = ["token"] },
            "method" => Web with { TokenEndpointAuthMethod = "client_secret_jwt" },
            "scope" => Web with { Scopes = ["a b"] },
            "lifetime" => Web with { AccessTokenLifetime = 10 },
            "alg" => Web with { IdTokenSignedResponseAlg = "HS256" },
            "jwks-missing" => Web with { TokenEndpointAuthMethod = "private_key_jwt" },
            "jwks-private" => Web with { TokenEndpointAuthMethod = "private_key_jwt", Jwks = """{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"}]}""" },
            "jwks-both" => Web with { TokenEndpointAuthMethod = "private_key_jwt", Jwks = Jwks, JwksUri = "https://shop.example.com/jwks" },
            "jwks-uri-only" => Web with { TokenEndpointAuthMethod = "private_key_jwt", JwksUri = "https://shop.example.com/jwks" },
            "jwks-uri-http" => Web with { JwksUri = "http://shop.example.com/jwks" },
            "jwks-exp-text" => Web with { TokenEndpointAuthMethod = "private_key_jwt", Jwks = Jwks.Replace("\"kty\"", "\"exp\":\"2030-01-01\",\"kty\"", StringComparison.Ordinal) },
            "jwks-exp-fraction" => Web with { TokenEndpointAuthMethod = "private_key_jwt", Jwks = Jwks.Replace("\"kty\"", "\"exp\":1.5,\"kty\"", StringComparison.Ordinal) },
            "jwks-exp-past-9999" => Web with { TokenEndpointAuthMethod = "private_key_jwt", Jwks = Jwks.Replace("\"kty\"", "\"exp\":253402300800,\"kty\"", StringComparison.Ordinal) },
            "name" => Web with { Name = " " },
            "type" => Web with { ClientType = "spa" },
            "logout" => Web with { PostLogoutRedirectUris = ["javascript:alert(1)"] },
            "duplicate" => Web with { RedirectUris = ["https://shop.example.com/cb", "https://shop.example.com/cb"] },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        Client().When(s => Domain.Clients.Client.Register(s, Id, draft, ClientRegistrations.Admin, Hash, null)).ThenFails(code);
    }

    [Fact]
    public void a_jwk_may_carry_its_expiry_as_a_numeric_date()
    {
        var keyed = Web with { TokenEndpointAuthMethod = "private_key_jwt", Jwks = Jwks.Replace("\"kty\"", "\"exp\":253402300799,\"kty\"", StringComparison.Ordinal) };
        var e = Registered(Client().When(s => Domain.Clients.Client.Register(s, Id, keyed, ClientRegistrations.Admin, Hash, null)));
        Assert.Contains("\"exp\":253402300799", e.Jwks, StringComparison.Ordinal);
    }

    [Fact]
    public void a_machine_client_has_no_redirect_uris_and_no_response_types()
    {
        var e = Registered(Client().When(s => Domain.Clients.Client.Register(s, Id, new ClientDraft(Name: "Batch", GrantTypes: ["client_credentials"]), ClientRegistrations.Admin, Hash, null)));
        Assert.Empty(e.RedirectUris);
        Assert.Empty(e.ResponseTypes);
    }

    [Fact]
    public void an_update_replaces_the_metadata_and_an_identical_one_appends_nothing()
    {
        var spec = Client().Given(Registered(Client().When(s => Domain.Clients.Client.Register(s, Id, Web, ClientRegistrations.Admin, Hash, null))));
        var updated = Assert.IsType<ClientUpdated>(Assert.Single(spec.When(s => Domain.Clients.Client.Update(s, Web with { Name = "Shop 2" })).Events));
        Assert.Equal("Shop 2", updated.Name);
        spec.When(s => Domain.Clients.Client.Update(s, Web)).ThenNothing();
        spec.When(s => Domain.Clients.Client.Update(s, Web with { TokenEndpointAuthMethod = "none", ClientType = "public" })).ThenFails(DomainErrors.ClientTypeImmutable);
    }

    [Fact]
    public void moving_to_a_secret_method_needs_a_secret_and_rotation_gives_one()
    {
        var keyed = Web with { TokenEndpointAuthMethod = "private_key_jwt", Jwks = Jwks };
        var spec = Client().Given(Registered(Client().When(s => Domain.Clients.Client.Register(s, Id, keyed, ClientRegistrations.Admin, Hash, null))));
        Assert.Null(spec.State.SecretHash);
        spec.When(s => Domain.Clients.Client.Update(s, Web)).ThenFails(DomainErrors.ClientSecretRequired);
        spec.When(s => Domain.Clients.Client.RotateSecret(s, Hash)).Then(new ClientSecretRotated(Id, Hash));
        spec.Given(new ClientSecretRotated(Id, Hash)).When(s => Domain.Clients.Client.Update(s, Web)).Events.Single();
    }

    [Fact]
    public void a_public_client_has_no_secret_to_rotate()
    {
        var native = new ClientDraft(Name: "App", TokenEndpointAuthMethod: "none", RedirectUris: ["http://127.0.0.1/cb"]);
        Client().Given(Registered(Client().When(s => Domain.Clients.Client.Register(s, Id, native, ClientRegistrations.Admin, Hash, null))))
            .When(s => Domain.Clients.Client.RotateSecret(s, Hash)).ThenFails(DomainErrors.ClientSecretNotApplicable);
    }

    [Fact]
    public void a_deleted_client_is_gone_for_every_decision_and_its_id_is_never_reused()
    {
        var spec = Client().Given(Registered(Client().When(s => Domain.Clients.Client.Register(s, Id, Web, ClientRegistrations.Admin, Hash, null))));
        spec.When(Domain.Clients.Client.Delete).Then(new ClientDeleted(Id));
        spec.Given(new ClientDeleted(Id));
        spec.When(Domain.Clients.Client.Delete).ThenFails(DomainErrors.ClientNotFound);
        spec.When(s => Domain.Clients.Client.RotateSecret(s, Hash)).ThenFails(DomainErrors.ClientNotFound);
        spec.When(s => Domain.Clients.Client.Update(s, Web)).ThenFails(DomainErrors.ClientNotFound);
        spec.When(s => Domain.Clients.Client.Register(s, Id, Web, ClientRegistrations.Admin, Hash, null)).ThenFails(DomainErrors.ClientIdTaken);
    }

    [Fact]
    public void an_unknown_client_is_not_found() =>
        Client().When(s => Domain.Clients.Client.Update(s, Web)).ThenFails(DomainErrors.ClientNotFound);
}
