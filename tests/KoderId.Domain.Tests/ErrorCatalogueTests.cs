namespace KoderId.Domain.Tests;

public sealed class ErrorCatalogueTests
{
    [Fact]
    public void every_domain_code_is_in_the_domain_range_with_a_unique_dotted_name()
    {
        Assert.All(DomainErrors.All, kv =>
        {
            Assert.Matches("^KID1(0[0-9]{2}|2[0-5][0-9]|3[0-9]{2}|4[0-5][0-9])$", kv.Key);
            Assert.Matches("^(tenant|user|group|role|api_key|session|code|refresh|client|signing_key|flow|lockout|mfa|totp|recovery_code|passkey|webauthn|email|audit|import)\\.[a-z_]+$", kv.Value);
        });
        Assert.Equal(DomainErrors.All.Count, DomainErrors.All.Values.Distinct().Count());
    }

    [Fact]
    public void docs_errors_md_lists_every_domain_code_with_its_name()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "errors.md"));
        var missing = DomainErrors.All.Where(kv => !doc.Contains($"| `{kv.Key}` | `{kv.Value}` |", StringComparison.Ordinal)).Select(kv => kv.Key);
        Assert.Empty(missing);
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
