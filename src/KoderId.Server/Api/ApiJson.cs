using System.Text.Json;
using System.Text.Json.Serialization;
using KoderId.Server.Errors;
using Microsoft.AspNetCore.Http.Json;

namespace KoderId.Server.Api;

/// <summary>
/// Request bodies, read strictly: a JSON media type (KID2006), at most 1 MiB (KID2005), well-formed JSON of the
/// right shape with every required member (KID2003), and no member the DTO does not declare (KID2004).
/// Every refusal happens before a command runs, so nothing is written.
/// </summary>
public static class ApiJson
{
    public const string MergePatch = "application/merge-patch+json";

    /// <summary>camelCase, enums as camelCase strings; strict on the way in.</summary>
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    });

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = false;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        return options;
    }

    public static IServiceCollection AddKoderIdJson(this IServiceCollection services) =>
        services.Configure<JsonOptions>(o => Configure(o.SerializerOptions));

    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken ct, params string[] mediaTypes)
    {
        using var document = await ReadDocumentAsync(request, ct, mediaTypes.Length == 0 ? ["application/json"] : mediaTypes).ConfigureAwait(false);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("The body must be a JSON object.");
        }

        var declared = Options.GetTypeInfo(typeof(T)).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var member in root.EnumerateObject())
        {
            if (!declared.Contains(member.Name))
            {
                throw UnknownField(member.Name);
            }
        }

        try
        {
            return root.Deserialize<T>(Options) ?? throw Malformed("The body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw Malformed(ex.Path is null ? "The body does not fit the expected shape." : $"The member at {ex.Path} is missing or has the wrong type.");
        }
    }

    /// <summary>The body as a document (the caller owns it), after the media type and size checks.</summary>
    public static async Task<JsonDocument> ReadDocumentAsync(HttpRequest request, CancellationToken ct, params string[] mediaTypes)
    {
        ArgumentNullException.ThrowIfNull(request);
        var mediaType = request.ContentType is { } contentType ? contentType.Split(';')[0].Trim() : null;
        if (mediaType is null || !mediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, ApiErrors.UnsupportedMediaType,
                "The request body has an unsupported media type.", $"Send {string.Join(" or ", mediaTypes)}.");
        }

        if (request.ContentLength > ApiErrors.MaxBodyBytes)
        {
            throw TooLarge();
        }

        // Kestrel enforces the same limit; reading at most one byte past it covers hosts that do not (chunked bodies, tests).
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > ApiErrors.MaxBodyBytes)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException)
        {
            throw Malformed("The body is not well-formed JSON.");
        }
    }

    public static ApiProblemException Malformed(string detail) =>
        new(StatusCodes.Status400BadRequest, ApiErrors.MalformedBody, "The request body is malformed.", detail);

    public static ApiProblemException UnknownField(string name) =>
        new(StatusCodes.Status400BadRequest, ApiErrors.UnknownField, "The request body has an unknown member.",
            $"The member '{(name.Length > 64 ? name[..64] : name)}' is not part of this request.");

    private static ApiProblemException TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, ApiErrors.BodyTooLarge, "The request body is too large.", "The limit is 1 MiB.");
}
