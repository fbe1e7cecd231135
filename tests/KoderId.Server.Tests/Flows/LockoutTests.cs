using System.Diagnostics;
using System.Net;
using System.Text.Json;
using KoderId.Application.Common;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Server.Tests.Flows;

/// <summary>Brute-force protection (ADR 0006): per-user lockout as an event, per-address throttling, counters outside the log.</summary>
public sealed class LockoutTests : IAsyncLifetime
{
    private const string Wrong = "definitely not the password";
    private FlowsHost _host = null!;

    public async Task InitializeAsync() => _host = await FlowsHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<HttpStatusCode> TryPasswordAsync(string username, string password)
    {
        var id = (await _host.StartFlowAsync(username)).GetProperty("id").GetString()!;
        using var response = await _host.AnswerAsync(id, "password", new { password });
        return response.StatusCode;
    }

    private async Task<List<StoredEvent>> UserEventsAsync(string userId)
    {
        var list = new List<StoredEvent>();
        await foreach (var e in _host.Api.Factory.Services.GetRequiredService<IEventStore>().ReadStreamAsync(FlowsHost.Tenant, StreamNames.User(FlowsHost.Tenant, userId)))
        {
            list.Add(e);
        }

        return list;
    }

    private async Task<JsonElement[]> LocksAsync(string userId) =>
        (await UserEventsAsync(userId)).Where(e => e.EventType == "user.locked-out.v1").Select(e => JsonDocument.Parse(e.Data).RootElement.Clone()).ToArray();

    [Fact]
    public async Task fifty_parallel_wrong_attempts_lock_the_user_once_and_the_right_password_then_fails_until_the_lock_ends()
    {
        var flows = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ => (await _host.StartFlowAsync("alice")).GetProperty("id").GetString()!));

        var statuses = await Task.WhenAll(flows.Select(async id =>
        {
            using var response = await _host.AnswerAsync(id, "password", new { password = Wrong });
            return response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        var lockEvent = Assert.Single(await LocksAsync(_host.AliceId));
        Assert.Equal(1, lockEvent.GetProperty("lockNumber").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, await TryPasswordAsync("alice", FlowsHost.Password));

        _host.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(HttpStatusCode.Unauthorized, await TryPasswordAsync("alice", FlowsHost.Password));
        _host.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, await TryPasswordAsync("alice", FlowsHost.Password));
        Assert.Single(await LocksAsync(_host.AliceId));
    }

    [Fact]
    public async Task a_locked_user_gets_the_same_answer_as_a_wrong_password()
    {
        for (var i = 0; i < 5; i++)
        {
            await TryPasswordAsync("alice", Wrong);
        }

        var id = (await _host.StartFlowAsync("alice")).GetProperty("id").GetString()!;
        using var locked = await _host.AnswerAsync(id, "password", new { password = FlowsHost.Password });
        var lockedProblem = await ApiHost.ProblemAsync(locked, HttpStatusCode.Unauthorized, "KID2201");
        var other = (await _host.StartFlowAsync("bob")).GetProperty("id").GetString()!;
        using var wrong = await _host.AnswerAsync(other, "password", new { password = Wrong });
        var wrongProblem = await ApiHost.ProblemAsync(wrong, HttpStatusCode.Unauthorized, "KID2201");

        Assert.Equal(
            wrongProblem.EnumerateObject().Where(p => p.Name != "traceId").Select(p => p.ToString()),
            lockedProblem.EnumerateObject().Where(p => p.Name != "traceId").Select(p => p.ToString()));
    }

    [Fact]
    public async Task each_lock_in_a_row_lasts_twice_as_long_up_to_the_cap()
    {
        var durations = new List<double>();
        for (var lockNumber = 1; lockNumber <= 8; lockNumber++)
        {
            for (var i = 0; i < 5; i++)
            {
                await TryPasswordAsync("alice", Wrong);
            }

            var locks = await LocksAsync(_host.AliceId);
            Assert.Equal(lockNumber, locks.Length);
            var until = locks[^1].GetProperty("until").GetDateTimeOffset();
            durations.Add((until - _host.Clock.UtcNow).TotalSeconds);
            Assert.Equal(lockNumber, locks[^1].GetProperty("lockNumber").GetInt32());
            Assert.Equal(5, locks[^1].GetProperty("failedAttempts").GetInt32());
            _host.Clock.Advance(until - _host.Clock.UtcNow);
        }

        // Tenant defaults: 60 s doubling, capped at 3,600 s.
        Assert.Equal([60, 120, 240, 480, 960, 1920, 3600, 3600], durations.Select(d => Math.Round(d)));
    }

    [Fact]
    public async Task an_admin_unlock_lets_the_user_in_at_once()
    {
        for (var i = 0; i < 5; i++)
        {
            await TryPasswordAsync("alice", Wrong);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await TryPasswordAsync("alice", FlowsHost.Password));

        using var unlock = await _host.Api.SendAsync(HttpMethod.Post, $"/v1/users/{_host.AliceId}/unlock", FlowsHost.Tenant);
        Assert.Equal(HttpStatusCode.OK, unlock.StatusCode);

        Assert.Equal("user.unlocked.v1", (await UserEventsAsync(_host.AliceId))[^1].EventType);
        Assert.Equal(HttpStatusCode.OK, await TryPasswordAsync("alice", FlowsHost.Password));
    }

    [Fact]
    public async Task unlocking_a_user_who_is_not_locked_changes_nothing_and_unlock_needs_an_admin()
    {
        var before = await _host.Api.HeadAsync();
        using var unlock = await _host.Api.SendAsync(HttpMethod.Post, $"/v1/users/{_host.AliceId}/unlock", FlowsHost.Tenant);
        Assert.Equal(HttpStatusCode.OK, unlock.StatusCode);
        Assert.Equal(before, await _host.Api.HeadAsync());

        using var anonymous = await _host.PostAsync($"/v1/users/{_host.AliceId}/unlock", null);
        await ApiHost.ProblemAsync(anonymous, HttpStatusCode.Unauthorized, "KID2001");
        using var unknown = await _host.Api.SendAsync(HttpMethod.Post, "/v1/users/no-such-user/unlock", FlowsHost.Tenant);
        await ApiHost.ProblemAsync(unknown, HttpStatusCode.NotFound, "KID1011");
    }

    [Fact]
    public async Task a_success_resets_the_count()
    {
        for (var i = 0; i < 4; i++)
        {
            await TryPasswordAsync("alice", Wrong);
        }

        Assert.Equal(HttpStatusCode.OK, await TryPasswordAsync("alice", FlowsHost.Password));
        for (var i = 0; i < 4; i++)
        {
            await TryPasswordAsync("alice", Wrong);
        }

        Assert.Empty(await LocksAsync(_host.AliceId));
        Assert.Equal(HttpStatusCode.OK, await TryPasswordAsync("alice", FlowsHost.Password));
    }

    [Fact]
    public async Task a_hundred_failed_attempts_append_only_the_lock_event()
    {
        var before = await _host.Api.HeadAsync();

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await TryPasswordAsync((i % 3) switch { 0 => "alice", 1 => "nobody", _ => "nobody@example.com" }, Wrong));
        }

        var appended = new List<StoredEvent>();
        await foreach (var e in _host.Api.Factory.Services.GetRequiredService<IEventStore>().ReadAllAsync(before))
        {
            appended.Add(e);
        }

        Assert.Equal(["user.locked-out.v1"], appended.Select(e => e.EventType));
    }

    [Fact]
    public async Task a_locked_user_on_the_second_step_is_refused_too()
    {
        var id = (await _host.StartFlowAsync("bob")).GetProperty("id").GetString()!;
        using var first = await _host.AnswerAsync(id, "password", new { password = FlowsHost.Password });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        for (var i = 0; i < 5; i++)
        {
            await TryPasswordAsync("bob", Wrong);
        }

        using var second = await _host.AnswerAsync(id, "totp", new { code = FakeTotpFactor.Code });
        await ApiHost.ProblemAsync(second, HttpStatusCode.Unauthorized, "KID2201");
    }

    [Fact]
    public async Task an_unknown_user_takes_as_long_as_a_known_or_locked_one()
    {
        // The tenant's real Argon2id cost, so the hash (not the noise) is what is compared.
        await _host.Api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "timing", name = "Timing" }, expected: HttpStatusCode.Created);
        var user = await _host.Api.OkAsync(HttpMethod.Post, "/v1/users", "timing", new { username = "carol" }, expected: HttpStatusCode.Created);
        var locked = await _host.Api.OkAsync(HttpMethod.Post, "/v1/users", "timing", new { username = "dave" }, expected: HttpStatusCode.Created);
        foreach (var id in new[] { user.GetProperty("id").GetString(), locked.GetProperty("id").GetString() })
        {
            using var set = await _host.Api.SendAsync(HttpMethod.Put, $"/v1/users/{id}/password", "timing", new { password = FlowsHost.Password });
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        }

        async Task<double> TimeAsync(string username, string password)
        {
            using var start = await Send("/v1/auth/flows", JsonSerializer.Serialize(new { username }));
            var id = JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
            var watch = Stopwatch.StartNew();
            using var answer = await Send($"/v1/auth/flows/{id}/password", JsonSerializer.Serialize(new { password }));
            watch.Stop();
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            return watch.Elapsed.TotalMilliseconds;
        }

        Task<HttpResponseMessage> Send(string path, string body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Tenant-ID", "timing");
            return _host.Api.Anonymous.SendAsync(request);
        }

        for (var i = 0; i < 5; i++)
        {
            await TimeAsync("dave", Wrong);
        }

        // Warm-up, then interleaved runs so drift on a shared machine hits every group alike.
        await TimeAsync("carol", Wrong);
        await TimeAsync("nobody", Wrong);
        var known = new List<double>();
        var unknown = new List<double>();
        var lockedRuns = new List<double>();
        for (var i = 0; i < 15; i++)
        {
            known.Add(await TimeAsync("carol", Wrong));
            unknown.Add(await TimeAsync("nobody", Wrong));
            lockedRuns.Add(await TimeAsync("dave", FlowsHost.Password));
        }

        static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
        var medians = new[] { Median(known), Median(unknown), Median(lockedRuns) };
        Assert.True(medians.Max() / medians.Min() < 2.0, $"medians known/unknown/locked: {string.Join(" / ", medians.Select(m => m.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} ms");
    }
}

/// <summary>The per-address throttle: its own host with a low limit.</summary>
public sealed class ThrottleTests : IAsyncLifetime
{
    private FlowsHost _host = null!;

    public async Task InitializeAsync() => _host = await FlowsHost.StartAsync(maxFailuresPerIp: 3);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task an_address_with_too_many_failures_gets_429_with_retry_after_until_the_window_ends()
    {
        for (var i = 0; i < 3; i++)
        {
            var id = (await _host.StartFlowAsync(i % 2 == 0 ? "nobody" : "alice")).GetProperty("id").GetString()!;
            using var wrong = await _host.AnswerAsync(id, "password", new { password = "wrong wrong wrong" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var start = await _host.PostAsync("/v1/auth/flows", "{\"username\":\"alice\"}");
        await ApiHost.ProblemAsync(start, HttpStatusCode.TooManyRequests, "KID2203");
        var retryAfter = start.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 15 * 60);

        _host.Clock.Advance(TimeSpan.FromMinutes(15));
        var flow = await _host.StartFlowAsync("alice");
        using var right = await _host.AnswerAsync(flow.GetProperty("id").GetString()!, "password", new { password = FlowsHost.Password });
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }
}
