using System.Globalization;
using KoderId.EventSourcing.Storage;
using Npgsql;
using NpgsqlTypes;

namespace KoderId.EventSourcing.Postgres;

/// <summary>
/// One <see cref="PostgresEventStore.AppendManyAsync"/>: the rows its requests touch (streams, claims, the head), read
/// in one round trip under the append lock; the decisions, in memory and in request order, exactly as one append after
/// another would take them (tenant, expected version, claims, then the hash chain from the running head); and the rows,
/// written in one round trip with one array insert per table instead of a statement per row (ADR 0007).
/// </summary>
internal sealed class PostgresBulkAppend(IReadOnlyList<AppendRequest> requests)
{
    // Keeps every bind message far below PostgreSQL's 1 GiB limit, whatever the events hold (at most 1 MiB of data each).
    private const int MaxEventsPerStatement = 5_000;
    private const long MaxDataCharsPerStatement = 64L * 1024 * 1024;

    private const string InsertEvents =
        "INSERT INTO events (position, stream_id, stream_version, tenant_id, event_type, data, event_id, created_at, actor, client_ip, user_agent, correlation_id, causation_id, hash) " +
        "SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bytea[])";

    /// <summary>Streams and claim owners as stored before the batch.</summary>
    private readonly Dictionary<string, (string TenantId, long Version)> _storedStreams = new(StringComparer.Ordinal);
    private readonly Dictionary<ClaimKey, string> _storedOwners = [];
    private LogHead _storedHead = LogHead.Empty;

    /// <summary>The same after the batch (an owner of null: released).</summary>
    private Dictionary<string, (string TenantId, long Version)> _streams = [];
    private Dictionary<ClaimKey, string?> _owners = [];

    public AppendResult[] Results { get; } = new AppendResult[requests.Count];

    /// <summary>Every event of the batch, in position order.</summary>
    public IReadOnlyList<StoredEvent> Stored { get; private set; } = [];

    /// <summary>The typed events beside <see cref="Stored"/>, for the inline projections.</summary>
    public IReadOnlyList<object?> Payloads { get; private set; } = [];

    /// <summary>Takes the append lock, then reads the batch's streams, its claims and the head with snapshots taken after it.</summary>
    public async Task ReadAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        var streamIds = requests.Select(r => r.StreamId).Distinct(StringComparer.Ordinal).ToArray();
        var claimKeys = requests.SelectMany(r => r.Claims.Select(c => new ClaimKey(r.TenantId, c.Scope, c.Value))).Distinct().ToArray();
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                Command("SELECT pg_advisory_xact_lock($1)", Parameter(AdvisoryLocks.Append)),
                Command("SELECT stream_id, tenant_id, version FROM streams WHERE stream_id = ANY($1)", Parameter(streamIds, NpgsqlDbType.Text)),
            },
        };
        if (claimKeys.Length > 0)
        {
            batch.BatchCommands.Add(Command(
                "SELECT tenant_id, scope, value, stream_id FROM unique_claims WHERE (tenant_id, scope, value) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))",
                Parameter(claimKeys.Select(k => k.TenantId).ToArray(), NpgsqlDbType.Text),
                Parameter(claimKeys.Select(k => k.Scope).ToArray(), NpgsqlDbType.Text),
                Parameter(claimKeys.Select(k => k.Value).ToArray(), NpgsqlDbType.Text)));
        }

        batch.BatchCommands.Add(Command("SELECT position, hash FROM log_head WHERE id = 1"));

        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);

        // The first result is the lock's single row.
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            _storedStreams[reader.GetString(0)] = (reader.GetString(1), reader.GetInt64(2));
        }

        await reader.NextResultAsync(ct).ConfigureAwait(false);
        if (claimKeys.Length > 0)
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                _storedOwners[new ClaimKey(reader.GetString(0), reader.GetString(1), reader.GetString(2))] = reader.GetString(3);
            }

            await reader.NextResultAsync(ct).ConfigureAwait(false);
        }

        if (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            _storedHead = new LogHead(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
        }
    }

    /// <summary>
    /// Runs every request's checks against the state the requests before it left, as single appends would, and links its
    /// events to the chain. Throws the first refusal (<see cref="WrongTenantException"/>, <see cref="WrongExpectedVersionException"/>,
    /// <see cref="UniqueClaimViolationException"/>); nothing has been written then.
    /// </summary>
    public void Decide()
    {
        var streams = new Dictionary<string, (string TenantId, long Version)>(_storedStreams, StringComparer.Ordinal);
        var owners = _storedOwners.ToDictionary(o => o.Key, o => (string?)o.Value);
        var stored = new List<StoredEvent>(requests.Sum(r => r.Events.Count));
        var payloads = new List<object?>(stored.Capacity);
        var head = _storedHead;
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            long version = 0;
            if (streams.TryGetValue(request.StreamId, out var stream))
            {
                if (!string.Equals(stream.TenantId, request.TenantId, StringComparison.Ordinal))
                {
                    throw new WrongTenantException(request.StreamId, request.TenantId);
                }

                version = stream.Version;
            }

            if (!request.ExpectedVersion.IsSatisfiedBy(version))
            {
                throw new WrongExpectedVersionException(request.StreamId, request.ExpectedVersion, version);
            }

            foreach (var claim in request.Claims)
            {
                var key = new ClaimKey(request.TenantId, claim.Scope, claim.Value);
                owners.TryGetValue(key, out var owner);
                if (claim.Operation == UniqueClaimOperation.Claim)
                {
                    if (owner is not null && !string.Equals(owner, request.StreamId, StringComparison.Ordinal))
                    {
                        throw new UniqueClaimViolationException(request.TenantId, claim.Scope, claim.Value, owner);
                    }

                    owners[key] = request.StreamId;
                }
                else if (string.Equals(owner, request.StreamId, StringComparison.Ordinal))
                {
                    // A release removes only the stream's own claim, as the single append's DELETE does.
                    owners[key] = null;
                }
            }

            var linked = HashChain.Link(head, version, request);
            stored.AddRange(linked);
            foreach (var e in request.Events)
            {
                payloads.Add(e.Payload);
            }

            head = new LogHead(linked[^1].Position, linked[^1].Hash);
            var newVersion = version + linked.Length;
            streams[request.StreamId] = (request.TenantId, newVersion);
            Results[i] = new AppendResult(linked[0].Position, linked[^1].Position, newVersion);
        }

        _streams = streams;
        _owners = owners;
        Stored = stored;
        Payloads = payloads;
    }

    /// <summary>
    /// The claims (released ones deleted first), the events, the streams, the head and the notification, in one round trip.
    /// Rows are those the single appends would leave; the notification names the last position, which is all a listener reads.
    /// </summary>
    public async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, tx);
        AddClaimWrites(batch);
        var start = 0;
        while (start < Stored.Count)
        {
            var end = start;
            long chars = 0;
            while (end < Stored.Count && end - start < MaxEventsPerStatement && (end == start || chars + Stored[end].Data.Length <= MaxDataCharsPerStatement))
            {
                chars += Stored[end].Data.Length;
                end++;
            }

            batch.BatchCommands.Add(EventRows(start, end));
            start = end;
        }

        AddStreamWrites(batch);
        var last = Stored[^1];
        batch.BatchCommands.Add(Command(
            "INSERT INTO log_head (id, position, hash) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET position = excluded.position, hash = excluded.hash",
            Parameter(last.Position), Parameter(last.Hash)));

        // Delivered to listeners on other nodes at commit, and only if the transaction commits.
        batch.BatchCommands.Add(Command("SELECT pg_notify($1, $2)",
            Parameter(PostgresEventStore.NotificationChannel), Parameter(last.Position.ToString(CultureInfo.InvariantCulture))));
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private void AddClaimWrites(NpgsqlBatch batch)
    {
        var released = new List<ClaimKey>();
        var claimed = new List<(ClaimKey Key, string Owner)>();
        foreach (var (key, owner) in _owners)
        {
            _storedOwners.TryGetValue(key, out var before);
            if (string.Equals(before, owner, StringComparison.Ordinal))
            {
                continue;
            }

            if (before is not null)
            {
                released.Add(key);
            }

            if (owner is not null)
            {
                claimed.Add((key, owner));
            }
        }

        if (released.Count > 0)
        {
            batch.BatchCommands.Add(Command(
                "DELETE FROM unique_claims WHERE (tenant_id, scope, value) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))",
                Parameter(released.Select(k => k.TenantId).ToArray(), NpgsqlDbType.Text),
                Parameter(released.Select(k => k.Scope).ToArray(), NpgsqlDbType.Text),
                Parameter(released.Select(k => k.Value).ToArray(), NpgsqlDbType.Text)));
        }

        if (claimed.Count > 0)
        {
            batch.BatchCommands.Add(Command(
                "INSERT INTO unique_claims (tenant_id, scope, value, stream_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])",
                Parameter(claimed.Select(c => c.Key.TenantId).ToArray(), NpgsqlDbType.Text),
                Parameter(claimed.Select(c => c.Key.Scope).ToArray(), NpgsqlDbType.Text),
                Parameter(claimed.Select(c => c.Key.Value).ToArray(), NpgsqlDbType.Text),
                Parameter(claimed.Select(c => c.Owner).ToArray(), NpgsqlDbType.Text)));
        }
    }

    private NpgsqlBatchCommand EventRows(int start, int end)
    {
        var count = end - start;
        var positions = new long[count];
        var streamIds = new string[count];
        var versions = new long[count];
        var tenants = new string[count];
        var types = new string[count];
        var data = new string[count];
        var ids = new Guid[count];
        var times = new long[count];
        var actors = new string?[count];
        var ips = new string?[count];
        var agents = new string?[count];
        var correlations = new string?[count];
        var causations = new string?[count];
        var hashes = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var e = Stored[start + i];
            var m = e.Metadata;
            positions[i] = e.Position;
            streamIds[i] = e.StreamId;
            versions[i] = e.StreamVersion;
            tenants[i] = e.TenantId;
            types[i] = e.EventType;
            data[i] = e.Data;
            ids[i] = m.EventId;
            times[i] = TimeStamps.ToUnixMicroseconds(m.Timestamp);
            actors[i] = m.Actor;
            ips[i] = m.ClientIp;
            agents[i] = m.UserAgent;
            correlations[i] = m.CorrelationId;
            causations[i] = m.CausationId;
            hashes[i] = e.Hash;
        }

        return Command(InsertEvents,
            Parameter(positions, NpgsqlDbType.Bigint),
            Parameter(streamIds, NpgsqlDbType.Text),
            Parameter(versions, NpgsqlDbType.Bigint),
            Parameter(tenants, NpgsqlDbType.Text),
            Parameter(types, NpgsqlDbType.Text),
            Parameter(data, NpgsqlDbType.Text),
            Parameter(ids, NpgsqlDbType.Uuid),
            Parameter(times, NpgsqlDbType.Bigint),
            Parameter(actors, NpgsqlDbType.Text),
            Parameter(ips, NpgsqlDbType.Text),
            Parameter(agents, NpgsqlDbType.Text),
            Parameter(correlations, NpgsqlDbType.Text),
            Parameter(causations, NpgsqlDbType.Text),
            Parameter(hashes, NpgsqlDbType.Bytea));
    }

    private void AddStreamWrites(NpgsqlBatch batch)
    {
        var created = new List<(string StreamId, string TenantId, long Version)>();
        var updated = new List<(string StreamId, long Version)>();
        foreach (var (streamId, (tenantId, version)) in _streams)
        {
            if (!_storedStreams.TryGetValue(streamId, out var before))
            {
                created.Add((streamId, tenantId, version));
            }
            else if (before.Version != version)
            {
                updated.Add((streamId, version));
            }
        }

        if (created.Count > 0)
        {
            batch.BatchCommands.Add(Command(
                "INSERT INTO streams (stream_id, tenant_id, version) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])",
                Parameter(created.Select(s => s.StreamId).ToArray(), NpgsqlDbType.Text),
                Parameter(created.Select(s => s.TenantId).ToArray(), NpgsqlDbType.Text),
                Parameter(created.Select(s => s.Version).ToArray(), NpgsqlDbType.Bigint)));
        }

        if (updated.Count > 0)
        {
            batch.BatchCommands.Add(Command(
                "UPDATE streams SET version = u.version FROM unnest($1::text[], $2::bigint[]) AS u(stream_id, version) WHERE streams.stream_id = u.stream_id",
                Parameter(updated.Select(s => s.StreamId).ToArray(), NpgsqlDbType.Text),
                Parameter(updated.Select(s => s.Version).ToArray(), NpgsqlDbType.Bigint)));
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Parameter(object value) => new() { Value = value };

    private static NpgsqlParameter Parameter(Array values, NpgsqlDbType elementType) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | elementType };

    private readonly record struct ClaimKey(string TenantId, string Scope, string Value);
}
