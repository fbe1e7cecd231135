using System.Reflection;
using System.Text.RegularExpressions;
using KoderId.Domain;
using KoderId.Server.Errors;

namespace KoderId.Server.Tests.Errors;

/// <summary>The HTTP column of docs/errors.md is what the API answers, and every KID2xxx code is documented.</summary>
public sealed partial class ErrorMappingTests
{
    [Fact]
    public void every_domain_code_answers_the_status_docs_errors_md_states()
    {
        var documented = DocumentedRows().ToDictionary(r => r.Code, r => r.Status);

        Assert.All(DomainErrors.All.Keys, code => Assert.Equal(documented[code], DomainErrorStatus.Of(new DomainException(code, "refused"))));
    }

    [Fact]
    public void every_api_code_is_documented()
    {
        var documented = DocumentedRows().Select(r => r.Code).ToHashSet();
        var codes = typeof(ApiErrors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!).ToArray();

        Assert.NotEmpty(codes);
        Assert.All(codes, code => Assert.Contains(code, documented));
    }

    private static IEnumerable<(string Code, int Status)> DocumentedRows() =>
        File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "errors.md"))
            .Select(line => Row().Match(line))
            .Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)));

    [GeneratedRegex(@"^\| `(KID[12][0-9]{3})` \| `[a-z_.]+` \| ([0-9]{3})")]
    private static partial Regex Row();

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
