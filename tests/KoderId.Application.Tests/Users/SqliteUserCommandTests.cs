using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Events.Users;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Sqlite;
using KoderId.EventSourcing.Storage;

namespace KoderId.Application.Tests.Users;

/// <summary>The claims that carry username and email uniqueness, on the embedded driver's real transactions.</summary>
public sealed class SqliteUserCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "koderid-app-" + Guid.NewGuid().ToString("N"));
    private WriteSide _app = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "koderid.db")}");
        await database.InitializeAsync();
        _app = new WriteSide(new SqliteEventStore(database), new SqliteSubjectKeyStore(database));
        await _app.SendAsync(new CreateTenant("acme", "Acme"));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task fifty_concurrent_creations_of_one_username_leave_exactly_one_user()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            try
            {
                await _app.SendAsync(new CreateUser("acme", "bob", $"bob{i}@example.com"));
                return "ok";
            }
            catch (DomainException ex)
            {
                return ex.Code;
            }
        })));

        Assert.Equal(1, outcomes.Count(o => o == "ok"));
        Assert.Equal(49, outcomes.Count(o => o == DomainErrors.UserExists));
        Assert.Single(await _app.ReadAllAsync(), e => e.EventType == "user.created.v1");

        // A refused creation claimed nothing: every other address is still free.
        Assert.Equal(1, (await Task.WhenAll(Enumerable.Range(0, 50).Select(i => _app.Store.GetClaimOwnerAsync("acme", "email", $"bob{i}@example.com")))).Count(o => o is not null));
    }

    [Fact]
    public async Task changing_email_and_erasing_release_their_claims_and_keep_the_chain()
    {
        var alice = await _app.SendAsync(new CreateUser("acme", "alice", "old@example.com"));
        await _app.SendAsync(new ChangeUserEmail("acme", alice.UserId, "new@example.com"));
        await _app.SendAsync(new CreateUser("acme", "bob", "old@example.com"));

        await _app.SendAsync(new EraseUser("acme", alice.UserId));

        await _app.SendAsync(new CreateUser("acme", "Alice", "new@example.com"));
        var created = Assert.IsType<UserCreated>((await _app.ReadStreamAsync("acme", StreamNames.User("acme", alice.UserId)))[0].Event);
        Assert.Equal(PersonalData.Erased, created.Username);
        Assert.True((await HashChainVerifier.VerifyAsync(_app.Store)).IsValid);
    }
}
