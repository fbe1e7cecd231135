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
public sealed class SqliteEventStore : IEventStore, IReadModelStore, IAsyncDisposable
{
    private const string Columns = "position, stream_id, stream_version, tenant_id, event_type, data, event_id, created_at, actor, client_ip, user_agent, correlation_id, causation_id, hash";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private readonly SqliteDatabase _database;
    private readonly InlineProjector? _inline;
    private readonly AppendSignal _signal = new();
    private readonly AppendQueue _appends;

    // Used only by the append queue's single writer (and by DisposeAsync once that writer has stopped).
    private SqliteConnection? _writer;

    public SqliteEventStore(SqliteDatabase database, InlineProjector? inline = null)
    {
        _database = database;
        _inline = inline;
        _appends = new AppendQueue(CommitGroupAsync);
    }

    public SqliteDatabase Database => _database;

    public SqlDialect Dialect => SqlDialect.Sqlite;

    /// <summary>
    /// Appends are group-committed (<see cref="AppendQueue"/>): every append waiting behind the one in flight
    /// is committed in the next transaction, each under its own savepoint, so concurrent appends share one
    /// WAL sync while each still succeeds or fails on its own.
    /// </summary>
    public Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
    {
        EventStoreLimits.Validate(request);
        return _appends.EnqueueAsync(request, ct);
    }

    public bool SupportsMultiStreamAppend => true;

    /// <summary>
    /// One <c>BEGIN IMMEDIATE</c> transaction for every request, outside the group-commit queue (whose writer it
    /// shares under the write gate): all of them commit or none does.
    /// </summary>
    public async Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<AppendRequest> requests, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            return [];
        }

        foreach (var request in requests)
        {
            EventStoreLimits.Validate(request);
        }

        var results = new AppendResult[requests.Count];
        await _database.WriteGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var connection = _writer ??= await OpenWriterAsync(CancellationToken.None).ConfigureAwait(false);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            await using var scope = new WriteScope(connection, tx, _inline);
            for (var i = 0; i < requests.Count; i++)
            {
                results[i] = await AppendInTransactionAsync(scope, requests[i], CancellationToken.None).ConfigureAwait(false);
            }

            await scope.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            ResetWriter();
            throw new EventStoreUnavailableException($"SQLite append failed ({ex.SqliteErrorCode}).", ex);
        }
        finally
        {
            _database.WriteGate.Release();
        }

        _signal.Notify(results[^1].LastPosition);
        return results;
    }

    private async Task CommitGroupAsync(IReadOnlyList<PendingAppend> group)
    {
        var results = new (AppendResult? Result, Exception? Error)[group.Count];
        var useSavepoints = group.Count > 1;
        await _database.WriteGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var connection = _writer ??= await OpenWriterAsync(CancellationToken.None).ConfigureAwait(false);

            // BEGIN IMMEDIATE: SQLite's one write lock, which also serialises other processes on the file.
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            await using var scope = new WriteScope(connection, tx, _inline);
            for (var i = 0; i < group.Count; i++)
            {
                if (!useSavepoints)
                {
                    results[i] = (await AppendInTransactionAsync(scope, group[i].Request, group[i].Cancellation).ConfigureAwait(false), null);
                    continue;
                }

                var headBefore = scope.Head;
                await tx.SaveAsync("append", CancellationToken.None).ConfigureAwait(false);
                try
                {
                    // Each append links to the head its predecessors in the group moved, so positions stay dense.
                    results[i] = (await AppendInTransactionAsync(scope, group[i].Request, CancellationToken.None).ConfigureAwait(false), null);
                    await tx.ReleaseAsync("append", CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // This append alone is refused (version, tenant, claim, a failing inline projection ...).
                    await tx.RollbackAsync("append", CancellationToken.None).ConfigureAwait(false);
                    await tx.ReleaseAsync("append", CancellationToken.None).ConfigureAwait(false);
                    scope.Head = headBefore;
                    results[i] = (null, ex);
                }
            }

            await scope.CompleteAsync(CancellationToken.None).ConfigureAwait(false);

            // Not cancellable: once the rows are written every caller gets a definite answer, not a maybe.
            await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (ex is SqliteException)
            {
                ResetWriter();
            }

            // Nothing of the group committed: an append refused on its own keeps its reason, the others get this one.
            for (var i = 0; i < group.Count; i++)
            {
                results[i] = (null, results[i].Error ?? ex);
            }
        }
        finally
        {
            _database.WriteGate.Release();
        }

        await PendingAppend.AnswerAsync(group, results, _signal.Notify, static (_, error) => Task.FromResult<Exception>(error is SqliteException sqlite
            ? new EventStoreUnavailableException($"SQLite append failed ({sqlite.SqliteErrorCode}).", sqlite)
            : error)).ConfigureAwait(false);
    }

    /// <summary>
    /// One append inside the scope's transaction. The scope's commands are prepared once per transaction and re-bound
    /// here; the log head is read once per transaction, carried in memory from append to append and written by
    /// <see cref="WriteScope.CompleteAsync"/> (the caller restores <see cref="WriteScope.Head"/> when it rolls an append back).
    /// </summary>
    private static async Task<AppendResult> AppendInTransactionAsync(WriteScope scope, AppendRequest request, CancellationToken ct)
    {
        long version = 0;
        var exists = false;
        var created = false;
        if (request.ExpectedVersion.IsSatisfiedBy(0))
        {
            // A stream that may be new (an import's NoStream, or Any): create its row at once; only a conflict needs a read.
            var create = scope.Command("INSERT INTO streams (stream_id, tenant_id, version) VALUES (@s, @t, @v) ON CONFLICT (stream_id) DO NOTHING", "@s", "@t", "@v");
            Bind(create, request.StreamId, request.TenantId, (long)request.Events.Count);
            created = await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }

        if (!created)
        {
            var streamCmd = scope.Command("SELECT tenant_id, version FROM streams WHERE stream_id = @s", "@s");
            streamCmd.Parameters[0].Value = request.StreamId;
            await using (var reader = await streamCmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
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
        }

        foreach (var claim in request.Claims)
        {
            if (claim.Operation == UniqueClaimOperation.Claim)
            {
                // Insert first: a free value (the usual case) costs one statement; a taken one is then read for its owner.
                var insert = scope.Command(
                    "INSERT INTO unique_claims (tenant_id, scope, value, stream_id) VALUES (@t, @sc, @v, @s) ON CONFLICT (tenant_id, scope, value) DO NOTHING",
                    "@t", "@sc", "@v", "@s");
                Bind(insert, request.TenantId, claim.Scope, claim.Value, request.StreamId);
                if (await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1)
                {
                    continue;
                }

                var check = scope.Command("SELECT stream_id FROM unique_claims WHERE tenant_id = @t AND scope = @sc AND value = @v", "@t", "@sc", "@v");
                Bind(check, request.TenantId, claim.Scope, claim.Value);
                if (await check.ExecuteScalarAsync(ct).ConfigureAwait(false) is string owner &&
                    !string.Equals(owner, request.StreamId, StringComparison.Ordinal))
                {
                    throw new UniqueClaimViolationException(request.TenantId, claim.Scope, claim.Value, owner);
                }
            }
            else
            {
                var release = scope.Command("DELETE FROM unique_claims WHERE tenant_id = @t AND scope = @sc AND value = @v AND stream_id = @s", "@t", "@sc", "@v", "@s");
                Bind(release, request.TenantId, claim.Scope, claim.Value, request.StreamId);
                await release.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        var head = await scope.ReadHeadAsync(ct).ConfigureAwait(false);
        var stored = HashChain.Link(head, version, request);
        var insertEvent = scope.Command(
            $"INSERT INTO events ({Columns}) VALUES (@p, @s, @v, @t, @type, @data, @id, @at, @actor, @ip, @ua, @corr, @cause, @hash)",
            "@p", "@s", "@v", "@t", "@type", "@data", "@id", "@at", "@actor", "@ip", "@ua", "@corr", "@cause", "@hash");
        foreach (var e in stored)
        {
            var m = e.Metadata;
            var p = insertEvent.Parameters;
            p[0].Value = e.Position;
            p[1].Value = e.StreamId;
            p[2].Value = e.StreamVersion;
            p[3].Value = e.TenantId;
            p[4].Value = e.EventType;
            p[5].Value = e.Data;
            p[6].Value = m.EventId.ToString("D");
            p[7].Value = TimeStamps.ToUnixMicroseconds(m.Timestamp);
            p[8].Value = (object?)m.Actor ?? DBNull.Value;
            p[9].Value = (object?)m.ClientIp ?? DBNull.Value;
            p[10].Value = (object?)m.UserAgent ?? DBNull.Value;
            p[11].Value = (object?)m.CorrelationId ?? DBNull.Value;
            p[12].Value = (object?)m.CausationId ?? DBNull.Value;
            p[13].Value = e.Hash;
            await insertEvent.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        var newVersion = version + stored.Length;
        if (exists)
        {
            var update = scope.Command("UPDATE streams SET version = @v WHERE stream_id = @s", "@v", "@s");
            Bind(update, newVersion, request.StreamId);
            await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        else if (!created)
        {
            var insert = scope.Command("INSERT INTO streams (stream_id, tenant_id, version) VALUES (@s, @t, @v)", "@s", "@t", "@v");
            Bind(insert, request.StreamId, request.TenantId, newVersion);
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        if (scope.Inline is { } inline)
        {
            var payloads = new object?[request.Events.Count];
            for (var i = 0; i < payloads.Length; i++)
            {
                payloads[i] = request.Events[i].Payload;
            }

            await inline.ApplyAsync(stored, payloads, ct).ConfigureAwait(false);
        }

        scope.Head = new LogHead(stored[^1].Position, stored[^1].Hash);
        return new AppendResult(stored[0].Position, stored[^1].Position, newVersion);
    }

    private static void Bind(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
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
        await using var connection = await _database.OpenAsync(ct).ConfigureAwait(false);
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
        await using var connection = await _database.OpenAsync(ct).ConfigureAwait(false);
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
        await using var connection = await _database.OpenAsync(ct).ConfigureAwait(false);
        return await EnsureTenantAsync(connection, null, tenantId, streamId, ct).ConfigureAwait(false);
    }

    public async Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default)
    {
        await using var connection = await _database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "SELECT stream_id FROM unique_claims WHERE tenant_id = @t AND scope = @sc AND value = @v",
            ("@t", tenantId), ("@sc", scope), ("@v", value));
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
    }

    public async Task<LogHead> ReadHeadAsync(CancellationToken ct = default)
    {
        await using var connection = await _database.OpenAsync(ct).ConfigureAwait(false);
        return await ReadHeadAsync(connection, null, ct).ConfigureAwait(false);
    }

    // In-process appends signal at once; another process writing the same file is seen by polling.
    public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default) =>
        _signal.WaitOrPollAsync(afterPosition, timeout, static () => PollInterval, ReadHeadAsync, ct);

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken ct = default) => await _database.OpenAsync(ct).ConfigureAwait(false);

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
        // Commits what is already queued, then stops the writer; only then is its connection free.
        await _appends.DisposeAsync().ConfigureAwait(false);
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }
    }

    private async Task<SqliteConnection> OpenWriterAsync(CancellationToken ct)
    {
        var connection = await _database.OpenAsync(ct).ConfigureAwait(false);
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

    /// <summary>
    /// One append transaction on the writer connection: its statements (prepared at first use, re-bound after), the
    /// log head as the appends so far moved it, and the inline projections' contexts.
    /// </summary>
    private sealed class WriteScope(SqliteConnection connection, SqliteTransaction transaction, InlineProjector? inline) : IAsyncDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
        private long? _stored;

        public SqliteConnection Connection => connection;

        public SqliteTransaction Transaction => transaction;

        public InlineProjector.InlineBatch? Inline { get; } = inline?.Begin(connection, transaction, SqlDialect.Sqlite);

        /// <summary>The head after the last kept append; null until the first append reads it.</summary>
        public LogHead? Head { get; set; }

        public async ValueTask<LogHead> ReadHeadAsync(CancellationToken ct)
        {
            if (Head is null)
            {
                Head = await SqliteEventStore.ReadHeadAsync(connection, transaction, ct).ConfigureAwait(false);
                _stored = Head.Position;
            }

            return Head;
        }

        public SqliteCommand Command(string sql, params string[] parameters)
        {
            if (!_commands.TryGetValue(sql, out var command))
            {
                command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = sql;
                foreach (var name in parameters)
                {
                    command.Parameters.Add(new SqliteParameter { ParameterName = name });
                }

                _commands[sql] = command;
            }

            return command;
        }

        /// <summary>Writes the head and advances the inline projections, once for the transaction. Call before committing.</summary>
        public async Task CompleteAsync(CancellationToken ct)
        {
            if (Head is not { } head || head.Position == _stored)
            {
                return;
            }

            var cmd = Command(
                "INSERT INTO log_head (id, position, hash) VALUES (1, @p, @h) ON CONFLICT (id) DO UPDATE SET position = excluded.position, hash = excluded.hash",
                "@p", "@h");
            Bind(cmd, head.Position, head.Hash);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            _stored = head.Position;
            if (Inline is not null)
            {
                Inline.Applied(head.Position);
                await Inline.CompleteAsync(ct).ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Inline is not null)
            {
                await Inline.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var command in _commands.Values)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }
        }
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
