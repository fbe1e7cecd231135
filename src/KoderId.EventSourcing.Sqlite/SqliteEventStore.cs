using System.Data.Common;
using System.Runtime.CompilerServices;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;
using Microsoft.Data.Sqlite;

namespace KoderId.EventSourcing.Sqlite;

/// <summary>
/// The embedded event store. Appends go through one writer connection per process under an async lock and
/// <c>BEGIN IMMEDIATE</c> (which also serialises other processes on the same file), so positions are dense
/// and the hash chain is linear.
/// </summary>
public sealed class SqliteEventStore(SqliteDatabase database, InlineProjector? inline = null) : IEventStore, IReadModelStore, IAsyncDisposable
{
    private const string Columns = "position, stream_id, stream_version, tenant_id, event_type, data, event_id, created_at, actor, client_ip, user_agent, correlation_id, causation_id, hash";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly AppendSignal _signal = new();
    private SqliteConnection? _writer;

    public SqliteDatabase Database => database;

    public SqlDialect Dialect => SqlDialect.Sqlite;

    public async Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
    {
        EventStoreLimits.Validate(request);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var connection = _writer ??= await OpenWriterAsync(ct).ConfigureAwait(false);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var result = await AppendInTransactionAsync(connection, tx, request, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            _signal.Notify(result.LastPosition);
            return result;
        }
        catch (SqliteException ex)
        {
            ResetWriter();
            throw new EventStoreUnavailableException($"SQLite append failed ({ex.SqliteErrorCode}).", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<AppendResult> AppendInTransactionAsync(SqliteConnection connection, SqliteTransaction tx, AppendRequest request, CancellationToken ct)
    {
        long version = 0;
        var exists = false;
        await using (var cmd = Command(connection, tx, "SELECT tenant_id, version FROM streams WHERE stream_id = @s", ("@s", request.StreamId)))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                exists = true;
                if (!string.Equals(reader.GetString(0), request.TenantId, StringComparison.Ordinal))
                {
                    throw new WrongTenantException(request.StreamId, request.TenantId);
                }

                version = reader.GetInt64(1);
            }
        }

        if (!request.ExpectedVersion.IsSatisfiedBy(version))
        {
            throw new WrongExpectedVersionException(request.StreamId, request.ExpectedVersion, version);
        }

        foreach (var claim in request.Claims)
        {
            if (claim.Operation == UniqueClaimOperation.Claim)
            {
                await using var check = Command(connection, tx, "SELECT stream_id FROM unique_claims WHERE tenant_id = @t AND scope = @sc AND value = @v",
                    ("@t", request.TenantId), ("@sc", claim.Scope), ("@v", claim.Value));
                if (await check.ExecuteScalarAsync(ct).ConfigureAwait(false) is string owner)
                {
                    if (!string.Equals(owner, request.StreamId, StringComparison.Ordinal))
                    {
                        throw new UniqueClaimViolationException(request.TenantId, claim.Scope, claim.Value, owner);
                    }

                    continue;
                }

                await using var insert = Command(connection, tx, "INSERT INTO unique_claims (tenant_id, scope, value, stream_id) VALUES (@t, @sc, @v, @s)",
                    ("@t", request.TenantId), ("@sc", claim.Scope), ("@v", claim.Value), ("@s", request.StreamId));
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            else
            {
                await using var release = Command(connection, tx, "DELETE FROM unique_claims WHERE tenant_id = @t AND scope = @sc AND value = @v AND stream_id = @s",
                    ("@t", request.TenantId), ("@sc", claim.Scope), ("@v", claim.Value), ("@s", request.StreamId));
                await release.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        var head = await ReadHeadAsync(connection, tx, ct).ConfigureAwait(false);
        var stored = new StoredEvent[request.Events.Count];
        var previous = head.Hash;
        await using (var insert = Command(connection, tx,
                         $"INSERT INTO events ({Columns}) VALUES (@p, @s, @v, @t, @type, @data, @id, @at, @actor, @ip, @ua, @corr, @cause, @hash)",
                         ("@p", null), ("@s", null), ("@v", null), ("@t", null), ("@type", null), ("@data", null), ("@id", null), ("@at", null),
                         ("@actor", null), ("@ip", null), ("@ua", null), ("@corr", null), ("@cause", null), ("@hash", null)))
        {
            for (var i = 0; i < stored.Length; i++)
            {
                var e = request.Events[i];
                var m = e.Metadata;
                var position = head.Position + i + 1;
                var streamVersion = version + i + 1;
                var hash = HashChain.Compute(previous, position, request.StreamId, streamVersion, request.TenantId, e.EventType, e.Data, m);
                stored[i] = new StoredEvent(position, request.StreamId, streamVersion, request.TenantId, e.EventType, e.Data, m, hash);
                previous = hash;
                var p = insert.Parameters;
                p[0].Value = position;
                p[1].Value = request.StreamId;
                p[2].Value = streamVersion;
                p[3].Value = request.TenantId;
                p[4].Value = e.EventType;
                p[5].Value = e.Data;
                p[6].Value = m.EventId.ToString("D");
                p[7].Value = TimeStamps.ToUnixMicroseconds(m.Timestamp);
                p[8].Value = (object?)m.Actor ?? DBNull.Value;
                p[9].Value = (object?)m.ClientIp ?? DBNull.Value;
                p[10].Value = (object?)m.UserAgent ?? DBNull.Value;
                p[11].Value = (object?)m.CorrelationId ?? DBNull.Value;
                p[12].Value = (object?)m.CausationId ?? DBNull.Value;
                p[13].Value = hash;
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        var newVersion = version + stored.Length;
        await using (var upsert = Command(connection, tx,
                         exists ? "UPDATE streams SET version = @v WHERE stream_id = @s" : "INSERT INTO streams (stream_id, tenant_id, version) VALUES (@s, @t, @v)",
                         ("@s", request.StreamId), ("@t", request.TenantId), ("@v", newVersion)))
        {
            await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await using (var headCmd = Command(connection, tx,
                         "INSERT INTO log_head (id, position, hash) VALUES (1, @p, @h) ON CONFLICT (id) DO UPDATE SET position = excluded.position, hash = excluded.hash",
                         ("@p", stored[^1].Position), ("@h", stored[^1].Hash)))
        {
            await headCmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        if (inline is not null)
        {
            await inline.ApplyAsync(connection, tx, SqlDialect.Sqlite, stored, request.Events.Select(e => e.Payload).ToArray(), ct).ConfigureAwait(false);
        }

        return new AppendResult(stored[0].Position, stored[^1].Position, newVersion);
    }

    public async IAsyncEnumerable<StoredEvent> ReadStreamAsync(
        string tenantId,
        string streamId,
        ReadDirection direction = ReadDirection.Forward,
        long fromVersion = 1,
        int maxCount = int.MaxValue,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        EventStoreLimits.ValidateIds(tenantId, streamId);
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)connection.BeginTransaction(deferred: true);
        await EnsureTenantAsync(connection, tx, tenantId, streamId, ct).ConfigureAwait(false);
        var sql = direction == ReadDirection.Forward
            ? $"SELECT {Columns} FROM events WHERE stream_id = @s AND stream_version >= @v ORDER BY stream_version LIMIT @n"
            : $"SELECT {Columns} FROM events WHERE stream_id = @s AND stream_version <= @v ORDER BY stream_version DESC LIMIT @n";
        await using var cmd = Command(connection, tx, sql, ("@s", streamId), ("@v", fromVersion), ("@n", maxCount));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            yield return Map(reader);
        }
    }

    public async IAsyncEnumerable<StoredEvent> ReadAllAsync(long afterPosition, int maxCount = int.MaxValue, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = Command(connection, null, $"SELECT {Columns} FROM events WHERE position > @p ORDER BY position LIMIT @n", ("@p", afterPosition), ("@n", maxCount));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            yield return Map(reader);
        }
    }

    public async Task<long> GetStreamVersionAsync(string tenantId, string streamId, CancellationToken ct = default)
    {
        EventStoreLimits.ValidateIds(tenantId, streamId);
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        return await EnsureTenantAsync(connection, null, tenantId, streamId, ct).ConfigureAwait(false);
    }

    public async Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "SELECT stream_id FROM unique_claims WHERE tenant_id = @t AND scope = @sc AND value = @v",
            ("@t", tenantId), ("@sc", scope), ("@v", value));
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
    }

    public async Task<LogHead> ReadHeadAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        return await ReadHeadAsync(connection, null, ct).ConfigureAwait(false);
    }

    // In-process appends signal at once; another process writing the same file is seen by polling.
    public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default) =>
        _signal.WaitOrPollAsync(afterPosition, timeout, static () => PollInterval, ReadHeadAsync, ct);

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken ct = default) => await database.OpenAsync(ct).ConfigureAwait(false);

    public Task<IExclusiveScope> BeginExclusiveAsync(DbConnection connection, CancellationToken ct = default)
    {
        // BEGIN IMMEDIATE takes SQLite's single write lock: no append, from any process, commits meanwhile.
        ct.ThrowIfCancellationRequested();
        return Task.FromResult<IExclusiveScope>(new Exclusive(((SqliteConnection)connection).BeginTransaction(deferred: false)));
    }

    public Task<IAsyncDisposable?> TryAcquireLeaseAsync(string name, CancellationToken ct = default) =>
        Task.FromResult<IAsyncDisposable?>(NoLease.Instance);

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenWriterAsync(CancellationToken ct)
    {
        var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=FULL;";
        await pragma.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return connection;
    }

    private void ResetWriter()
    {
        _writer?.Dispose();
        _writer = null;
    }

    private static async Task<long> EnsureTenantAsync(SqliteConnection connection, SqliteTransaction? tx, string tenantId, string streamId, CancellationToken ct)
    {
        await using var cmd = Command(connection, tx, "SELECT tenant_id, version FROM streams WHERE stream_id = @s", ("@s", streamId));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return 0;
        }

        return string.Equals(reader.GetString(0), tenantId, StringComparison.Ordinal)
            ? reader.GetInt64(1)
            : throw new WrongTenantException(streamId, tenantId);
    }

    private static async Task<LogHead> ReadHeadAsync(SqliteConnection connection, SqliteTransaction? tx, CancellationToken ct)
    {
        await using var cmd = Command(connection, tx, "SELECT position, hash FROM log_head WHERE id = 1");
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false)
            ? new LogHead(reader.GetInt64(0), (byte[])reader.GetValue(1))
            : LogHead.Empty;
    }

    private static StoredEvent Map(SqliteDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetInt64(2),
        r.GetString(3),
        r.GetString(4),
        r.GetString(5),
        new EventMetadata
        {
            EventId = Guid.Parse(r.GetString(6)),
            Timestamp = TimeStamps.FromUnixMicroseconds(r.GetInt64(7)),
            Actor = r.IsDBNull(8) ? null : r.GetString(8),
            ClientIp = r.IsDBNull(9) ? null : r.GetString(9),
            UserAgent = r.IsDBNull(10) ? null : r.GetString(10),
            CorrelationId = r.IsDBNull(11) ? null : r.GetString(11),
            CausationId = r.IsDBNull(12) ? null : r.GetString(12),
        },
        (byte[])r.GetValue(13));

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd;
    }

    private sealed class Exclusive(SqliteTransaction transaction) : IExclusiveScope
    {
        public DbTransaction Transaction => transaction;

        public Task CommitAsync(CancellationToken ct = default) => transaction.CommitAsync(ct);

        public ValueTask DisposeAsync() => transaction.DisposeAsync();
    }

    private sealed class NoLease : IAsyncDisposable
    {
        public static readonly NoLease Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
