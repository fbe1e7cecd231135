using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace KoderId.Migration.Zitadel.Parsing;

/// <summary>
/// A JSON value read under protobuf's JSON mapping, with the JSON path that names it in errors: a field is found
/// by its lowerCamelCase name or its proto (snake_case) name, <c>null</c> is the field left out, int64 may be a
/// string, enums are read by name (a number is accepted), and unknown fields are ignored.
/// </summary>
internal readonly partial struct ProtoJson(JsonElement element, string path)
{
    public JsonElement Element { get; } = element;

    public string Path { get; } = path;

    public bool IsObject => Element.ValueKind == JsonValueKind.Object;

    public static string SnakeCase(string camel)
    {
        var text = new StringBuilder(camel.Length + 4);
        foreach (var c in camel)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                text.Append('_').Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>The field, or null when it is absent or JSON null.</summary>
    public ProtoJson? Field(string camel)
    {
        if (Element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        // The path names the field as the document spells it.
        var name = camel;
        if (!Element.TryGetProperty(name, out var value) && !Element.TryGetProperty(name = SnakeCase(camel), out value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Null ? null : new ProtoJson(value, $"{Path}.{name}");
    }

    public ProtoJson? Object(string camel)
    {
        var field = Field(camel);
        if (field is { } f && f.Element.ValueKind != JsonValueKind.Object)
        {
            throw f.Invalid("must be an object");
        }

        return field;
    }

    public ProtoJson RequiredObject(string camel) => Object(camel) ?? throw Missing(camel);

    public IEnumerable<ProtoJson> Array(string camel)
    {
        if (Field(camel) is not { } field)
        {
            yield break;
        }

        if (field.Element.ValueKind != JsonValueKind.Array)
        {
            throw field.Invalid("must be an array");
        }

        var i = 0;
        foreach (var item in field.Element.EnumerateArray())
        {
            yield return new ProtoJson(item, $"{field.Path}[{i++}]");
        }
    }

    public int Count(string camel) => Field(camel) is { Element.ValueKind: JsonValueKind.Array } f ? f.Element.GetArrayLength() : 0;

    public IEnumerable<ProtoJson> Objects(string camel)
    {
        foreach (var item in Array(camel))
        {
            if (item.Element.ValueKind != JsonValueKind.Object)
            {
                throw item.Invalid("must be an object");
            }

            yield return item;
        }
    }

    public string? String(string camel)
    {
        if (Field(camel) is not { } field)
        {
            return null;
        }

        return field.Element.ValueKind == JsonValueKind.String ? field.Element.GetString() : throw field.Invalid("must be a string");
    }

    /// <summary>A string field that must be there and not empty (protobuf leaves an empty string out, so an empty one is missing too).</summary>
    public string RequiredString(string camel)
    {
        var value = String(camel);
        return string.IsNullOrEmpty(value) ? throw Missing(camel) : value;
    }

    public IReadOnlyList<string> Strings(string camel)
    {
        var values = new List<string>();
        foreach (var item in Array(camel))
        {
            values.Add(item.Element.ValueKind == JsonValueKind.String ? item.Element.GetString()! : throw item.Invalid("must be a string"));
        }

        return values;
    }

    public bool Bool(string camel)
    {
        if (Field(camel) is not { } field)
        {
            return false;
        }

        return field.Element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw field.Invalid("must be true or false"),
        };
    }

    /// <summary>An integer field: a JSON number or (int64, uint64) a decimal string. Absent is 0.</summary>
    public long Int64(string camel)
    {
        if (Field(camel) is not { } field)
        {
            return 0;
        }

        if (field.Element.ValueKind == JsonValueKind.Number && field.Element.TryGetInt64(out var number))
        {
            return number;
        }

        if (field.Element.ValueKind == JsonValueKind.String &&
            long.TryParse(field.Element.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw field.Invalid("must be an integer");
    }

    /// <summary>
    /// A google.protobuf.Timestamp: RFC 3339 with <c>Z</c> or an offset and 0 to 9 fraction digits (nanoseconds past the
    /// 100 ns .NET keeps are dropped). Absent is null.
    /// </summary>
    public DateTimeOffset? Timestamp(string camel)
    {
        if (Field(camel) is not { } field)
        {
            return null;
        }

        if (field.Element.ValueKind == JsonValueKind.String && TimestampPattern().Match(field.Element.GetString()!) is { Success: true } match)
        {
            var fraction = match.Groups["fraction"].Value;
            var text = match.Groups["seconds"].Value + (fraction.Length > 0 ? "." + fraction[..Math.Min(fraction.Length, 7)] : "") + match.Groups["offset"].Value;
            if (DateTimeOffset.TryParse(text.ToUpperInvariant(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            {
                return value;
            }
        }

        throw field.Invalid("must be an RFC 3339 timestamp (2030-01-31T12:00:00Z)");
    }

    /// <summary>An enum by name (or number); absent is the first value, as protobuf leaves the zero value out.</summary>
    public string Enum(string camel, IReadOnlyList<string> values)
    {
        if (Field(camel) is not { } field)
        {
            return values[0];
        }

        if (field.Element.ValueKind == JsonValueKind.String && values.Contains(field.Element.GetString()!, StringComparer.Ordinal))
        {
            return field.Element.GetString()!;
        }

        if (field.Element.ValueKind == JsonValueKind.Number && field.Element.TryGetInt32(out var index) && index >= 0 && index < values.Count)
        {
            return values[index];
        }

        throw field.Invalid($"must be one of {string.Join(", ", values)}");
    }

    /// <summary>A repeated enum field.</summary>
    public IReadOnlyList<string> Enums(string camel, IReadOnlyList<string> values)
    {
        var result = new List<string>();
        foreach (var item in Array(camel))
        {
            if (item.Element.ValueKind == JsonValueKind.String && values.Contains(item.Element.GetString()!, StringComparer.Ordinal))
            {
                result.Add(item.Element.GetString()!);
            }
            else if (item.Element.ValueKind == JsonValueKind.Number && item.Element.TryGetInt32(out var index) && index >= 0 && index < values.Count)
            {
                result.Add(values[index]);
            }
            else
            {
                throw item.Invalid($"must be one of {string.Join(", ", values)}");
            }
        }

        return result;
    }

    public ZitadelFormatException Invalid(string why) => new(Path, why);

    [GeneratedRegex(@"^(?<seconds>[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2})(\.(?<fraction>[0-9]{1,9}))?(?<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampPattern();

    public ZitadelFormatException Missing(string camel) => new($"{Path}.{camel}", "is required");
}

/// <summary>The export is not what Zitadel writes at <see cref="JsonPath"/>. The message never holds a value from the file.</summary>
public sealed class ZitadelFormatException(string jsonPath, string reason) : Exception($"{jsonPath} {reason}")
{
    public string JsonPath { get; } = jsonPath;

    public string Reason { get; } = reason;
}
