using System.Collections.Concurrent;
using System.Reflection;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;

namespace KoderId.Projections.Audit;

/// <summary>
/// One row per event of the log, async: who (actor), from where (client IP, user agent), did what (type) to
/// whom (the event's [DataSubject], e.g. the user id), when, and under which correlation id. It sees every
/// event, also types this build does not know (their subject is then unknown). Rows are keyed by position, so
/// replaying a batch after a crash changes nothing.
/// </summary>
public sealed class AuditProjection : IProjection
{
    public const string ProjectionName = "audit";
    public const string TableName = "audit";
    public const int CurrentVersion = 1;

    private static readonly ConcurrentDictionary<Type, PropertyInfo?> Subjects = new();

    public string Name => ProjectionName;

    public int Version => CurrentVersion;

    public ProjectionLifecycle Lifecycle => ProjectionLifecycle.Async;

    public IReadOnlyList<string> Tables { get; } = [TableName];

    public IReadOnlyCollection<Type>? HandledTypes => null;

    public async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var audit = context.Table(TableName);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {audit} (
                position BIGINT NOT NULL PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                stream_id TEXT NOT NULL,
                stream_version BIGINT NOT NULL,
                event_type TEXT NOT NULL,
                event_id TEXT NOT NULL,
                subject TEXT,
                actor TEXT,
                client_ip TEXT,
                user_agent TEXT,
                occurred_at BIGINT NOT NULL,
                correlation_id TEXT,
                causation_id TEXT)
            """,
            ct).ConfigureAwait(false);
        foreach (var column in (string[])["occurred_at", "actor", "subject", "event_type"])
        {
            var key = column == "occurred_at" ? "occurred_at, position" : $"{column}, occurred_at, position";
            await context.ExecuteAsync($"CREATE INDEX ix_{audit}_{column} ON {audit} (tenant_id, {key})", ct).ConfigureAwait(false);
        }

        await context.ExecuteAsync($"CREATE INDEX ix_{audit}_correlation ON {audit} (tenant_id, correlation_id)", ct).ConfigureAwait(false);
    }

    public Task ApplyAsync(ProjectionContext context, ProjectedEvent e, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(e);
        var s = e.Stored;
        var m = s.Metadata;
        return context.WriteAsync(
            $"""
            INSERT INTO {context.Table(TableName)} (position, tenant_id, stream_id, stream_version, event_type, event_id, subject,
                actor, client_ip, user_agent, occurred_at, correlation_id, causation_id)
            VALUES (@position, @tenant, @stream, @version, @type, @id, @subject, @actor, @ip, @ua, @at, @correlation, @causation)
            ON CONFLICT (position) DO NOTHING
            """,
            ct,
            ("@position", s.Position),
            ("@tenant", s.TenantId),
            ("@stream", s.StreamId),
            ("@version", s.StreamVersion),
            ("@type", s.EventType),
            ("@id", m.EventId.ToString("D")),
            ("@subject", SubjectOf(e.Event)),
            ("@actor", m.Actor),
            ("@ip", m.ClientIp),
            ("@ua", m.UserAgent),
            ("@at", ReadModelSql.Micros(m.Timestamp)),
            ("@correlation", m.CorrelationId),
            ("@causation", m.CausationId));
    }

    private static string? SubjectOf(object? @event) =>
        @event is null
            ? null
            : Subjects.GetOrAdd(@event.GetType(), static t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .FirstOrDefault(p => p.GetCustomAttribute<DataSubjectAttribute>() is not null))
                ?.GetValue(@event) as string;
}
