using KoderId.Domain.Tenants;
using KoderId.Events.Tenants;
using Decide = KoderId.Domain.Tenants.Tenant;

namespace KoderId.Domain.Tests.Tenants;

public sealed class TenantSettingsSpecs
{
    private static readonly TenantCreated AcmeCreated = new("acme", "Acme Inc.");

    private static Spec<TenantState> Tenant() => new(TenantState.Initial, Decide.Evolve);

    private static TenantSettings With(Func<TenantSettings, TenantSettings> change) => change(TenantSettings.Default);

    [Fact]
    public void a_tenant_without_settings_has_the_defaults()
    {
        var state = Tenant().Given(AcmeCreated).State;
        Assert.Equal(TenantSettings.Default, state.Settings);
        Assert.Equal(12, state.Settings.Password.MinLength);
        Assert.Equal(5, state.Settings.Lockout.MaxFailedAttempts);
        Assert.Equal(900, state.Settings.Tokens.AccessTokenSeconds);
        Assert.Equal("ES256", state.Settings.Signing.AccessTokenAlgorithm);
        Assert.Equal("RS256", state.Settings.Signing.IdTokenAlgorithm);
    }

    [Fact]
    public void changed_settings_are_recorded_whole_and_the_same_settings_again_change_nothing()
    {
        var settings = With(s => s with { Password = s.Password with { MinLength = 16 } });
        Tenant().Given(AcmeCreated).When(s => Decide.ChangeSettings(s, settings)).Then(new TenantSettingsChanged("acme", settings));
        Tenant().Given(AcmeCreated, new TenantSettingsChanged("acme", settings)).When(s => Decide.ChangeSettings(s, settings)).ThenNothing();
        Tenant().Given(AcmeCreated).When(s => Decide.ChangeSettings(s, TenantSettings.Default)).ThenNothing();
    }

    [Fact]
    public void a_blocked_tenant_may_be_configured_but_a_deleted_or_missing_one_may_not()
    {
        var settings = With(s => s with { Tokens = s.Tokens with { AccessTokenSeconds = 600 } });
        Tenant().Given(AcmeCreated, new TenantBlocked("acme", "unpaid")).When(s => Decide.ChangeSettings(s, settings)).Then(new TenantSettingsChanged("acme", settings));
        Tenant().Given(AcmeCreated, new TenantDeleted("acme")).When(s => Decide.ChangeSettings(s, settings)).ThenFails(DomainErrors.TenantDeleted);
        Tenant().When(s => Decide.ChangeSettings(s, settings)).ThenFails(DomainErrors.TenantNotFound);
    }

    public static TheoryData<string, TenantSettings> Invalid => new()
    {
        { DomainErrors.TenantInvalidPasswordPolicy, With(s => s with { Password = s.Password with { MinLength = 7 } }) },
        { DomainErrors.TenantInvalidPasswordPolicy, With(s => s with { Password = s.Password with { MaxLength = 63 } }) },
        { DomainErrors.TenantInvalidPasswordPolicy, With(s => s with { Password = s.Password with { MinLength = 100, MaxLength = 80 } }) },
        { DomainErrors.TenantInvalidHashingPolicy, With(s => s with { Password = s.Password with { Hashing = new Argon2idSettings(15, 2, 2) } }) },
        { DomainErrors.TenantInvalidHashingPolicy, With(s => s with { Password = s.Password with { Hashing = new Argon2idSettings(2 * 1024 * 1024, 2, 1) } }) },
        { DomainErrors.TenantInvalidHashingPolicy, With(s => s with { Password = s.Password with { Hashing = new Argon2idSettings(19_456, 0, 1) } }) },
        { DomainErrors.TenantInvalidLockoutPolicy, With(s => s with { Lockout = new LockoutSettings(0) }) },
        { DomainErrors.TenantInvalidLockoutPolicy, With(s => s with { Lockout = new LockoutSettings(5, 600, 60) }) },
        { DomainErrors.TenantInvalidTokenLifetime, With(s => s with { Tokens = s.Tokens with { AccessTokenSeconds = 59 } }) },
        { DomainErrors.TenantInvalidTokenLifetime, With(s => s with { Tokens = s.Tokens with { RefreshTokenSeconds = 31_536_001 } }) },
        { DomainErrors.TenantInvalidTokenLifetime, With(s => s with { Tokens = s.Tokens with { AuthorizationCodeSeconds = 601 } }) },
        { DomainErrors.TenantInvalidSigningAlgorithm, With(s => s with { Signing = new SigningSettings("HS256") }) },
        { DomainErrors.TenantInvalidSigningAlgorithm, With(s => s with { Signing = new SigningSettings("ES256", "es256") }) },
        { DomainErrors.TenantInvalidSettings, With(s => s with { Lockout = null! }) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void settings_out_of_range_are_refused_with_their_code(string code, TenantSettings settings) =>
        Tenant().Given(AcmeCreated).When(s => Decide.ChangeSettings(s, settings)).ThenFails(code);

    [Fact]
    public void a_maximum_length_of_64_and_an_argon2_floor_of_8_kib_per_lane_are_accepted()
    {
        var settings = With(s => s with { Password = new PasswordSettings(8, 64, new Argon2idSettings(16, 1, 2)) });
        Tenant().Given(AcmeCreated).When(s => Decide.ChangeSettings(s, settings)).Then(new TenantSettingsChanged("acme", settings));
    }
}
