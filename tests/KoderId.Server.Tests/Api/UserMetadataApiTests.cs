using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace KoderId.Server.Tests.Api;

/// <summary><c>/v1/users/{id}/metadata</c> on SQLite: set, read, patch, remove, the bad inputs and who may do what.</summary>
public sealed class UserMetadataApiTests : IAsyncLifetime
{
    private ApiHost _api = null!;
    private string _userId = null!;
    private string _path = null!;

    public async Task InitializeAsync()
    {
        _api = ApiHost.Sqlite();
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "globex", name = "Globex" }, expected: HttpStatusCode.Created);
        var user = await _api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "alice" }, expected: HttpStatusCode.Created);
        _userId = user.GetProperty("id").GetString()!;
        _path = $"/v1/users/{_userId}/metadata";
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task an_entry_set_as_text_or_base64_reads_back_as_both()
    {
        var set = await _api.OkAsync(HttpMethod.Put, _path + "/department", "acme", new { text = "Engineering" });
        Assert.Equal("department", set.GetProperty("key").GetString());
        Assert.Equal(Convert.ToBase64String("Engineering"u8), set.GetProperty("value").GetString());
        Assert.Equal("Engineering", set.GetProperty("text").GetString());

        // Bytes that are not UTF-8 have no text form; base64url without padding is accepted as protobuf JSON is.
        await _api.OkAsync(HttpMethod.Put, _path + "/badge", "acme", new { value = "_-8" });
        var badge = await _api.OkAsync(HttpMethod.Get, _path + "/badge", "acme");
        Assert.Equal(Convert.ToBase64String(new byte[] { 0xFF, 0xEF }), badge.GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Null, badge.GetProperty("text").ValueKind);

        var list = await _api.OkAsync(HttpMethod.Get, _path, "acme");
        Assert.Equal(["badge", "department"], list.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("key").GetString()!).ToArray());
    }

    [Fact]
    public async Task a_key_travels_percent_encoded_in_the_path()
    {
        var key = "urn:example:cost center";
        await _api.OkAsync(HttpMethod.Put, $"{_path}/{Uri.EscapeDataString(key)}", "acme", new { text = "4711" });
        var entry = await _api.OkAsync(HttpMethod.Get, $"{_path}/{Uri.EscapeDataString(key)}", "acme");
        Assert.Equal(key, entry.GetProperty("key").GetString());
    }

    [Fact]
    public async Task a_merge_patch_sets_and_removes_keys_in_one_append()
    {
        await _api.OkAsync(HttpMethod.Put, _path + "/old", "acme", new { text = "x" });
        var head = await _api.HeadAsync();
        using var patch = await _api.SendAsync(HttpMethod.Patch, _path, "acme",
            raw: $$"""{"old":null,"team":"{{Convert.ToBase64String("Identity"u8)}}","floor":"Mw=="}""", mediaType: "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var items = JsonDocument.Parse(await patch.Content.ReadAsStringAsync()).RootElement.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["floor", "team"], items.Select(e => e.GetProperty("key").GetString()!).ToArray());
        Assert.Equal("Identity", items[1].GetProperty("text").GetString());
        Assert.Equal(head + 3, await _api.HeadAsync());

        // The same patch again changes nothing and appends nothing.
        using var again = await _api.SendAsync(HttpMethod.Patch, _path, "acme",
            raw: $$"""{"old":null,"team":"{{Convert.ToBase64String("Identity"u8)}}","floor":"Mw=="}""", mediaType: "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(head + 3, await _api.HeadAsync());
    }

    [Fact]
    public async Task removing_an_entry_is_204_and_removing_it_again_is_404()
    {
        await _api.OkAsync(HttpMethod.Put, _path + "/department", "acme", new { text = "Engineering" });
        using var removed = await _api.SendAsync(HttpMethod.Delete, _path + "/department", "acme");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        using var again = await _api.SendAsync(HttpMethod.Delete, _path + "/department", "acme");
        await ApiHost.ProblemAsync(again, HttpStatusCode.NotFound, "KID1027");
        using var get = await _api.SendAsync(HttpMethod.Get, _path + "/department", "acme");
        await ApiHost.ProblemAsync(get, HttpStatusCode.NotFound, "KID1027");
    }

    [Theory]
    [InlineData("{\"value\":\"not base64!\"}", "KID1025")]
    [InlineData("{\"value\":\"\"}", "KID1025")]
    [InlineData("{\"text\":\"\"}", "KID1025")]
    [InlineData("{\"value\":\"AQ==\",\"text\":\"a\"}", "KID1025")]
    [InlineData("{}", "KID1025")]
    [InlineData("{\"value\":1}", "KID2003")]
    [InlineData("{\"data\":\"AQ==\"}", "KID2004")]
    [InlineData("[\"AQ==\"]", "KID2003")]
    public async Task a_bad_value_is_a_400_and_stores_nothing(string body, string code)
    {
        var head = await _api.HeadAsync();
        using var response = await _api.SendAsync(HttpMethod.Put, _path + "/k", "acme", raw: body);
        var problem = await ApiHost.ProblemAsync(response, HttpStatusCode.BadRequest, code);
        Assert.DoesNotContain("   at ", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(head, await _api.HeadAsync());
    }

    [Fact]
    public async Task an_oversized_value_and_bad_keys_are_refused()
    {
        using var big = await _api.SendAsync(HttpMethod.Put, _path + "/k", "acme", new { value = Convert.ToBase64String(new byte[16 * 1024 + 1]) });
        await ApiHost.ProblemAsync(big, HttpStatusCode.BadRequest, "KID1025");
        using var control = await _api.SendAsync(HttpMethod.Put, _path + "/a%01b", "acme", new { text = "x" });
        await ApiHost.ProblemAsync(control, HttpStatusCode.BadRequest, "KID1024");
        using var slash = await _api.SendAsync(HttpMethod.Put, _path + "/a%2Fb", "acme", new { text = "x" });
        await ApiHost.ProblemAsync(slash, HttpStatusCode.BadRequest, "KID1024");
        using var tooLong = await _api.SendAsync(HttpMethod.Put, $"{_path}/{new string('k', 201)}", "acme", new { text = "x" });
        await ApiHost.ProblemAsync(tooLong, HttpStatusCode.BadRequest, "KID1024");
        using var patch = await _api.SendAsync(HttpMethod.Patch, _path, "acme", raw: "{\" padded \":\"AQ==\"}", mediaType: "application/merge-patch+json");
        await ApiHost.ProblemAsync(patch, HttpStatusCode.BadRequest, "KID1024");
        using var patchNumber = await _api.SendAsync(HttpMethod.Patch, _path, "acme", raw: "{\"k\":5}", mediaType: "application/merge-patch+json");
        await ApiHost.ProblemAsync(patchNumber, HttpStatusCode.BadRequest, "KID2003");
        using var xml = await _api.SendAsync(HttpMethod.Put, _path + "/k", "acme", raw: "<v/>", mediaType: "application/xml");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xml.StatusCode);
    }

    [Fact]
    public async Task the_two_hundred_and_first_entry_is_a_409()
    {
        var all = string.Join(",", Enumerable.Range(0, 200).Select(i => $"\"k{i}\":\"AQ==\""));
        using var full = await _api.SendAsync(HttpMethod.Patch, _path, "acme", raw: "{" + all + "}", mediaType: "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        using var more = await _api.SendAsync(HttpMethod.Put, _path + "/one-more", "acme", new { text = "x" });
        await ApiHost.ProblemAsync(more, HttpStatusCode.Conflict, "KID1026");
    }

    [Fact]
    public async Task an_unknown_or_another_tenants_user_is_a_404()
    {
        using var unknown = await _api.SendAsync(HttpMethod.Get, "/v1/users/nobody/metadata", "acme");
        await ApiHost.ProblemAsync(unknown, HttpStatusCode.NotFound, "KID1011");
        using var otherTenant = await _api.SendAsync(HttpMethod.Put, _path + "/k", "globex", new { text = "x" });
        await ApiHost.ProblemAsync(otherTenant, HttpStatusCode.NotFound, "KID1011");
        using var otherRead = await _api.SendAsync(HttpMethod.Get, _path, "globex");
        await ApiHost.ProblemAsync(otherRead, HttpStatusCode.NotFound, "KID1011");
    }

    [Fact]
    public async Task a_read_only_key_reads_but_cannot_write_and_no_key_gets_nothing()
    {
        await _api.OkAsync(HttpMethod.Put, _path + "/department", "acme", new { text = "Engineering" });
        var created = await _api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", "acme", new { name = "reader", scopes = new[] { "users:read" } }, expected: HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;

        using var read = await SendWithKeyAsync(key, HttpMethod.Get, _path);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var write = await SendWithKeyAsync(key, HttpMethod.Put, _path + "/department", "{\"text\":\"Sales\"}");
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        using var remove = await SendWithKeyAsync(key, HttpMethod.Delete, _path + "/department");
        Assert.Equal(HttpStatusCode.Forbidden, remove.StatusCode);
        using var anonymous = await _api.Anonymous.GetAsync(new Uri(_path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var entry = await _api.OkAsync(HttpMethod.Get, _path + "/department", "acme");
        Assert.Equal("Engineering", entry.GetProperty("text").GetString());
    }

    [Fact]
    public async Task a_deleted_users_metadata_is_readable_not_writable_and_erasure_forgets_it()
    {
        await _api.OkAsync(HttpMethod.Put, _path + "/department", "acme", new { text = "Engineering" });
        await _api.OkAsync(HttpMethod.Delete, $"/v1/users/{_userId}", "acme");
        var list = await _api.OkAsync(HttpMethod.Get, _path, "acme");
        Assert.Single(list.GetProperty("items").EnumerateArray());
        using var write = await _api.SendAsync(HttpMethod.Put, _path + "/team", "acme", new { text = "x" });
        await ApiHost.ProblemAsync(write, HttpStatusCode.Conflict, "KID1012");

        await _api.OkAsync(HttpMethod.Post, $"/v1/users/{_userId}/erase", "acme");
        var erased = await _api.OkAsync(HttpMethod.Get, _path, "acme");
        Assert.Empty(erased.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task as_of_shows_the_metadata_held_at_the_instant_and_replay_shows_values_erased_after_erasure()
    {
        await _api.OkAsync(HttpMethod.Put, _path + "/department", "acme", new { text = "Engineering" });
        await Task.Delay(20);
        var before = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await _api.OkAsync(HttpMethod.Put, _path + "/department", "acme", new { text = "Sales" });

        var then = await _api.OkAsync(HttpMethod.Get, $"/v1/admin/audit/as-of?time={Uri.EscapeDataString(before.ToString("O"))}&user={_userId}", "acme");
        Assert.Equal(Convert.ToBase64String("Engineering"u8), then.GetProperty("metadata").GetProperty("department").GetString());
        var now = await _api.OkAsync(HttpMethod.Get, $"/v1/admin/audit/as-of?time={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(1).ToString("O"))}&user={_userId}", "acme");
        Assert.Equal(Convert.ToBase64String("Sales"u8), now.GetProperty("metadata").GetProperty("department").GetString());

        await _api.OkAsync(HttpMethod.Post, $"/v1/users/{_userId}/erase", "acme");
        using var replay = await _api.SendAsync(HttpMethod.Get, $"/v1/admin/audit/replay?subject={_userId}&format=jsonl", "acme");
        var text = await replay.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains("user.metadata-set.v1", text, StringComparison.Ordinal);
        Assert.Contains("department", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String("Sales"u8), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String("Engineering"u8), text, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> SendWithKeyAsync(string key, HttpMethod method, string path, string? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("X-Tenant-ID", "acme");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return _api.Anonymous.SendAsync(request);
    }
}
