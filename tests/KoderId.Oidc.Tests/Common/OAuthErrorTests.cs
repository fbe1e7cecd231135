using System.Text.Json;
using KoderId.Oidc.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Common;

public sealed class OAuthErrorTests
{
    [Fact]
    public async Task an_oauth_error_is_rfc6749_json_that_no_cache_keeps()
    {
        var http = NewContext();
        await OAuthResults.Error(OAuthErrors.InvalidGrant, "The code was already used.").ExecuteAsync(http);

        Assert.Equal(400, http.Response.StatusCode);
        Assert.Equal("no-store", http.Response.Headers.CacheControl.ToString());
        var body = JsonDocument.Parse(Body(http)).RootElement;
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
        Assert.Equal("The code was already used.", body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task a_client_authentication_failure_is_401_with_a_basic_challenge()
    {
        var http = NewContext();
        await OAuthResults.Error(OAuthErrors.InvalidClient, "Client authentication failed.", StatusCodes.Status401Unauthorized).ExecuteAsync(http);

        Assert.Equal(401, http.Response.StatusCode);
        Assert.StartsWith("Basic", http.Response.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private static DefaultHttpContext NewContext() => new()
    {
        Response = { Body = new MemoryStream() },
        RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
    };

    private static string Body(HttpContext http)
    {
        http.Response.Body.Position = 0;
        return new StreamReader(http.Response.Body).ReadToEnd();
    }
}
