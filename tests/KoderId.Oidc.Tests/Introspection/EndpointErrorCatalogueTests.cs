using KoderId.Oidc.Common;

namespace KoderId.Oidc.Tests.Introspection;

public sealed class EndpointErrorCatalogueTests
{
    [Fact]
    public void every_endpoint_code_is_in_its_range_and_documented_with_its_name()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "errors.md"));

        Assert.All(EndpointErrors.All, kv =>
        {
            var number = int.Parse(kv.Key[3..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(number is >= 2146 and <= 2149 or >= 2150 and <= 2169, kv.Key);
            Assert.Contains($"| `{kv.Key}` | `{kv.Value}` |", doc, StringComparison.Ordinal);
        });
        Assert.Equal(EndpointErrors.All.Count, EndpointErrors.All.Values.Distinct().Count());
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
