using KoderId.Events.Keys;
using KoderId.EventSourcing.Projections;
using KoderId.Projections.Keys;

namespace KoderId.Projections.Tests;

public sealed class SqliteSigningKeysProjectionTests : SigningKeysProjectionTests
{
    protected override SqlDialect Dialect => SqlDialect.Sqlite;
}

public sealed class PostgresSigningKeysProjectionTests : SigningKeysProjectionTests
{
    protected override SqlDialect Dialect => SqlDialect.Postgres;
}

public abstract class SigningKeysProjectionTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PublicJsonWebKey Ec = new("EC", "P-256", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");

    protected abstract SqlDialect Dialect { get; }

    [Fact]
    public async Task a_rotation_publishes_the_next_key_and_dates_the_retirement_of_the_one_it_replaces()
    {
        await using var h = await ReadModelHarness.StartAsync(await ReadModelHarness.NewTargetAsync(Dialect));
        var changes = SigningKeysProjection.Changes;

        await h.AppendAsync("acme", "signing-keys-acme", new KeyRotated("ES256-a", "ES256", Ec, "ES256-a", T0));
        await h.AppendAsync("acme", "signing-keys-acme", new KeyRotated("ES256-b", "ES256", Ec, "ES256-b", T0.AddHours(24), "ES256-a", T0.AddHours(25)));
        var keys = await new SigningKeyDirectory(h.ReadModels).GetAsync("acme");

        Assert.True(SigningKeysProjection.Changes > changes);
        Assert.Equal(["ES256-a", "ES256-b"], keys.All.Select(k => k.KeyId));
        var a = keys.All[0];
        Assert.Equal((T0, T0.AddHours(24), T0.AddHours(25)), (a.ActivatesAt, a.RetiredAt, a.ExpiresAt));
        Assert.Equal(Ec, a.PublicKey);
        Assert.Equal("ES256-a", keys.Active("ES256", T0.AddHours(23))?.KeyId);
        Assert.Equal("ES256-b", keys.Active("ES256", T0.AddHours(24))?.KeyId);
        Assert.Equal(2, keys.Published(T0.AddHours(24)).Count);
        Assert.Equal(["ES256-b"], keys.Published(T0.AddHours(25)).Select(k => k.KeyId));
        Assert.Null(keys.FindPublished("ES256-a", T0.AddHours(25)));
        Assert.Empty((await new SigningKeyDirectory(h.ReadModels).GetAsync("beta")).All);
        Assert.Equal(["acme"], await new SigningKeyDirectory(h.ReadModels).TenantsAsync());
    }
}
