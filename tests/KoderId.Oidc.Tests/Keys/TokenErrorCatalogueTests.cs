using KoderId.Oidc.Keys;

namespace KoderId.Oidc.Tests.Keys;

public sealed class TokenErrorCatalogueTests
{
    [Fact]
    public void every_token_and_key_code_is_in_its_range_and_documented_with_its_name()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "errors.md"));

        Assert.All(TokenErrors.All, kv =>
        {
            Assert.InRange(int.Parse(kv.Key[3..], System.Globalization.CultureInfo.InvariantCulture), 2120, 2139);
            Assert.Contains($"| `{kv.Key}` | `{kv.Value}` |", doc, StringComparison.Ordinal);
        });
        Assert.Equal(TokenErrors.All.Count, TokenErrors.All.Values.Distinct().Count());
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KoderId.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No KoderId.sln above {AppContext.BaseDirectory}.");
    }
}
