using System.Net;
using System.Text.Json;

namespace KoderId.Server.Tests.Api;

/// <summary>The admin API's main flow, run on every driver: tenant, user, every user command, erasure and the audit trail.</summary>
internal static class UserLifecycle
{
    public static async Task RunAsync(ApiHost api)
    {
        var tenant = await api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
        Assert.Equal("acme", tenant.GetProperty("id").GetString());
        Assert.Equal("active", tenant.GetProperty("status").GetString());

        using (var created = await api.SendAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "alice", email = "alice@example.com", givenName = "Alice" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.NotNull(created.Headers.Location);
            var user = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
            var id = user.GetProperty("id").GetString()!;
            Assert.Equal($"/v1/users/{id}", created.Headers.Location!.OriginalString);
            await FlowAsync(api, id);
        }
    }

    private static async Task FlowAsync(ApiHost api, string id)
    {
        var path = $"/v1/users/{id}";
        var user = await api.OkAsync(HttpMethod.Get, path, "acme");
        Assert.Equal("alice", user.GetProperty("username").GetString());
        Assert.Equal("Alice", user.GetProperty("givenName").GetString());

        user = await api.OkAsync(HttpMethod.Patch, path, "acme", new { familyName = "Liddell", givenName = (string?)null }, "application/merge-patch+json");
        Assert.Equal("Liddell", user.GetProperty("familyName").GetString());
        Assert.Equal(JsonValueKind.Null, user.GetProperty("givenName").ValueKind);

        user = await api.OkAsync(HttpMethod.Put, path + "/email", "acme", new { email = "alice@wonderland.example" });
        Assert.Equal("alice@wonderland.example", user.GetProperty("email").GetString());
        Assert.False(user.GetProperty("emailVerified").GetBoolean());
        user = await api.OkAsync(HttpMethod.Post, path + "/email/verify", "acme", new { email = "alice@wonderland.example" });
        Assert.True(user.GetProperty("emailVerified").GetBoolean());

        await api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "bob" }, expected: HttpStatusCode.Created);
        var byName = await api.OkAsync(HttpMethod.Get, "/v1/users?username=ALICE", "acme");
        Assert.Equal(id, Assert.Single(byName.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        var byEmail = await api.OkAsync(HttpMethod.Get, "/v1/users?email=alice@wonderland.example&status=active", "acme");
        Assert.Single(byEmail.GetProperty("items").EnumerateArray());
        var firstPage = await api.OkAsync(HttpMethod.Get, "/v1/users?limit=1", "acme");
        Assert.Single(firstPage.GetProperty("items").EnumerateArray());
        var next = firstPage.GetProperty("next").GetString();
        var secondPage = await api.OkAsync(HttpMethod.Get, $"/v1/users?limit=1&after={next}", "acme");
        Assert.Single(secondPage.GetProperty("items").EnumerateArray());

        Assert.Equal("disabled", (await api.OkAsync(HttpMethod.Post, path + "/disable", "acme")).GetProperty("status").GetString());
        var disabled = await api.OkAsync(HttpMethod.Get, "/v1/users?status=disabled", "acme");
        Assert.Equal(id, Assert.Single(disabled.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal("active", (await api.OkAsync(HttpMethod.Post, path + "/enable", "acme")).GetProperty("status").GetString());
        Assert.Equal("deleted", (await api.OkAsync(HttpMethod.Delete, path, "acme")).GetProperty("status").GetString());
        Assert.Equal("active", (await api.OkAsync(HttpMethod.Post, path + "/restore", "acme")).GetProperty("status").GetString());
        await api.OkAsync(HttpMethod.Post, path + "/erase", "acme");

        var erased = await api.OkAsync(HttpMethod.Get, path, "acme");
        Assert.Equal("erased", erased.GetProperty("status").GetString());
        var text = erased.GetRawText();
        Assert.DoesNotContain("alice", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Liddell", text, StringComparison.Ordinal);

        var entries = await api.AuditAsync($"subject={id}&limit=100", items => items.Any(e => e.GetProperty("eventType").GetString() == "user.erased.v1"));
        Assert.Contains(entries, e => e.GetProperty("eventType").GetString() == "user.created.v1");
        Assert.Contains(entries, e => e.GetProperty("eventType").GetString() == "user.erased.v1");
        Assert.All(entries, e =>
        {
            Assert.Equal("system-admin", e.GetProperty("actor").GetString());
            Assert.Equal(ApiHost.ClientIp, e.GetProperty("clientIp").GetString());
            Assert.Equal(ApiHost.UserAgent, e.GetProperty("userAgent").GetString());
        });
        var byActor = await api.AuditAsync("actor=system-admin&eventType=user.created.v1", _ => true);
        Assert.Equal(2, byActor.Length);
    }
}
