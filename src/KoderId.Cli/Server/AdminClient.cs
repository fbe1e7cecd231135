using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace KoderId.Cli.Server;

/// <summary>One answer of the server: its status and its JSON body (null for 204).</summary>
internal sealed record ServerReply(HttpStatusCode Status, JsonElement? Body);

/// <summary>
/// The REST admin API over HttpClient. A problem answer becomes a <see cref="CliException"/> carrying the
/// server's own <c>KIDnnnn</c> code and title; the key travels only in the Authorization header.
/// </summary>
internal sealed class AdminClient(HttpClient http, string? tenant) : IDisposable
{
    public Uri BaseAddress => http.BaseAddress!;

    public static AdminClient Create(string server, string? key, string? tenant)
    {
        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var baseAddress)
            || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException(CliErrors.BadOption, $"--server '{server}' is not an http or https URL.");
        }

        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(100) };
        if (!string.IsNullOrEmpty(key))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        http.DefaultRequestHeaders.UserAgent.ParseAdd("koderid-cli/1.0");
        return new AdminClient(http, tenant);
    }

    public Task<ServerReply> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public async Task<ServerReply> SendAsync(HttpMethod method, string path, object? json, CancellationToken ct, string mediaType = "application/json")
    {
        using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative));
        if (!string.IsNullOrEmpty(tenant))
        {
            request.Headers.Add("X-Tenant-ID", tenant);
        }

        if (json is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(json, JsonSerializerOptions.Web), Encoding.UTF8, mediaType);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex.HttpRequestError.ToString());
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw Unreachable("timed out");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            var body = TryParse(text);
            if (response.IsSuccessStatusCode)
            {
                return new ServerReply(response.StatusCode, body);
            }

            throw Problem(response.StatusCode, body);
        }
    }

    public void Dispose() => http.Dispose();

    private CliException Unreachable(string reason) =>
        new(CliErrors.ServerUnreachable, $"the server at {BaseAddress.GetLeftPart(UriPartial.Authority)} cannot be reached ({reason}).", ExitCodes.Failure);

    /// <summary>The server's code and title when it sent a problem; otherwise the bare status under KID4011.</summary>
    private static CliException Problem(HttpStatusCode status, JsonElement? body)
    {
        if (body is { ValueKind: JsonValueKind.Object } problem
            && problem.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String)
        {
            var title = problem.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : status.ToString();
            var detail = problem.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? " " + d.GetString() : "";
            return new CliException(code.GetString()!, $"{title}{detail}", ExitCodes.Failure);
        }

        return new CliException(CliErrors.ServerFailed, $"the server answered {(int)status} {status}.", ExitCodes.Failure);
    }

    private static JsonElement? TryParse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
