using System.Security.Cryptography;
using KoderId.Application.Passkeys;
using KoderId.Application.Passkeys.WebAuthn;

namespace KoderId.Application.Tests.Passkeys;

/// <summary>The made-up <c>allowCredentials</c> of a name without passkeys (WebAuthn L3 §14.6.2, ADR 0006).</summary>
public sealed class PasskeyDecoysTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void the_same_key_tenant_and_name_give_the_same_descriptors_and_anything_else_changes_them()
    {
        var first = Ids(Key, "acme", PasskeyDecoys.ForName("Nobody"));

        Assert.Equal(first, Ids(Key, "acme", PasskeyDecoys.ForName(" nobody ")));
        Assert.NotEqual(first, Ids(Key, "globex", PasskeyDecoys.ForName("nobody")));
        Assert.NotEqual(first, Ids(RandomNumberGenerator.GetBytes(32), "acme", PasskeyDecoys.ForName("nobody")));
        Assert.NotEqual(first, Ids(Key, "acme", PasskeyDecoys.ForName("somebody")));
        Assert.NotEqual(Ids(Key, "acme", PasskeyDecoys.ForName("01JQ4Z8M6X2K9V3T5R7N1P0ABC")), Ids(Key, "acme", PasskeyDecoys.ForUser("01JQ4Z8M6X2K9V3T5R7N1P0ABC")));
    }

    [Fact]
    public void counts_lengths_and_transports_spread_as_documented()
    {
        var lists = Enumerable.Range(0, 4000).Select(i => PasskeyDecoys.Descriptors(Key, "acme", PasskeyDecoys.ForName("user" + i))).ToList();

        var counts = lists.GroupBy(l => l.Count).ToDictionary(g => g.Key, g => g.Count() / 4000.0);
        Assert.Equal([1, 2, 3], counts.Keys.Order());
        Assert.InRange(counts[1], 0.58, 0.67);
        Assert.InRange(counts[2], 0.21, 0.29);
        Assert.InRange(counts[3], 0.10, 0.15);
        var descriptors = lists.SelectMany(l => l).ToList();
        Assert.Equal([16, 20, 32, 64], descriptors.Select(d => Base64UrlBytes.TryDecode(d["id"]!.GetValue<string>(), out var id) ? id.Length : 0).Distinct().Order());
        Assert.All(descriptors, d =>
        {
            Assert.Equal(["type", "id", "transports"], d.Select(p => p.Key));
            Assert.Equal("public-key", d["type"]!.GetValue<string>());
        });
        Assert.Equal(descriptors.Count, descriptors.Select(d => d["id"]!.GetValue<string>()).Distinct().Count());
    }

    private static string[] Ids(byte[] key, string tenant, string seed) =>
        [.. PasskeyDecoys.Descriptors(key, tenant, seed).Select(d => d["id"]!.GetValue<string>())];
}
