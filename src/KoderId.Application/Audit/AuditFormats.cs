using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KoderId.Application.Audit;

public enum AuditFormat
{
    /// <summary>Aligned timeline lines for a person (the CLI's default; not served over REST).</summary>
    Table,

    /// <summary>One JSON object per line (<c>application/x-ndjson</c>), every field of the event.</summary>
    JsonLines,

    /// <summary>RFC 4180: a header row, CRLF line ends, fields with a comma, quote or line break quoted.</summary>
    Csv,

    /// <summary>JSON lines in the Elastic Common Schema style, for SIEMs (docs/audit.md lists the fields).</summary>
    Ecs,
}

public static class AuditFormats
{
    public static AuditFormat Parse(string? value, AuditFormat fallback) =>
        string.IsNullOrEmpty(value) ? fallback
        : value.Trim().ToLowerInvariant() switch
        {
            "table" or "timeline" => AuditFormat.Table,
            "jsonl" or "json" or "ndjson" or "json-lines" => AuditFormat.JsonLines,
            "csv" => AuditFormat.Csv,
            "ecs" => AuditFormat.Ecs,
            _ => throw new AuditInputException(AuditInputError.UnknownFormat, "format is one of table, jsonl, csv, ecs."),
        };

    public static string ContentType(AuditFormat format) => format switch
    {
        AuditFormat.Csv => "text/csv; charset=utf-8; header=present",
        _ => "application/x-ndjson; charset=utf-8",
    };

    /// <summary>A writer for the machine formats (the table is the CLI's).</summary>
    public static AuditRecordWriter CreateWriter(AuditFormat format) => format switch
    {
        AuditFormat.JsonLines => new JsonLinesAuditWriter(),
        AuditFormat.Csv => new CsvAuditWriter(),
        AuditFormat.Ecs => new EcsAuditWriter(),
        _ => throw new AuditInputException(AuditInputError.UnknownFormat, "The table format is for a terminal; use jsonl, csv or ecs."),
    };
}

/// <summary>Writes replayed events one line (or CSV record) at a time, so a range of any length streams.</summary>
public abstract class AuditRecordWriter
{
    private protected static readonly JsonWriterOptions JsonOptions = new()
    {
        // Control characters, quotes and backslashes are still escaped: one record is always one line.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    public virtual void WriteHeader(TextWriter output)
    {
    }

    public abstract void Write(TextWriter output, AuditRecord record);

    private protected void WriteJsonLine(TextWriter output, Action<Utf8JsonWriter> write)
    {
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer, JsonOptions))
        {
            write(writer);
        }

        output.Write(Encoding.UTF8.GetString(_buffer.WrittenSpan));
        output.Write('\n');
    }

    private protected static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private protected static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}

/// <summary>Every field of the stored event, the subjects and the decoded data (<c>docs/audit.md</c>).</summary>
public sealed class JsonLinesAuditWriter : AuditRecordWriter
{
    public override void Write(TextWriter output, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        WriteJsonLine(output, w =>
        {
            var e = record.Stored;
            var m = e.Metadata;
            w.WriteStartObject();
            w.WriteNumber("position", e.Position);
            w.WriteString("timestamp", Time(m.Timestamp));
            w.WriteString("tenantId", e.TenantId);
            w.WriteString("streamId", e.StreamId);
            w.WriteNumber("streamVersion", e.StreamVersion);
            w.WriteString("type", e.EventType);
            w.WriteString("eventId", m.EventId);
            w.WriteString("actor", m.Actor);
            w.WriteString("clientIp", m.ClientIp);
            w.WriteString("userAgent", m.UserAgent);
            w.WriteString("correlationId", m.CorrelationId);
            w.WriteString("causationId", m.CausationId);
            w.WriteString("userId", record.Subjects.UserId);
            w.WriteString("clientId", record.Subjects.ClientId);
            w.WriteString("sessionId", record.Subjects.SessionId);
            w.WritePropertyName("data");
            record.Data.WriteTo(w);
            w.WriteStartArray("erasedFields");
            foreach (var field in record.ErasedFields)
            {
                w.WriteStringValue(field);
            }

            w.WriteEndArray();
            if (record.Problem is not null)
            {
                w.WriteString("problem", record.Problem);
            }

            w.WriteString("hash", Hex(e.Hash));
            w.WriteEndObject();
        });
    }
}

/// <summary>RFC 4180 CSV; <c>data</c> is the decoded data as compact JSON in one field.</summary>
public sealed class CsvAuditWriter : AuditRecordWriter
{
    public static readonly string[] Columns =
    [
        "position", "timestamp", "tenant_id", "stream_id", "stream_version", "event_type", "event_id", "actor", "client_ip", "user_agent",
        "user_id", "client_id", "session_id", "correlation_id", "causation_id", "erased_fields", "data", "hash",
    ];

    private static readonly JsonSerializerOptions DataJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly StringBuilder _line = new(512);

    public override void WriteHeader(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(string.Join(',', Columns));
        output.Write("\r\n");
    }

    public override void Write(TextWriter output, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(record);
        var e = record.Stored;
        var m = e.Metadata;
        _line.Clear();
        string?[] fields =
        [
            e.Position.ToString(System.Globalization.CultureInfo.InvariantCulture), Time(m.Timestamp), e.TenantId, e.StreamId,
            e.StreamVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), e.EventType, m.EventId.ToString("D"), m.Actor, m.ClientIp, m.UserAgent,
            record.Subjects.UserId, record.Subjects.ClientId, record.Subjects.SessionId, m.CorrelationId, m.CausationId,
            string.Join(';', record.ErasedFields), record.Data.ToJsonString(DataJson), Hex(e.Hash),
        ];
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                _line.Append(',');
            }

            Append(_line, fields[i]);
        }

        _line.Append("\r\n");
        output.Write(_line);
    }

    /// <summary>RFC 4180 §2: a field with a comma, a double quote or a line break is quoted, its quotes doubled.</summary>
    public static void Append(StringBuilder line, string? value)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(value);
            return;
        }

        line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}

/// <summary>
/// Elastic Common Schema style: nested objects whose dotted paths are the stable field names of docs/audit.md.
/// <c>source.ip</c> carries only a parsable address (an ECS ip field rejects anything else at ingest); anything
/// else recorded as the client address goes to <c>source.address</c>.
/// </summary>
public sealed class EcsAuditWriter : AuditRecordWriter
{
    public const string EcsVersion = "8.11.0";

    public override void Write(TextWriter output, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        WriteJsonLine(output, w =>
        {
            var e = record.Stored;
            var m = e.Metadata;
            w.WriteStartObject();
            w.WriteString("@timestamp", Time(m.Timestamp));
            w.WriteStartObject("ecs");
            w.WriteString("version", EcsVersion);
            w.WriteEndObject();

            w.WriteStartObject("event");
            w.WriteString("action", e.EventType);
            w.WriteString("id", m.EventId);
            w.WriteNumber("sequence", e.Position);
            w.WriteString("kind", "event");
            w.WriteString("dataset", "koderid.audit");
            w.WriteString("hash", Hex(e.Hash));
            w.WriteEndObject();

            if (record.Subjects.UserId is { } userId)
            {
                w.WriteStartObject("user");
                w.WriteString("id", userId);
                w.WriteEndObject();
            }

            if (m.ClientIp is { Length: > 0 } ip)
            {
                w.WriteStartObject("source");
                w.WriteString(IPAddress.TryParse(ip, out _) ? "ip" : "address", ip);
                w.WriteEndObject();
            }

            if (m.UserAgent is { Length: > 0 } agent)
            {
                w.WriteStartObject("user_agent");
                w.WriteString("original", agent);
                w.WriteEndObject();
            }

            w.WriteStartObject("tenant");
            w.WriteString("id", e.TenantId);
            w.WriteEndObject();

            w.WriteStartObject("koderid");
            w.WriteString("actor", m.Actor);
            w.WriteString("stream", e.StreamId);
            w.WriteNumber("stream_version", e.StreamVersion);
            if (record.Subjects.ClientId is { } clientId)
            {
                w.WriteString("client_id", clientId);
            }

            if (record.Subjects.SessionId is { } sessionId)
            {
                w.WriteString("session_id", sessionId);
            }

            if (m.CorrelationId is { } correlation)
            {
                w.WriteString("correlation_id", correlation);
            }

            if (m.CausationId is { } causation)
            {
                w.WriteString("causation_id", causation);
            }

            if (record.ErasedFields.Count > 0)
            {
                w.WriteStartArray("erased_fields");
                foreach (var field in record.ErasedFields)
                {
                    w.WriteStringValue(field);
                }

                w.WriteEndArray();
            }

            w.WritePropertyName("data");
            record.Data.WriteTo(w);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }
}
