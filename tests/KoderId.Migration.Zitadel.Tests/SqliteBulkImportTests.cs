using System.Text.Json.Nodes;
using KoderId.Application.Credentials.Commands;
using KoderId.Application.Users;
using KoderId.EventSourcing.Sqlite;
using KoderId.Events.Users;

namespace KoderId.Migration.Zitadel.Tests;

/// <summary>The bulk path (several user streams per atomic append, ADR 0007) on the embedded driver, which supports it.</summary>
public sealed class SqliteBulkImportTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "koderid-import-" + Guid.NewGuid().ToString("N"));
    private ImportHost _host = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "koderid.db")}");
        await database.InitializeAsync();
        _host = new ImportHost(store: new SqliteEventStore(database), keys: new SqliteSubjectKeyStore(database));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static JsonObject ManyUsers(int count)
    {
        var humans = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            humans.Add(Exports.Human($"3000000000000{i:D5}", $"bulk{i}", Exports.HashedUsers[13].Hash));
        }

        return new JsonObject { ["orgId"] = "100000000000000009", ["org"] = new JsonObject { ["name"] = "Bulk" }, ["humanUsers"] = humans };
    }

    [Fact]
    public async Task a_thousand_users_go_in_a_few_atomic_appends_and_each_records_its_origin()
    {
        Assert.True(_host.Store.SupportsMultiStreamAppend);

        var report = await _host.ImportAsync(Exports.Export(ManyUsers(1200)));

        Assert.True(report.Succeeded, string.Join("; ", report.Errors.Select(e => $"{e.Path} {e.Reason}")));
        Assert.Equal(1200, report.Counts["users"].Created);
        var user = await _host.ReadStreamAsync("bulk", "user-bulk-300000000000000001");
        Assert.IsType<UserCreated>(user[0].Event);
        Assert.All(user, e => Assert.Equal("zitadel:user:300000000000000001", e.Stored.Metadata.CausationId));
        Assert.True((await _host.SendAsync(new VerifyPassword("bulk", "300000000000000001", "Tr0ub4dor&3"))).Succeeded);

        var again = await _host.ImportAsync(Exports.Export(ManyUsers(1200)));
        Assert.Equal(1200, again.Counts["users"].Existing);
    }

    [Fact]
    public async Task a_bulk_batch_holding_a_user_that_exists_writes_nothing_of_any_user()
    {
        await _host.SendAsync(new Application.Tenants.CreateTenant("bulk", "Bulk"));
        await _host.SendAsync(new ImportUser("bulk", "u2", "u2"));
        var head = await _host.HeadAsync();
        ImportUser[] users = [new("bulk", "u1", "u1"), new("bulk", "u2", "u2"), new("bulk", "u3", "u3")];

        await Assert.ThrowsAsync<EventSourcing.Storage.WrongExpectedVersionException>(() => _host.SendAsync(new ImportUsers("bulk", users, ["a", "b", "c"])));
        Assert.Equal(head, await _host.HeadAsync());

        var taken = await Assert.ThrowsAsync<EventSourcing.Storage.UniqueClaimViolationException>(() =>
            _host.SendAsync(new ImportUsers("bulk", [new("bulk", "u4", "u4"), new("bulk", "u5", "U2")], ["d", "e"])));
        Assert.Equal("username", taken.Scope);
        Assert.Equal(head, await _host.HeadAsync());

        var created = await _host.SendAsync(new ImportUsers("bulk", [users[0], users[2]], ["a", "c"]));
        Assert.Equal(2, created.Created);
    }
}
