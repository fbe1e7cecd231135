using System.Text.Json;
using KoderId.Oidc.Common;
using KoderId.Oidc.Keys;

namespace KoderId.Oidc.Tests.Introspection;

public sealed class SignatureCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void an_entry_answers_only_for_its_tenant_and_issuer_and_only_until_its_exp()
    {
        var cache = new SignatureCache();
        cache.Add("acme", "https://acme.example", "t1", Token(Now.AddMinutes(15)), Now);

        Assert.NotNull(cache.Find("acme", "https://acme.example", "t1", Now));
        Assert.Null(cache.Find("globex", "https://acme.example", "t1", Now));
        Assert.Null(cache.Find("acme", "https://globex.example", "t1", Now));
        Assert.Null(cache.Find("acme", "https://acme.example", "t2", Now));
        Assert.Null(cache.Find("acme", "https://acme.example", "t1", Now.AddMinutes(15)));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void the_cache_never_grows_past_its_capacity()
    {
        var cache = new SignatureCache();
        for (var i = 0; i < SignatureCache.Capacity + 100; i++)
        {
            cache.Add("acme", "https://acme.example", "t" + i, Token(Now.AddMinutes(15)), Now);
        }

        Assert.InRange(cache.Count, 1, SignatureCache.Capacity);
    }

    [Fact]
    public void a_token_without_exp_or_with_a_far_exp_is_not_cached()
    {
        var cache = new SignatureCache();
        cache.Add("acme", "i", "t1", new ValidatedToken("k", "ES256", "at+jwt", JsonDocument.Parse("{}").RootElement.Clone()), Now);
        cache.Add("acme", "i", "t2", Token(Now.AddDays(30)), Now);

        Assert.Equal(0, cache.Count);
    }

    private static ValidatedToken Token(DateTimeOffset exp) =>
        new("k", "ES256", "at+jwt", JsonDocument.Parse($$"""{"exp":{{exp.ToUnixTimeSeconds()}}}""").RootElement.Clone());
}
