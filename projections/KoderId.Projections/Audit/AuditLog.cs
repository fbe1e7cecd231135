using System.Text;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Audit;

public sealed record AuditEntry(
    long Position,
    string TenantId,
    string StreamId,
    long StreamVersion,
    string EventType,
    Guid EventId,
    string? Subject,
    string? Actor,
    string? ClientIp,
    string? UserAgent,
    DateTimeOffset OccurredAt,
    string? CorrelationId,
    string? CausationId);

/// <summary>Filters of an audit search; every one is optional. <see cref="To"/> is exclusive. Page on with <see cref="AfterPosition"/>.</summary>
public sealed record AuditQuery
{
    public string? Actor { get; init; }
    public string? Subject { get; init; }
    public string? EventType { get; init; }
    public string? CorrelationId { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public long AfterPosition { get; init; }
    public int Limit { get; init; } = 100;
}

/// <summary>Searches the <c>audit</c> model of one tenant, in log order.</summary>
public sealed class AuditLog(IReadModelStore store)
{
    private readonly string _table = ReadModelSql.LiveTable(AuditProjection.TableName, AuditProjection.CurrentVersion);

    public async Task<IReadOnlyList<AuditEntry>> SearchAsync(string tenantId, AuditQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);

        // Only the filters given become SQL: "@x IS NULL OR ..." would leave PostgreSQL unable to type a null parameter.
        var where = new StringBuilder("tenant_id = @tenant AND position > @after");
        var args = new List<(string, object?)> { ("@tenant", tenantId), ("@after", query.AfterPosition) };
        void Filter(string column, string name, object? value, string op = "=")
        {
            if (value is not null)
            {
                where.Append(" AND ").Append(column).Append(' ').Append(op).Append(' ').Append(name);
                args.Add((name, value));
            }
        }

        Filter("actor", "@actor", query.Actor);
        Filter("subject", "@subject", query.Subject);
        Filter("event_type", "@type", query.EventType);
        Filter("correlation_id", "@correlation", query.CorrelationId);
        Filter("occurred_at", "@from", query.From is { } from ? ReadModelSql.Micros(from) : null, ">=");
        Filter("occurred_at", "@to", query.To is { } to ? ReadModelSql.Micros(to) : null, "<");
        args.Add(("@limit", Math.Clamp(query.Limit, 1, 1000)));

        return await ReadModelSql.QueryAsync(store,
            $"""
            SELECT position, tenant_id, stream_id, stream_version, event_type, event_id, subject, actor, client_ip, user_agent,
                occurred_at, correlation_id, causation_id
            FROM {_table} WHERE {where} ORDER BY position LIMIT @limit
            """,
            r => new AuditEntry(
                r.Long(0),
                r.GetString(1),
                r.GetString(2),
                r.Long(3),
                r.GetString(4),
                Guid.Parse(r.GetString(5)),
                r.Text(6),
                r.Text(7),
                r.Text(8),
                r.Text(9),
                r.Time(10),
                r.Text(11),
                r.Text(12)),
            ct,
            [.. args]).ConfigureAwait(false);
    }
}
