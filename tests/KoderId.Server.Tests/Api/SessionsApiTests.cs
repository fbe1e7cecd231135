using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Application.Sessions;
using KoderId.EventSourcing.Storage;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Server.Tests.Api;

/// <summary><c>/v1/users/{id}/sessions</c> end to end on SQLite: list, revoke one, sign out everywhere, across tenants.</summary>
public sealed class SessionsApiTests : IAsyncLifetime
{
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private ApiHost _api = null!;
    private string _alice = "";
    private string _bob = "";
    private string _carol = "";

    public async Task InitializeAsync()
    {
        _api = ApiHost.Sqlite();
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "globex", name = "Globex" }, expected: HttpStatusCode.Created);
        _alice = await CreateUserAsync("acme", "alice");
        _bob = await CreateUserAsync("acme", "bob");
        _carol = await CreateUserAsync("globex", "carol");
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task an_admin_lists_a_users_active_sessions_with_device_ip_and_times_but_never_the_cookie()
    {
        var first = await SignInAsync("acme", _alice);
        var second = await SignInAsync("acme", _alice);
        await SignInAsync("acme", _bob);

        var list = await _api.OkAsync(HttpMethod.Get, $"/v1/users/{_alice}/sessions", "acme");

        var items = list.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(new[] { first.SessionId, second.SessionId }.Order(StringComparer.Ordinal), items.Select(i => i.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        var item = items[0];
        Assert.Equal(("Firefox on Linux", "198.51.100.4"), (item.GetProperty("device").GetString(), item.GetProperty("ip").GetString()));
        Assert.True(item.GetProperty("expiresAt").GetDateTimeOffset() > item.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(item.GetProperty("createdAt").GetDateTimeOffset(), item.GetProperty("lastUsedAt").GetDateTimeOffset());
        var text = list.GetRawText();
        Assert.DoesNotContain(first.Cookie.Split('.')[1], text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task deleting_one_session_revokes_it_as_admin_and_deleting_again_is_still_a_204()
    {
        var session = await SignInAsync("acme", _alice);
        var other = await SignInAsync("acme", _alice);

        using (var deleted = await _api.SendAsync(HttpMethod.Delete, $"/v1/users/{_alice}/sessions/{session.SessionId}", "acme"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var again = await _api.SendAsync(HttpMethod.Delete, $"/v1/users/{_alice}/sessions/{session.SessionId}", "acme"))
        {
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        }

        var list = await _api.OkAsync(HttpMethod.Get, $"/v1/users/{_alice}/sessions", "acme");
        Assert.Equal([other.SessionId], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        var revoked = await EventsAsync("acme", $"session-acme-{session.SessionId}");
        Assert.Equal("session.revoked.v1", revoked[^1].EventType);
        Assert.Equal("admin", JsonDocument.Parse(revoked[^1].Data).RootElement.GetProperty("reason").GetString());
        Assert.Equal(2, revoked.Count);
    }

    [Fact]
    public async Task deleting_all_signs_the_user_out_everywhere_and_only_that_user()
    {
        var one = await SignInAsync("acme", _alice);
        var two = await SignInAsync("acme", _alice);
        await SignInAsync("acme", _bob);

        var result = await _api.OkAsync(HttpMethod.Delete, $"/v1/users/{_alice}/sessions", "acme");

        Assert.Equal(new[] { one.SessionId, two.SessionId }.Order(StringComparer.Ordinal), result.GetProperty("revoked").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal));
        Assert.Empty((await _api.OkAsync(HttpMethod.Get, $"/v1/users/{_alice}/sessions", "acme")).GetProperty("items").EnumerateArray());
        Assert.Single((await _api.OkAsync(HttpMethod.Get, $"/v1/users/{_bob}/sessions", "acme")).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("disable", "user-disabled")]
    [InlineData("delete", "user-deleted")]
    [InlineData("erase", "user-erased")]
    public async Task ending_an_account_revokes_its_sessions_with_the_reason_and_only_that_user_s(string how, string reason)
    {
        var one = await SignInAsync("acme", _alice);
        var two = await SignInAsync("acme", _alice);
        await SignInAsync("acme", _bob);

        using (var ended = how switch
        {
            "disable" => await _api.SendAsync(HttpMethod.Post, $"/v1/users/{_alice}/disable", "acme", new { reason = "left" }),
            "delete" => await _api.SendAsync(HttpMethod.Delete, $"/v1/users/{_alice}", "acme"),
            _ => await _api.SendAsync(HttpMethod.Post, $"/v1/users/{_alice}/erase", "acme"),
        })
        {
            Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        }

        Assert.Empty((await _api.OkAsync(HttpMethod.Get, $"/v1/users/{_alice}/sessions", "acme")).GetProperty("items").EnumerateArray());
        Assert.Single((await _api.OkAsync(HttpMethod.Get, $"/v1/users/{_bob}/sessions", "acme")).GetProperty("items").EnumerateArray());
        foreach (var session in new[] { one, two })
        {
            var events = await EventsAsync("acme", $"session-acme-{session.SessionId}");
            Assert.Equal("session.revoked.v1", events[^1].EventType);
            Assert.Equal(reason, JsonDocument.Parse(events[^1].Data).RootElement.GetProperty("reason").GetString());
        }

        // The audit trail shows who ended the sessions: the same actor and request as the status change (ADR 0008).
        var status = (await EventsAsync("acme", $"user-acme-{_alice}"))[^1];
        var revoked = (await EventsAsync("acme", $"session-acme-{one.SessionId}"))[^1];
        Assert.NotNull(status.Metadata.Actor);
        Assert.Equal((status.Metadata.Actor, status.Metadata.CorrelationId), (revoked.Metadata.Actor, revoked.Metadata.CorrelationId));
    }

    [Fact]
    public async Task enabling_again_lists_no_session_of_before()
    {
        await SignInAsync("acme", _alice);
        await _api.OkAsync(HttpMethod.Post, $"/v1/users/{_alice}/disable", "acme");

        await _api.OkAsync(HttpMethod.Post, $"/v1/users/{_alice}/enable", "acme");

        Assert.Empty((await _api.OkAsync(HttpMethod.Get, $"/v1/users/{_alice}/sessions", "acme")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task another_tenants_user_or_session_and_another_users_session_are_404()
    {
        var carols = await SignInAsync("globex", _carol);
        var bobs = await SignInAsync("acme", _bob);

        using (var r = await _api.SendAsync(HttpMethod.Get, $"/v1/users/{_carol}/sessions", "acme"))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.NotFound, "KID1011");
        }

        using (var r = await _api.SendAsync(HttpMethod.Delete, $"/v1/users/{_carol}/sessions", "acme"))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.NotFound, "KID1011");
        }

        using (var r = await _api.SendAsync(HttpMethod.Delete, $"/v1/users/{_alice}/sessions/{carols.SessionId}", "acme"))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.NotFound, "KID1230");
        }

        using (var r = await _api.SendAsync(HttpMethod.Delete, $"/v1/users/{_alice}/sessions/{bobs.SessionId}", "acme"))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.NotFound, "KID1230");
        }

        using (var r = await _api.SendAsync(HttpMethod.Delete, $"/v1/users/{_alice}/sessions/not-a-session", "acme"))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.NotFound, "KID1230");
        }

        // Nothing was revoked by any of it.
        Assert.Single((await _api.OkAsync(HttpMethod.Get, $"/v1/users/{_carol}/sessions", "globex")).GetProperty("items").EnumerateArray());
        Assert.Single((await _api.OkAsync(HttpMethod.Get, $"/v1/users/{_bob}/sessions", "acme")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task users_read_lists_users_write_revokes_and_another_tenants_key_finds_nothing()
    {
        var session = await SignInAsync("acme", _alice);
        var reader = await KeyAsync("acme", "users:read");
        var globexAdmin = await KeyAsync("globex", "admin");

        using (var r = await SendAsync(reader, HttpMethod.Get, $"/v1/users/{_alice}/sessions", "acme"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using (var r = await SendAsync(reader, HttpMethod.Delete, $"/v1/users/{_alice}/sessions/{session.SessionId}", "acme"))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.Forbidden, "KID2002");
        }

        using (var r = await SendAsync(globexAdmin, HttpMethod.Delete, $"/v1/users/{_alice}/sessions/{session.SessionId}", "acme"))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.NotFound, "KID1011");
        }

        using (var r = await SendAsync(globexAdmin, HttpMethod.Get, $"/v1/users/{_alice}/sessions", "acme"))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.NotFound, "KID1011");
        }

        Assert.Single((await _api.OkAsync(HttpMethod.Get, $"/v1/users/{_alice}/sessions", "acme")).GetProperty("items").EnumerateArray());
    }

    private async Task<string> CreateUserAsync(string tenant, string username) =>
        (await _api.OkAsync(HttpMethod.Post, "/v1/users", tenant, new { username }, expected: HttpStatusCode.Created)).GetProperty("id").GetString()!;

    /// <summary>The login page is not built yet: a sign-in is the command it will send, in a request scope of the host.</summary>
    private async Task<StartedSession> SignInAsync(string tenant, string userId)
    {
        await using var scope = _api.Factory.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<RequestContext>();
        (context.Actor, context.ClientIp, context.UserAgent) = ($"user:{tenant}/{userId}", "198.51.100.4", Firefox);
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new StartSession(tenant, userId, ["pwd"]));
    }

    private async Task<List<StoredEvent>> EventsAsync(string tenant, string stream)
    {
        var events = new List<StoredEvent>();
        await foreach (var e in _api.Factory.Services.GetRequiredService<IEventStore>().ReadStreamAsync(tenant, stream))
        {
            events.Add(e);
        }

        return events;
    }

    private async Task<string> KeyAsync(string tenant, params string[] scopes) =>
        (await _api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", tenant, new { name = "sessions test", scopes }, expected: HttpStatusCode.Created)).GetProperty("key").GetString()!;

    private Task<HttpResponseMessage> SendAsync(string key, HttpMethod method, string path, string tenant)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("X-Tenant-ID", tenant);
        return _api.Anonymous.SendAsync(request);
    }
}
