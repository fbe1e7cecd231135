using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;
using Npgsql;

namespace KoderId.EventSourcing.Postgres;

/// <summary>
/// The production event store, shared by several server nodes. Every append takes one transaction-scoped
/// advisory lock first, reads the head, writes positions head+1.. and commits; the lock is released only
/// after the commit is visible, so positions become visible in order and a reader never skips one
/// (docs/adr/0003-postgres-ordering.md). Other nodes' appends wake waiters through LISTEN/NOTIFY, with
/// polling of the head as the fallback.
/// </summary>
public sealed class PostgresEventStore : IEventStore, IReadModelStore, IAsyncDisposable
{
    /// <summary>The channel every append notifies (payload: the last position) when it commits.</summary>
    public const string NotificationChannel = "koderid_events";

    private const string Columns = "position, stream_id, stream_version, tenant_id, event_type, data, event_id, created_at, actor, client_ip, user_agent, correlation_id, causation_id, hash";
    private const string InsertEvent = $"INSERT INTO events ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
    private const string UniqueClaimsKey = "unique_claims_pkey";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ListeningPollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ListenRetryDelay = TimeSpan.FromSeconds(1);

    private readonly PostgresDatabase _database;
    private readonly InlineProjector? _inline;
    private readonly AppendSignal _signal = new();
    private readonly AppendQueue _appends;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _listenerGate = new();
    private Task? _listener;
    private volatile bool _listening;

    public PostgresEventStore(PostgresDatabase database, InlineProjector? inline = null)
    {
        _database = database;
        _inline = inline;
        _appends = new AppendQueue(CommitGroupAsync);
    }

    public PostgresDatabase Database => _database;

    public SqlDialect Dialect => SqlDialect.Postgres;

    /// <summary>
    /// Appends are group-committed (<see cref="AppendQueue"/>): every append waiting behind the one in flight
    /// is committed in the next transaction, each under its own savepoint, so concurrent appends share one WAL
    /// flush while each still succeeds or fails on its own (docs/adr/0003-postgres-ordering.md).
    /// </summary>
    public Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
    {
        EventStoreLimits.Validate(request);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        return _appends.EnqueueAsync(request, ct);
    }

    public bool SupportsMultiStreamAppend => true;

    /// <summary>
    /// One transaction for every request, outside the group-commit queue but under the same advisory lock, so it is
    /// ordered with single appends from every node: all of the requests commit or none does. The checks run in memory
    /// over state read in one round trip under the lock; the rows go in one batch of array inserts (ADR 0007).
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

        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var bulk = new PostgresBulkAppend(requests);
        try
        {
            await using var connection = await _database.OpenAsync(ct).ConfigureAwait(false);

            // READ COMMITTED, as for single appends: the reads after the lock see the previous holder's commit.
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct).ConfigureAwait(false);
            await bulk.ReadAsync(connection, tx, ct).ConfigureAwait(false);

            // Throws the first refusal, in request order, before anything is written.
            bulk.Decide();
            await bulk.WriteAsync(connection, tx, ct).ConfigureAwait(false);
            if (_inline is not null)
            {
                // Each projection sees every event of the batch in log order, as it would from one append after another;
                // projections write only their own tables, so applying them projection by projection changes no row.
                await _inline.ApplyAsync(connection, tx, SqlDialect.Postgres, bulk.Stored, bulk.Payloads, ct).ConfigureAwait(false);
            }

            // Not cancellable: once the rows are written the caller gets a definite answer, not a maybe.
            await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: UniqueClaimsKey })
        {
            // Only a writer that bypasses the append lock can get here; report it as the claim conflict it is.
            foreach (var request in requests)
            {
                if (await ClaimRacedAsync(request, ex, CancellationToken.None).ConfigureAwait(false) is UniqueClaimViolationException violation)
                {
                    throw violation;
                }
            }

            throw PostgresErrors.Unavailable("append (a unique claim raced with another writer; retry)", ex);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("append", ex);
        }

        _signal.Notify(bulk.Results[^1].LastPosition);
        return bulk.Results;
    }

    private async Task CommitGroupAsync(IReadOnlyList<PendingAppend> group)
    {
        var results = new (AppendResult? Result, Exception? Error)[group.Count];
        var useSavepoints = group.Count > 1;
        try
        {
            await using var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);

            // READ COMMITTED on purpose: each statement after the lock takes a fresh snapshot and so sees the
            // previous holder's commit. Under REPEATABLE READ the snapshot would predate the lock wait.
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, CancellationToken.None).ConfigureAwait(false);
            for (var i = 0; i < group.Count; i++)
            {
                if (!useSavepoints)
                {
                    results[i] = (await AppendInTransactionAsync(connection, tx, group[i].Request, group[i].Cancellation).ConfigureAwait(false), null);
                    continue;
                }

                try
                {
                    // Each append reads the head its predecessors in the group moved, so positions stay dense.
                    results[i] = (await AppendInTransactionAsync(connection, tx, group[i].Request, CancellationToken.None, savepoint: true).ConfigureAwait(false), null);
                }
                catch (Exception ex) when (ex is not NpgsqlException || ex is PostgresException)
                {
                    // This append alone is refused (version, tenant, claim, a failing inline projection ...).
                    await tx.RollbackAsync("append", CancellationToken.None).ConfigureAwait(false);
                    results[i] = (null, ex);
                }
            }

            // Not cancellable: once the rows are written every caller gets a definite answer, not a maybe.
            await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Nothing of the group committed: an append refused on its own keeps its reason, the others get this one.
            for (var i = 0; i < group.Count; i++)
            {
                results[i] = (null, results[i].Error ?? ex);
            }
        }

        await PendingAppend.AnswerAsync(group, results, _signal.Notify, (pending, error) => MapErrorAsync(pending.Request, error)).ConfigureAwait(false);
    }

    private async Task<Exception> MapErrorAsync(AppendRequest request, Exception error)
    {
        try
        {
            return error switch
            {
                // Only a writer that bypasses the append lock can get here; report it as the claim conflict it is.
                PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: UniqueClaimsKey } ex => await ClaimRacedAsync(request, ex, CancellationToken.None).ConfigureAwait(false),
                NpgsqlException ex => PostgresErrors.Unavailable("append", ex),
                _ => error,
            };
        }
        catch (EventStoreException lookupFailed)
        {
            return lookupFailed;
        }
    }

    /// <param name="savepoint">
    /// Opens <c>SAVEPOINT append</c> in the same round trip as the reads, so a refused append in a group can be
    /// rolled back alone. Savepoints are not released: each shadows the previous one and the commit ends them all.
    /// </param>
    private async Task<AppendResult> AppendInTransactionAsync(NpgsqlConnection connection, NpgsqlTransaction tx, AppendRequest request, CancellationToken ct, bool savepoint = false)
    {
        long version = 0;
        var exists = false;
        LogHead head;

        // One round trip: the lock first, then the stream and the head, read with snapshots taken after it.
        await using (var batch = new NpgsqlBatch(connection, tx)
                     {
                         BatchCommands =
                         {
                             BatchCommand("SELECT pg_advisory_xact_lock($1)", AdvisoryLocks.Append),
                             BatchCommand("SELECT tenant_id, version FROM streams WHERE stream_id = $1", request.StreamId),
                             BatchCommand("SELECT position, hash FROM log_head WHERE id = 1"),
                         },
                     })
        {
            if (savepoint)
            {
                batch.BatchCommands.Insert(0, new NpgsqlBatchCommand("SAVEPOINT append"));
            }

            // The reader skips statements without rows (SAVEPOINT): its first result is the lock's.
            await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                exists = true;
                if (!string.Equals(reader.GetString(0), request.TenantId, StringComparison.Ordinal))
                {
                    throw new WrongTenantException(request.StreamId, request.TenantId);
                }

                version = reader.GetInt64(1);
            }

            await reader.NextResultAsync(ct).ConfigureAwait(false);
            head = await reader.ReadAsync(ct).ConfigureAwait(false)
                ? new LogHead(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1))
                : LogHead.Empty;
        }

        if (!request.ExpectedVersion.IsSatisfiedBy(version))
        {
            throw new WrongExpectedVersionException(request.StreamId, request.ExpectedVersion, version);
        }

        foreach (var claim in request.Claims)
        {
            if (claim.Operation == UniqueClaimOperation.Claim)
            {
                await using var check = Command(connection, tx, "SELECT stream_id FROM unique_claims WHERE tenant_id = $1 AND scope = $2 AND value = $3",
                    request.TenantId, claim.Scope, claim.Value);
                if (await check.ExecuteScalarAsync(ct).ConfigureAwait(false) is string owner)
                {
                    if (!string.Equals(owner, request.StreamId, StringComparison.Ordinal))
                    {
                        throw new UniqueClaimViolationException(request.TenantId, claim.Scope, claim.Value, owner);
                    }

                    continue;
                }

                await using var insert = Command(connection, tx, "INSERT INTO unique_claims (tenant_id, scope, value, stream_id) VALUES ($1, $2, $3, $4)",
                    request.TenantId, claim.Scope, claim.Value, request.StreamId);
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            else
            {
                await using var release = Command(connection, tx, "DELETE FROM unique_claims WHERE tenant_id = $1 AND scope = $2 AND value = $3 AND stream_id = $4",
                    request.TenantId, claim.Scope, claim.Value, request.StreamId);
                await release.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        var stored = HashChain.Link(head, version, request);
        var newVersion = version + stored.Length;
        await using (var write = new NpgsqlBatch(connection, tx))
        {
            foreach (var e in stored)
            {
                var m = e.Metadata;
                write.BatchCommands.Add(BatchCommand(InsertEvent,
                    e.Position, e.StreamId, e.StreamVersion, e.TenantId, e.EventType, e.Data, m.EventId,
                    TimeStamps.ToUnixMicroseconds(m.Timestamp), m.Actor, m.ClientIp, m.UserAgent, m.CorrelationId, m.CausationId, e.Hash));
            }

            write.BatchCommands.Add(exists
                ? BatchCommand("UPDATE streams SET version = $1 WHERE stream_id = $2", newVersion, request.StreamId)
                : BatchCommand("INSERT INTO streams (stream_id, tenant_id, version) VALUES ($1, $2, $3)", request.StreamId, request.TenantId, newVersion));
            write.BatchCommands.Add(BatchCommand(
                "INSERT INTO log_head (id, position, hash) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET position = excluded.position, hash = excluded.hash",
                stored[^1].Position, stored[^1].Hash));

            // Delivered to listeners on other nodes at commit, and only if the transaction commits.
            write.BatchCommands.Add(BatchCommand("SELECT pg_notify($1, $2)", NotificationChannel, stored[^1].Position.ToString(CultureInfo.InvariantCulture)));
            await write.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        if (_inline is not null)
        {
            await _inline.ApplyAsync(connection, tx, SqlDialect.Postgres, stored, request.Events.Select(e => e.Payload).ToArray(), ct).ConfigureAwait(false);
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
        await using var connection = await _database.OpenAsync(ct).ConfigureAwait(false);
        await EnsureTenantAsync(connection, tenantId, streamId, ct).ConfigureAwait(false);

        // The tenant filter also covers a stream that another tenant creates between the check and the read.
        var sql = direction == ReadDirection.Forward
            ? $"SELECT {Columns} FROM events WHERE stream_id = $1 AND tenant_id = $2 AND stream_version >= $3 ORDER BY stream_version LIMIT $4"
            : $"SELECT {Columns} FROM events WHERE stream_id = $1 AND tenant_id = $2 AND stream_version <= $3 ORDER BY stream_version DESC LIMIT $4";
        await foreach (var e in QueryAsync(connection, "read", sql, [streamId, tenantId, fromVersion, (long)maxCount], ct).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    public async IAsyncEnumerable<StoredEvent> ReadAllAsync(long afterPosition, int maxCount = int.MaxValue, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = await _database.OpenAsync(ct).ConfigureAwait(false);
        await foreach (var e in QueryAsync(connection, "read", $"SELECT {Columns} FROM events WHERE position > $1 ORDER BY position LIMIT $2", [afterPosition, (long)maxCount], ct)
                           .ConfigureAwait(false))
        {
            yield return e;
        }
    }

    public async Task<long> GetStreamVersionAsync(string tenantId, string streamId, CancellationToken ct = default)
    {
        EventStoreLimits.ValidateIds(tenantId, streamId);
        await using var connection = await _database.OpenAsync(ct).ConfigureAwait(false);
        return await EnsureTenantAsync(connection, tenantId, streamId, ct).ConfigureAwait(false);
    }

    public async Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default)
    {
        await using var connection = await _database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "SELECT stream_id FROM unique_claims WHERE tenant_id = $1 AND scope = $2 AND value = $3", tenantId, scope, value);
        try
        {
            return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("read", ex);
        }
    }

    public async Task<LogHead> ReadHeadAsync(CancellationToken ct = default)
    {
        await using var connection = await _database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "SELECT position, hash FROM log_head WHERE id = 1");
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false)
                ? new LogHead(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1))
                : LogHead.Empty;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("read", ex);
        }
    }

    public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default)
    {
        // In-process appends signal at once, other nodes' appends through NOTIFY; polling the head covers
        // the moments the listener is not connected (start-up, a lost connection).
        EnsureListening();
        return _signal.WaitOrPollAsync(afterPosition, timeout, () => _listening ? ListeningPollInterval : PollInterval, ReadHeadAsync, ct);
    }

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken ct = default) => await _database.OpenAsync(ct).ConfigureAwait(false);

    public async Task<IExclusiveScope> BeginExclusiveAsync(DbConnection connection, CancellationToken ct = default)
    {
        var npgsql = connection as NpgsqlConnection
                     ?? throw new ArgumentException("The connection must come from this store's OpenConnectionAsync.", nameof(connection));
        NpgsqlTransaction? tx = null;
        try
        {
            tx = await npgsql.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct).ConfigureAwait(false);

            // The append lock: appends on every node wait until this transaction commits or rolls back.
            await using var cmd = Command(npgsql, tx, "SELECT pg_advisory_xact_lock($1)", AdvisoryLocks.Append);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return new Exclusive(tx);
        }
        catch (Exception ex)
        {
            if (tx is not null)
            {
                await tx.DisposeAsync().ConfigureAwait(false);
            }

            if (ex is NpgsqlException npgsqlException)
            {
                throw PostgresErrors.Unavailable("exclusive transaction", npgsqlException);
            }

            throw;
        }
    }

    public async Task<IAsyncDisposable?> TryAcquireLeaseAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var key = AdvisoryLocks.Lease(name);

        // A session-level lock on a connection of its own: held until the lease is disposed, and released by the
        // server if this node dies (its session ends), so a crashed node never keeps a projection to itself.
        var connection = await _database.OpenDedicatedAsync(ct).ConfigureAwait(false);
        try
        {
            await using var cmd = Command(connection, null, "SELECT pg_try_advisory_lock($1)", key);
            if (await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is true)
            {
                return new Lease(connection, key);
            }
        }
        catch (Exception ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            if (ex is NpgsqlException npgsqlException)
            {
                throw PostgresErrors.Unavailable("lease", npgsqlException);
            }

            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        Task? listener;
        lock (_listenerGate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            listener = _listener;
            _stopping.Cancel();
        }

        // Commits what is already queued, then stops the writer.
        await _appends.DisposeAsync().ConfigureAwait(false);
        if (listener is not null)
        {
            await listener.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private void EnsureListening()
    {
        if (Volatile.Read(ref _listener) is not null)
        {
            return;
        }

        lock (_listenerGate)
        {
            if (_listener is null && !_stopping.IsCancellationRequested)
            {
                var token = _stopping.Token;
                _listener = Task.Run(() => ListenAsync(token), CancellationToken.None);
            }
        }
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _database.OpenDedicatedAsync(ct).ConfigureAwait(false);
                connection.Notification += OnNotification;
                await using (var listen = Command(connection, null, $"LISTEN {NotificationChannel}"))
                {
                    await listen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                _listening = true;
                while (true)
                {
                    await connection.WaitAsync(ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return; // the database was disposed before this store: nothing left to listen to.
            }
            catch (Exception ex) when (ex is NpgsqlException or EventStoreUnavailableException or InvalidOperationException or TimeoutException or IOException)
            {
                // The server is away or the connection broke: waiters poll meanwhile; listen again shortly.
            }
            finally
            {
                _listening = false;
            }

            try
            {
                await Task.Delay(ListenRetryDelay, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (long.TryParse(e.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            _signal.Notify(position);
        }
    }

    private async Task<EventStoreException> ClaimRacedAsync(AppendRequest request, PostgresException ex, CancellationToken ct)
    {
        foreach (var claim in request.Claims.Where(c => c.Operation == UniqueClaimOperation.Claim))
        {
            var owner = await GetClaimOwnerAsync(request.TenantId, claim.Scope, claim.Value, ct).ConfigureAwait(false);
            if (owner is not null && !string.Equals(owner, request.StreamId, StringComparison.Ordinal))
            {
                return new UniqueClaimViolationException(request.TenantId, claim.Scope, claim.Value, owner);
            }
        }

        // The competing claim was released again before we looked: a retry will succeed.
        return PostgresErrors.Unavailable("append (a unique claim raced with another writer; retry)", ex);
    }

    private static async Task<long> EnsureTenantAsync(NpgsqlConnection connection, string tenantId, string streamId, CancellationToken ct)
    {
        await using var cmd = Command(connection, null, "SELECT tenant_id, version FROM streams WHERE stream_id = $1", streamId);
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                return 0;
            }

            return string.Equals(reader.GetString(0), tenantId, StringComparison.Ordinal)
                ? reader.GetInt64(1)
                : throw new WrongTenantException(streamId, tenantId);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("read", ex);
        }
    }

    /// <summary>Streams rows as events, mapping driver failures (a <c>yield</c> cannot sit inside a <c>try</c> with a <c>catch</c>).</summary>
    private static async IAsyncEnumerable<StoredEvent> QueryAsync(
        NpgsqlConnection connection,
        string operation,
        string sql,
        object?[] args,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await using var cmd = Command(connection, null, sql, args);
        NpgsqlDataReader reader;
        try
        {
            reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable(operation, ex);
        }

        await using (reader.ConfigureAwait(false))
        {
            while (true)
            {
                StoredEvent? next;
                try
                {
                    next = await reader.ReadAsync(ct).ConfigureAwait(false) ? Map(reader) : null;
                }
                catch (NpgsqlException ex)
                {
                    throw PostgresErrors.Unavailable(operation, ex);
                }

                if (next is null)
                {
                    break;
                }

                yield return next;
            }
        }
    }

    private static StoredEvent Map(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetInt64(2),
        r.GetString(3),
        r.GetString(4),
        r.GetString(5),
        new EventMetadata
        {
            EventId = r.GetGuid(6),
            Timestamp = TimeStamps.FromUnixMicroseconds(r.GetInt64(7)),
            Actor = r.IsDBNull(8) ? null : r.GetString(8),
            ClientIp = r.IsDBNull(9) ? null : r.GetString(9),
            UserAgent = r.IsDBNull(10) ? null : r.GetString(10),
            CorrelationId = r.IsDBNull(11) ? null : r.GetString(11),
            CausationId = r.IsDBNull(12) ? null : r.GetString(12),
        },
        r.GetFieldValue<byte[]>(13));

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params object?[] args)
    {
        var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var value in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return cmd;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params object?[] args)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var value in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return cmd;
    }

    private sealed class Exclusive(NpgsqlTransaction transaction) : IExclusiveScope
    {
        public DbTransaction Transaction => transaction;

        public async Task CommitAsync(CancellationToken ct = default)
        {
            try
            {
                await transaction.CommitAsync(ct).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                throw PostgresErrors.Unavailable("exclusive transaction commit", ex);
            }
        }

        public ValueTask DisposeAsync() => transaction.DisposeAsync();
    }

    private sealed class Lease(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            try
            {
                await using var cmd = Command(connection, null, "SELECT pg_advisory_unlock($1)", key);
                await cmd.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                // The session is gone already, and the server released its locks with it.
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
