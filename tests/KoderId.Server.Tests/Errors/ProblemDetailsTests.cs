using System.Net;
using System.Text.Json;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Server.Tests.Errors;

public sealed class ProblemDetailsTests : IAsyncLifetime
{
    private KoderIdFactory _factory = null!;
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _factory = KoderIdFactory.InMemory(services => services.AddSingleton<IStartupFilter, ThrowingEndpoints>());
        _client = _factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task an_unknown_route_is_a_404_problem()
    {
        using var response = await _client.GetAsync(new Uri("/no/such/route", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(problem.RootElement.TryGetProperty("title", out _));
    }

    [Fact]
    public async Task a_wrong_expected_version_is_a_409_problem_with_its_code()
    {
        using var response = await _client.GetAsync(new Uri("/test/throw/conflict", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("KID3001", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(409, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task an_unavailable_store_is_a_503_problem_with_retry_after_and_no_internal_message()
    {
        using var response = await _client.GetAsync(new Uri("/test/throw/unavailable", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var body = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("KID3006", problem.RootElement.GetProperty("code").GetString());
        Assert.DoesNotContain("db.internal", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_unexpected_exception_is_a_500_problem_without_stack_trace_or_message()
    {
        using var response = await _client.GetAsync(new Uri("/test/throw/bug", UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-internal-state", body, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), body, StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(500, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(problem.RootElement.TryGetProperty("code", out _));
    }

    /// <summary>Endpoints that throw, appended behind the host's own pipeline so its exception handling applies.</summary>
    private sealed class ThrowingEndpoints : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((HttpContext context, RequestDelegate nextDelegate) => context.Request.Path.Value switch
            {
                "/test/throw/conflict" => throw new WrongExpectedVersionException("user-1", ExpectedVersion.NoStream, 3),
                "/test/throw/unavailable" => throw new EventStoreUnavailableException("Connection to db.internal:5432 refused."),
                "/test/throw/bug" => throw new InvalidOperationException("secret-internal-state"),
                _ => nextDelegate(context),
            });
        };
    }
}
