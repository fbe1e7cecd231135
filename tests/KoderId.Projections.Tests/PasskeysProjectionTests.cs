using KoderId.Events.Passkeys;
using KoderId.Events.Users;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;
using KoderId.Projections.Passkeys;

namespace KoderId.Projections.Tests;

public sealed class SqlitePasskeysProjectionTests : PasskeysProjectionTests
{
    protected override SqlDialect Dialect => SqlDialect.Sqlite;
}

public sealed class PostgresPasskeysProjectionTests : PasskeysProjectionTests
{
    protected override SqlDialect Dialect => SqlDialect.Postgres;
}

/// <summary>The inline <c>passkeys</c> model: the tenant-scoped credential lookup of a username-less sign-in, and the lists.</summary>
public abstract class PasskeysProjectionTests
{
    private const string Key = "pQECAyYgASFYIBzyfyXaWRIIpCOcLjJPEE9YVSVHminu7t2DD0jneurlIlggWeS32mwBBuIGzjkMk6uYoVpew4h-V_DMK-zoA7kgxCM";
    private const string Cred = "xJr1s0YtAoc_6gxWhiI0-Z8IFygITlEbt3YCAaiQVKU";

    protected abstract SqlDialect Dialect { get; }

    private static PasskeyRegistered Registered(string credentialId, string userId, string name) =>
        new(credentialId, userId, Key, -7, 0, "00000000-0000-0000-0000-000000000000", ["internal", "hybrid"], true, true, true, name, true, "none", "none");

    [Fact]
    public async Task a_credential_id_finds_its_owner_only_in_its_own_tenant()
    {
        await using var h = await ReadModelHarness.StartAsync(await ReadModelHarness.NewTargetAsync(Dialect));
        var directory = new PasskeyDirectory(h.ReadModels);

        await h.AppendAsync("acme", "passkeys-acme-u1", Registered(Cred, "u1", "Laptop"));

        var found = await directory.GetAsync("acme", Cred);
        Assert.Equal(("u1", "Laptop"), (found!.UserId, found.Name));
        Assert.Equal(["internal", "hybrid"], found.Transports);
        Assert.True(found.BackupEligible && found.BackupState && found.Discoverable && found.UserVerified);
        Assert.Null(found.LastUsedAt);
        Assert.Null(await directory.GetAsync("globex", Cred));
        Assert.Empty(await directory.ListForUserAsync("globex", "u1"));
    }

    [Fact]
    public async Task uses_renames_and_removals_show_in_the_users_list_and_erasure_leaves_the_names_erased()
    {
        await using var h = await ReadModelHarness.StartAsync(await ReadModelHarness.NewTargetAsync(Dialect));
        var directory = new PasskeyDirectory(h.ReadModels);
        const string Other = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

        await h.AppendAsync("acme", "passkeys-acme-u1", Registered(Cred, "u1", "Laptop"), Registered(Other, "u1", "Key"));
        await h.AppendAsync("acme", "passkeys-acme-u1", new PasskeyUsed(Cred, "u1", 7, false, true), new PasskeyRenamed(Cred, "u1", "Work laptop"));
        await h.AppendAsync("acme", "passkeys-acme-u1", new PasskeyCounterRegressionDetected(Cred, "u1", 7, 3), new PasskeyRemoved(Other, "u1", "user"));

        var item = Assert.Single(await directory.ListForUserAsync("acme", "u1"));
        Assert.Equal(("Work laptop", 7L, false), (item.Name, item.SignCount, item.BackupState));
        Assert.NotNull(item.LastUsedAt);
        Assert.Null(await directory.GetAsync("acme", Other));

        await h.AppendAsync("acme", "user-acme-u1", new UserErased("u1"));
        Assert.Equal(PersonalData.Erased, (await directory.GetAsync("acme", Cred))!.Name);
    }
}
