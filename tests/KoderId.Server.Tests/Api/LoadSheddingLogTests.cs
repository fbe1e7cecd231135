using System.Collections.Concurrent;
using System.Net;
using KoderId.Application.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace KoderId.Server.Tests.Api;

/// <summary>A request shed because password hashing is at capacity is a 503 everywhere: to the client, in the request log, at Warning.</summary>
public sealed class LoadSheddingLogTests : IAsyncLifetime
{
    private readonly Captured _events = new();
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _api = ApiHost.Sqlite(s =>
        {
            s.AddSingleton<ILogEventSink>(_events);
            s.AddSingleton(new PasswordHashingGate(1, 0, TimeSpan.Zero, TimeSpan.FromSeconds(3)));
        });
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task a_shed_request_is_logged_as_a_503_warning_and_never_as_an_error()
    {
        var user = await _api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "shed" }, expected: HttpStatusCode.Created);
        var path = $"/v1/users/{user.GetProperty("id").GetString()}/password";
        var gate = _api.Factory.Services.GetRequiredService<PasswordHashingGate>();
        using (await gate.EnterAsync(CancellationToken.None))
        {
            using var response = await _api.SendAsync(HttpMethod.Put, path, "acme", new { password = "correct horse battery staple 42" });
            await ApiHost.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "KID1106");
            Assert.Equal("3", response.Headers.GetValues("Retry-After").Single());
        }

        var request = await WaitForAsync(e => e.Properties.TryGetValue("RequestPath", out var p) && p.ToString() == $"\"{path}\"");
        Assert.Equal(LogEventLevel.Warning, request.Level);
        Assert.Equal("503", request.Properties["StatusCode"].ToString());
        Assert.Null(request.Exception);
        Assert.DoesNotContain(_events.Events, e => e.Level >= LogEventLevel.Error);
        Assert.Contains(_events.Events, e => e.Level == LogEventLevel.Warning && e.RenderMessage().Contains("shed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_refused_request_is_logged_with_its_4xx_status_at_information()
    {
        using var response = await _api.SendAsync(HttpMethod.Get, "/v1/users/nobody", "acme");
        await ApiHost.ProblemAsync(response, HttpStatusCode.NotFound, "KID1011");
        var request = await WaitForAsync(e => e.Properties.TryGetValue("RequestPath", out var p) && p.ToString() == "\"/v1/users/nobody\"");
        Assert.Equal(LogEventLevel.Information, request.Level);
        Assert.Equal("404", request.Properties["StatusCode"].ToString());
    }

    private async Task<LogEvent> WaitForAsync(Func<LogEvent, bool> match)
    {
        // The request log is written when the response completes, which may be just after the client has read it.
        for (var i = 0; i < 100; i++)
        {
            if (_events.Events.FirstOrDefault(e => e.Properties.ContainsKey("StatusCode") && match(e)) is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException("The request was not logged.");
    }

    private sealed class Captured : ILogEventSink
    {
        public ConcurrentQueue<LogEvent> Events { get; } = new();

        public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);
    }
}
