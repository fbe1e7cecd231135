using System.Net;
using System.Net.Sockets;
using KoderId.EventSourcing.Storage;
using Xunit;

namespace KoderId.EventSourcing.Postgres.Tests;

public sealed class PostgresDatabaseTests
{
    private const string Secret = "hunter2-s3cr3t";

    [Theory]
    [InlineData($"Host=db;Password={Secret};Bogus=1")]
    [InlineData($"Host=db;Password={Secret};x{Secret}=1")]
    [InlineData($"Host=db;Port=not-a-port;Password={Secret}")]
    [InlineData($"Host=db;Password='{Secret}")]
    public void an_invalid_connection_string_is_refused_without_revealing_the_password(string connectionString)
    {
        var ex = Assert.Throws<ArgumentException>(() => new PostgresDatabase(connectionString));
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public void a_connection_string_without_a_host_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PostgresDatabase($"Database=koderid;Password={Secret}"));
        Assert.Contains("Host", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_database_describes_itself_without_credentials()
    {
        await using var database = new PostgresDatabase($"Host=db.internal;Port=5433;Database=koderid;Username=koderid;Password={Secret}");
        Assert.Equal("postgres://db.internal:5433/koderid", database.ToString());
    }

    [Fact]
    public async Task an_unreachable_server_is_a_typed_unavailable_error_that_reveals_no_secret()
    {
        await using var database = new PostgresDatabase($"Host=127.0.0.1;Port={UnusedPort()};Username=koderid;Password={Secret};Timeout=5");
        await using var store = new PostgresEventStore(database);

        var append = await Assert.ThrowsAsync<EventStoreUnavailableException>(() =>
            store.AppendAsync(new AppendRequest("tenant-a", "s", ExpectedVersion.Any, PostgresMultiNodeTests.Counters("s", 1))));
        Assert.Equal("KID3006", append.Code);
        Assert.DoesNotContain(Secret, append.ToString(), StringComparison.Ordinal);

        var read = await Assert.ThrowsAsync<EventStoreUnavailableException>(async () =>
        {
            await foreach (var unused in store.ReadAllAsync(0))
            {
                Assert.Fail("nothing can be read from a server that is not there");
            }
        });
        Assert.DoesNotContain(Secret, read.ToString(), StringComparison.Ordinal);

        var keys = await Assert.ThrowsAsync<EventStoreUnavailableException>(() => new PostgresSubjectKeyStore(database).TryGetKeyAsync("tenant-a", "person-1"));
        Assert.DoesNotContain(Secret, keys.ToString(), StringComparison.Ordinal);
    }

    private static int UnusedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
