using KoderId.Domain.Passkeys;
using KoderId.Events.Passkeys;

namespace KoderId.Domain.Tests.Passkeys;

public sealed class PasskeySpecs
{
    private const string Cred = "xJr1s0YtAoc_6gxWhiI0-Z8IFygITlEbt3YCAaiQVKU";
    private const string Key = "pQECAyYgASFYIBzyfyXaWRIIpCOcLjJPEE9YVSVHminu7t2DD0jneurlIlggWeS32mwBBuIGzjkMk6uYoVpew4h-V_DMK-zoA7kgxCM";
    private static readonly NewPasskey New = new(Cred, Key, -7, 5, "00000000-0000-0000-0000-000000000000", ["internal"], true, false, true, true, "none", "none");
    private static readonly PasskeyRegistered Registered = new(Cred, "u1", Key, -7, 5, "00000000-0000-0000-0000-000000000000", ["internal"], true, false, true, "Laptop", true, "none", "none");

    private static Spec<PasskeysState> Passkeys() => new(PasskeysState.Initial, Passkey.Evolve);

    [Fact]
    public void a_passkey_registers_with_a_trimmed_name_or_a_numbered_default()
    {
        Passkeys().When(s => Passkey.Register(s, "u1", New, "  Laptop ")).Then(Registered);
        Passkeys().When(s => Passkey.Register(s, "u1", New, null)).Then(Registered with { Name = "Passkey 1" });
    }

    [Fact]
    public void a_credential_registers_once_and_names_are_bounded()
    {
        Passkeys().Given(Registered).When(s => Passkey.Register(s, "u1", New, "Again")).ThenFails(DomainErrors.PasskeyCredentialTaken);
        Passkeys().When(s => Passkey.Register(s, "u1", New, new string('n', 101))).ThenFails(DomainErrors.PasskeyInvalidName);
        Passkeys().When(s => Passkey.Register(s, "u1", New, "bad\u0007name")).ThenFails(DomainErrors.PasskeyInvalidName);
        Passkeys().When(s => Passkey.Register(s, "u1", New, "   ")).ThenFails(DomainErrors.PasskeyInvalidName);
    }

    [Fact]
    public void a_user_has_a_bounded_number_of_passkeys()
    {
        var full = Enumerable.Range(0, Passkey.MaxPerUser).Select(i => (object)(Registered with { CredentialId = $"cred{i:D2}AAAAAAAAAAAAAAAAAAA" })).ToArray();
        Passkeys().Given(full).When(s => Passkey.Register(s, "u1", New, "One more")).ThenFails(DomainErrors.PasskeyInvalidRequest);
    }

    [Fact]
    public void a_use_moves_the_counter_forward_and_a_regression_is_recorded_instead()
    {
        Passkeys().Given(Registered).When(s => Passkey.RecordUse(s, Cred, 6, true, false)).Then(new PasskeyUsed(Cred, "u1", 6, true, false));
        Passkeys().Given(Registered).When(s => Passkey.RecordUse(s, Cred, 5, false, true)).Then(new PasskeyCounterRegressionDetected(Cred, "u1", 5, 5));
        Passkeys().Given(Registered).When(s => Passkey.RecordUse(s, Cred, 0, false, true)).Then(new PasskeyCounterRegressionDetected(Cred, "u1", 5, 0));
        Passkeys().Given(Registered with { SignCount = 0 }).When(s => Passkey.RecordUse(s, Cred, 0, false, true)).Then(new PasskeyUsed(Cred, "u1", 0, false, true));
        Passkeys().When(s => Passkey.RecordUse(s, Cred, 9, false, true)).ThenFails(DomainErrors.PasskeyNotFound);
    }

    [Fact]
    public void renaming_to_the_same_name_changes_nothing_and_removing_releases_the_claim()
    {
        Passkeys().Given(Registered).When(s => Passkey.Rename(s, Cred, "Laptop")).ThenNothing();
        Passkeys().Given(Registered).When(s => Passkey.Rename(s, Cred, "Phone")).Then(new PasskeyRenamed(Cred, "u1", "Phone"));
        var removed = Passkeys().Given(Registered).When(s => Passkey.Remove(s, Cred, "admin")).Then(new PasskeyRemoved(Cred, "u1", "admin"));
        Assert.Empty(Passkey.UniqueKeys(removed.After));
        Assert.Equal([new UniqueKey(Passkey.CredentialScope, Passkey.ClaimValue(Cred))], Passkey.UniqueKeys(Passkeys().Given(Registered).State));
        Passkeys().Given(Registered).When(s => Passkey.Remove(s, Cred, "bored")).ThenFails(DomainErrors.PasskeyInvalidRequest);
        Passkeys().When(s => Passkey.Remove(s, Cred, "user")).ThenFails(DomainErrors.PasskeyNotFound);
    }
}
