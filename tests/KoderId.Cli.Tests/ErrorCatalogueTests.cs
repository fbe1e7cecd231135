using System.Reflection;

namespace KoderId.Cli.Tests;

/// <summary>Every KID4xxx code of the CLI is in both catalogues: docs/cli.md (with its exit code) and docs/errors.md.</summary>
public sealed class ErrorCatalogueTests
{
    public static TheoryData<string> Codes()
    {
        var data = new TheoryData<string>();
        foreach (var field in typeof(CliErrors).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
        {
            data.Add((string)field.GetRawConstantValue()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void every_cli_code_is_documented_in_cli_md_and_errors_md(string code)
    {
        Assert.Contains($"| {code} |", Read("cli.md"), StringComparison.Ordinal);
        Assert.Contains($"| `{code}` |", Read("errors.md"), StringComparison.Ordinal);
    }

    private static string Read(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KoderId.sln")))
            {
                return File.ReadAllText(Path.Combine(dir.FullName, "docs", name));
            }
        }

        throw new InvalidOperationException($"No KoderId.sln above {AppContext.BaseDirectory}.");
    }
}
