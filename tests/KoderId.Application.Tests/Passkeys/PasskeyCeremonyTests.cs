using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Common;
using KoderId.Application.Flows;
using KoderId.Application.Passkeys;
using KoderId.Application.Passkeys.WebAuthn;
using KoderId.Application.Tenants;
using KoderId.Application.Tests.Users;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Events.Passkeys;
using KoderId.EventSourcing.InMemory;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Application.Tests.Passkeys;

/// <summary>
/// The registration ceremony (commands) and the <c>webauthn</c> flow step (factor) end to end on the write side,
/// with a software authenticator: single-use challenges, username-less sign-in, what UV proves, counter
/// regressions, tenant isolation, and the spec's own vector through the real commands.
/// </summary>
public sealed class PasskeyCeremonyTests : IAsyncLifetime
{
    private const string AcmeOrigin = "https://acme.id.example.com";
    private const string GlobexOrigin = "https://globex.id.example.com";
    private readonly InMemoryTransientStore _transient = new();
    private WriteSide _app = null!;
    private string _alice = "";
    private string _bob = "";

    public async Task InitializeAsync()
    {
        _app = new WriteSide(configure: services =>
        {
            services.AddSingleton<ITransientStore>(_transient);
            services.AddSingleton<IPasskeyOwners>(sp => new LogPasskeyOwners(sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<EventSerializer>()));
            services.AddScoped<WebAuthnFactor>();
        });
        await _app.SendAsync(new CreateTenant("acme", "Acme"));
        await _app.SendAsync(new CreateTenant("globex", "Globex"));
        await _app.SendAsync(new CreateTenant("example", "Example"));
        _alice = (await _app.SendAsync(new CreateUser("acme", "alice", "alice@example.com"))).UserId;
        _bob = (await _app.SendAsync(new CreateUser("acme", "bob", "bob@example.com"))).UserId;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task a_registered_passkey_signs_in_without_a_username_as_both_factors()
    {
        using var authenticator = new SoftwareAuthenticator(AcmeOrigin);
        var options = await _app.SendAsync(new BeginPasskeyRegistration("acme", _alice, Rp(AcmeOrigin)));
        Assert.Equal("acme.id.example.com", options["rp"]!["id"]!.GetValue<string>());
        Assert.Equal([-7, -8, -257], options["pubKeyCredParams"]!.AsArray().Select(p => p!["alg"]!.GetValue<int>()));
        Assert.Equal("preferred", options["authenticatorSelection"]!["residentKey"]!.GetValue<string>());

        var registered = await _app.SendAsync(new RegisterPasskey("acme", _alice, Rp(AcmeOrigin), Json(authenticator.Create(options)), "Laptop"));

        Assert.Equal(Base64UrlBytes.Encode(authenticator.CredentialId), registered.CredentialId);
        var stored = Assert.IsType<PasskeyRegistered>((await _app.ReadStreamAsync("acme", StreamNames.Passkeys("acme", _alice)))[0].Event);
        Assert.True(stored.Discoverable);
        Assert.Equal(["internal"], stored.Transports);
        Assert.Equal("Laptop", stored.Name);

        var outcome = await SignInAsync(authenticator, "acme", userId: null, AcmeOrigin);

        Assert.True(outcome.Succeeded);
        Assert.Equal(_alice, outcome.UserId);
        Assert.Equal(["hwk", "user"], outcome.Amr);
        Assert.Equal(FactorKind.MultiFactor, outcome.Kind);
        Assert.IsType<PasskeyUsed>((await _app.ReadStreamAsync("acme", StreamNames.Passkeys("acme", _alice)))[^1].Event);
    }

    [Fact]
    public async Task a_passkey_without_user_verification_is_possession_only()
    {
        using var authenticator = await RegisterAsync(_alice);
        authenticator.UserVerified = false;

        var outcome = await SignInAsync(authenticator, "acme", _alice, AcmeOrigin);

        Assert.True(outcome.Succeeded);
        Assert.Equal(["hwk"], outcome.Amr);
        Assert.Equal(FactorKind.Possession, outcome.Kind);
    }

    [Fact]
    public async Task a_registration_response_is_accepted_once()
    {
        using var authenticator = new SoftwareAuthenticator(AcmeOrigin);
        var options = await _app.SendAsync(new BeginPasskeyRegistration("acme", _alice, Rp(AcmeOrigin)));
        var response = Json(authenticator.Create(options));
        await _app.SendAsync(new RegisterPasskey("acme", _alice, Rp(AcmeOrigin), response, null));

        Assert.Equal(DomainErrors.WebAuthnChallengeMismatch, await _app.FailsWithAsync(new RegisterPasskey("acme", _alice, Rp(AcmeOrigin), response, null)));
    }

    [Fact]
    public async Task a_challenge_issued_to_one_user_cannot_register_a_passkey_for_another()
    {
        using var authenticator = new SoftwareAuthenticator(AcmeOrigin);
        var options = await _app.SendAsync(new BeginPasskeyRegistration("acme", _alice, Rp(AcmeOrigin)));

        Assert.Equal(DomainErrors.WebAuthnChallengeMismatch,
            await _app.FailsWithAsync(new RegisterPasskey("acme", _bob, Rp(AcmeOrigin), Json(authenticator.Create(options)), null)));
    }

    [Fact]
    public async Task the_same_authenticator_key_cannot_be_registered_to_two_accounts()
    {
        using var authenticator = await RegisterAsync(_alice);
        var options = await _app.SendAsync(new BeginPasskeyRegistration("acme", _bob, Rp(AcmeOrigin)));

        Assert.Equal(DomainErrors.PasskeyCredentialTaken,
            await _app.FailsWithAsync(new RegisterPasskey("acme", _bob, Rp(AcmeOrigin), Json(authenticator.Create(options)), null)));
    }

    [Fact]
    public async Task registration_options_exclude_the_users_existing_passkeys()
    {
        using var authenticator = await RegisterAsync(_alice);

        var options = await _app.SendAsync(new BeginPasskeyRegistration("acme", _alice, Rp(AcmeOrigin)));

        Assert.Equal(Base64UrlBytes.Encode(authenticator.CredentialId), Assert.Single(options["excludeCredentials"]!.AsArray())!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_registration_from_another_origin_or_for_another_rp_id_is_refused()
    {
        using var phished = new SoftwareAuthenticator("https://acme-login.evil.example");
        var options = await _app.SendAsync(new BeginPasskeyRegistration("acme", _alice, Rp(AcmeOrigin)));
        Assert.Equal(DomainErrors.WebAuthnOriginMismatch, await _app.FailsWithAsync(new RegisterPasskey("acme", _alice, Rp(AcmeOrigin), Json(phished.Create(options)), null)));

        using var scoped = new SoftwareAuthenticator(AcmeOrigin) { RpIdOverride = "evil.example" };
        options = await _app.SendAsync(new BeginPasskeyRegistration("acme", _alice, Rp(AcmeOrigin)));
        Assert.Equal(DomainErrors.WebAuthnRpIdMismatch, await _app.FailsWithAsync(new RegisterPasskey("acme", _alice, Rp(AcmeOrigin), Json(scoped.Create(options)), null)));
    }

    [Fact]
    public async Task an_assertion_is_accepted_once()
    {
        using var authenticator = await RegisterAsync(_alice);
        var context = await BeginAsync("acme", null, AcmeOrigin);
        var answer = Body(authenticator.Get(context.Options));

        Assert.True((await VerifyAsync(context.Context, answer)).Succeeded);
        Assert.False((await VerifyAsync(context.Context, answer)).Succeeded);
    }

    [Fact]
    public async Task a_step_that_was_not_begun_fails()
    {
        using var authenticator = await RegisterAsync(_alice);
        var context = await BeginAsync("acme", null, AcmeOrigin);

        Assert.False((await VerifyAsync(context.Context with { State = null }, Body(authenticator.Get(context.Options)))).Succeeded);
        Assert.False((await VerifyAsync(context.Context with { FlowId = "another-flow" }, Body(authenticator.Get(context.Options)))).Succeeded);
    }

    [Fact]
    public async Task a_sign_counter_that_goes_backwards_is_recorded_and_refused()
    {
        using var authenticator = await RegisterAsync(_alice);
        authenticator.Counter = 10;
        Assert.True((await SignInAsync(authenticator, "acme", null, AcmeOrigin)).Succeeded);

        authenticator.Counter = 3; // a clone that lags behind the original
        Assert.False((await SignInAsync(authenticator, "acme", null, AcmeOrigin)).Succeeded);

        var regression = Assert.IsType<PasskeyCounterRegressionDetected>((await _app.ReadStreamAsync("acme", StreamNames.Passkeys("acme", _alice)))[^1].Event);
        Assert.Equal(11, regression.StoredSignCount);
        Assert.Equal(4, regression.PresentedSignCount);
        authenticator.Counter = 11;
        Assert.True((await SignInAsync(authenticator, "acme", null, AcmeOrigin)).Succeeded);
    }

    [Fact]
    public async Task a_passkey_of_tenant_acme_is_useless_at_tenant_globex()
    {
        using var authenticator = await RegisterAsync(_alice);

        // The browser at globex's origin: the RP ID differs, and the lookup is tenant-scoped anyway.
        authenticator.Origin = GlobexOrigin;
        Assert.False((await SignInAsync(authenticator, "globex", null, GlobexOrigin)).Succeeded);

        // Even an authenticator that signs for acme's RP ID presented at globex finds no owner there.
        authenticator.RpIdOverride = "acme.id.example.com";
        Assert.False((await SignInAsync(authenticator, "globex", null, GlobexOrigin)).Succeeded);
        Assert.Empty(await _app.ReadStreamAsync("globex", StreamNames.Passkeys("globex", _alice)));
    }

    [Fact]
    public async Task an_assertion_from_another_origin_fails()
    {
        using var authenticator = await RegisterAsync(_alice);
        authenticator.Origin = "https://acme.evil.example";

        Assert.False((await SignInAsync(authenticator, "acme", null, AcmeOrigin)).Succeeded);
    }

    [Fact]
    public async Task a_flow_for_one_user_does_not_accept_another_users_passkey()
    {
        using var authenticator = await RegisterAsync(_alice);

        Assert.False((await SignInAsync(authenticator, "acme", _bob, AcmeOrigin)).Succeeded);
    }

    [Fact]
    public async Task a_username_less_assertion_without_a_user_handle_fails()
    {
        using var authenticator = await RegisterAsync(_alice);
        var context = await BeginAsync("acme", null, AcmeOrigin);

        Assert.False((await VerifyAsync(context.Context, Body(authenticator.Get(context.Options, sendUserHandle: false)))).Succeeded);
    }

    [Fact]
    public async Task a_disabled_users_passkey_no_longer_signs_in()
    {
        using var authenticator = await RegisterAsync(_alice);
        await _app.SendAsync(new DisableUser("acme", _alice));

        Assert.False((await SignInAsync(authenticator, "acme", null, AcmeOrigin)).Succeeded);
    }

    [Fact]
    public async Task a_removed_passkey_no_longer_signs_in_and_renaming_it_is_not_found()
    {
        using var authenticator = await RegisterAsync(_alice);
        var id = Base64UrlBytes.Encode(authenticator.CredentialId);
        Assert.Equal(DomainErrors.PasskeyNotFound, await _app.FailsWithAsync(new RemovePasskey("acme", _bob, id, "user")));
        await _app.SendAsync(new RenamePasskey("acme", _alice, id, "  Phone  "));
        Assert.Equal("Phone", Assert.IsType<PasskeyRenamed>((await _app.ReadStreamAsync("acme", StreamNames.Passkeys("acme", _alice)))[^1].Event).Name);

        await _app.SendAsync(new RemovePasskey("acme", _alice, id, "user"));

        Assert.False((await SignInAsync(authenticator, "acme", null, AcmeOrigin)).Succeeded);
        Assert.Equal(DomainErrors.PasskeyNotFound, await _app.FailsWithAsync(new RenamePasskey("acme", _alice, id, "x")));
        Assert.False(await InFactorAsync(f => f.IsAvailableAsync("acme", _alice, default).AsTask()));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"credential\":\"x\"}")]
    [InlineData("{\"credential\":{\"type\":\"public-key\",\"id\":\"AAAA\"}}")]
    [InlineData("[]")]
    public async Task a_malformed_body_is_a_400_code_not_a_wrong_answer(string body)
    {
        var context = await BeginAsync("acme", null, AcmeOrigin);

        var ex = await Assert.ThrowsAsync<DomainException>(() => VerifyAsync(context.Context, JsonDocument.Parse(body).RootElement));

        Assert.Equal(DomainErrors.WebAuthnMalformed, ex.Code);
    }

    [Fact]
    public async Task the_step_is_offered_without_a_username_and_to_users_with_a_passkey()
    {
        Assert.True(await InFactorAsync(f => f.IsAvailableAsync("acme", null, default).AsTask()));
        Assert.False(await InFactorAsync(f => f.IsAvailableAsync("acme", _bob, default).AsTask()));
        using var authenticator = await RegisterAsync(_bob);
        Assert.True(await InFactorAsync(f => f.IsAvailableAsync("acme", _bob, default).AsTask()));

        var named = await BeginAsync("acme", _bob, AcmeOrigin);
        Assert.Equal(Base64UrlBytes.Encode(authenticator.CredentialId), Assert.Single(named.Options["allowCredentials"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Empty((await BeginAsync("acme", null, AcmeOrigin)).Options["allowCredentials"]!.AsArray());
    }

    [Fact]
    public async Task the_specifications_packed_vector_registers_and_signs_in_through_the_commands_and_the_factor()
    {
        // §16.7 at tenant "example", whose origin is the vectors' https://example.org; its challenges are put where the ceremonies keep them.
        var v = SpecVectors.Vector("16.7 Packed Attestation with ES256 Credential");
        var user = (await _app.SendAsync(new CreateUser("example", "carol", "carol@example.org"))).UserId;
        var reg = v.GetProperty("registration");
        await _transient.TryAddAsync("example", PasskeyChallenges.RegistrationKind, PasskeyChallenges.Key(SpecVectors.Hex(reg, "challenge")),
            Encoding.UTF8.GetBytes(new JsonObject { ["u"] = user }.ToJsonString()), DateTimeOffset.UtcNow.AddMinutes(5));
        var registered = await _app.SendAsync(new RegisterPasskey("example", user, Rp(SpecVectors.Origin), SpecVectors.Json(SpecVectors.Registration(reg)), "Vector"));
        var auth = v.GetProperty("authentication");
        var challenge = SpecVectors.Hex(auth, "challenge");
        await _transient.TryAddAsync("example", PasskeyChallenges.AuthenticationKind, PasskeyChallenges.Key(challenge), Encoding.UTF8.GetBytes("flow-1"), DateTimeOffset.UtcNow.AddMinutes(5));
        var context = new FactorContext("example", user, "flow-1", Base64UrlBytes.Encode(challenge), SpecVectors.Origin);

        var outcome = await VerifyAsync(context, Body(SpecVectors.Assertion(SpecVectors.Hex(reg, "credentialId"), auth)));

        Assert.Equal(Base64UrlBytes.Encode(SpecVectors.Hex(reg, "credentialId")), registered.CredentialId);
        Assert.True(outcome.Succeeded);
        Assert.Equal(["hwk", "user"], outcome.Amr);
    }

    private static RelyingParty Rp(string origin) => RelyingParty.ForOrigin(origin, "Test");

    private static JsonElement Json(JsonObject o) => JsonDocument.Parse(o.ToJsonString()).RootElement;

    private static JsonElement Body(JsonObject credential) => Json(new JsonObject { ["credential"] = credential });

    private async Task<SoftwareAuthenticator> RegisterAsync(string userId)
    {
        var authenticator = new SoftwareAuthenticator(AcmeOrigin);
        var options = await _app.SendAsync(new BeginPasskeyRegistration("acme", userId, Rp(AcmeOrigin)));
        await _app.SendAsync(new RegisterPasskey("acme", userId, Rp(AcmeOrigin), Json(authenticator.Create(options)), null));
        return authenticator;
    }

    private async Task<(FactorContext Context, JsonObject Options)> BeginAsync(string tenantId, string? userId, string origin)
    {
        var flowId = Guid.NewGuid().ToString("N");
        var context = new FactorContext(tenantId, userId, flowId, null, origin);
        var challenge = await InFactorAsync(f => f.BeginAsync(context, default).AsTask());
        return (context with { State = challenge.State }, challenge.Public!["publicKey"]!.AsObject());
    }

    private Task<FactorOutcome> VerifyAsync(FactorContext context, JsonElement body) => InFactorAsync(f => f.VerifyAsync(context, body, default).AsTask());

    private async Task<FactorOutcome> SignInAsync(SoftwareAuthenticator authenticator, string tenantId, string? userId, string origin)
    {
        var (context, options) = await BeginAsync(tenantId, userId, origin);
        return await VerifyAsync(context, Body(authenticator.Get(options)));
    }

    private Task<T> InFactorAsync<T>(Func<WebAuthnFactor, Task<T>> use) => _app.InScopeAsync(sp => use(sp.GetRequiredService<WebAuthnFactor>()));

    /// <summary>The owner lookup answered from the log, as the inline passkeys model answers it in a host.</summary>
    private sealed class LogPasskeyOwners(IEventStore store, EventSerializer serializer) : IPasskeyOwners
    {
        public async Task<string?> FindOwnerAsync(string tenantId, string credentialId, CancellationToken ct = default)
        {
            string? owner = null;
            await foreach (var stored in store.ReadAllAsync(0, ct: ct))
            {
                if (stored.TenantId != tenantId || !stored.EventType.StartsWith("passkey.", StringComparison.Ordinal))
                {
                    continue;
                }

                switch ((await serializer.DeserializeAsync(stored, ct)).Event)
                {
                    case PasskeyRegistered e when e.CredentialId == credentialId:
                        owner = e.UserId;
                        break;
                    case PasskeyRemoved e when e.CredentialId == credentialId:
                        owner = null;
                        break;
                }
            }

            return owner;
        }
    }
}
