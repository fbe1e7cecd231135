using System.Xml.Linq;

namespace KoderId.Architecture.Tests;

/// <summary>
/// ARCHITECTURE.md §2: Domain never sees Application, ASP.NET, SQL or Mediator; drivers never see Events,
/// Domain or Projections; only hosts reference the Mediator source generator. Checked on the project files,
/// transitively, so a rule cannot be dodged through an intermediate project.
/// </summary>
public sealed class DependencyDirectionTests
{
    private static readonly Solution Repo = Solution.Load();

    private static readonly string[] SqlAndWeb = ["Microsoft.Data.Sqlite", "Npgsql", "Microsoft.AspNetCore", "Mediator", "MassTransit", "Serilog"];

    [Fact]
    public void the_rules_see_the_projects_they_constrain()
    {
        Assert.Contains("KoderId.EventSourcing", Repo.Projects.Keys);
        Assert.Contains("KoderId.EventSourcing.Sqlite", Repo.Projects.Keys);
        Assert.Contains("KoderId.Domain", Repo.Projects.Keys);
        Assert.Contains("KoderId.Events", Repo.Projects.Keys);
        Assert.Contains("KoderId.Projections", Repo.Projects.Keys);
    }

    [Fact]
    public void the_domain_sees_neither_application_nor_web_sql_or_mediator()
    {
        AssertNoProject("KoderId.Domain", "KoderId.Application", "KoderId.Server", "KoderId.Oidc", "KoderId.Projections",
            "KoderId.EventSourcing.Sqlite", "KoderId.EventSourcing.Postgres");
        AssertNoPackage("KoderId.Domain", SqlAndWeb);
        Assert.DoesNotContain("Microsoft.AspNetCore.App", Repo.FrameworkReferences("KoderId.Domain"));
    }

    [Fact]
    public void the_events_are_a_contract_without_behaviour_dependencies()
    {
        AssertNoProject("KoderId.Events", "KoderId.Domain", "KoderId.Application", "KoderId.Projections", "KoderId.EventSourcing.Sqlite", "KoderId.EventSourcing.Postgres");
        AssertNoPackage("KoderId.Events", SqlAndWeb);
    }

    [Theory]
    [InlineData("KoderId.EventSourcing.Sqlite")]
    [InlineData("KoderId.EventSourcing.Postgres")]
    public void drivers_never_see_events_domain_or_projections(string driver)
    {
        if (!Repo.Projects.ContainsKey(driver))
        {
            Assert.Fail($"{driver} is missing from the solution.");
        }

        AssertNoProject(driver, "KoderId.Events", "KoderId.Domain", "KoderId.Application", "KoderId.Projections");
    }

    [Fact]
    public void the_event_store_ports_hold_no_io_driver()
    {
        AssertNoProject("KoderId.EventSourcing", "KoderId.Events", "KoderId.Domain", "KoderId.EventSourcing.Sqlite", "KoderId.EventSourcing.Postgres");
        AssertNoPackage("KoderId.EventSourcing", SqlAndWeb);
    }

    [Fact]
    public void projections_never_see_the_domain_or_a_driver()
    {
        AssertNoProject("KoderId.Projections", "KoderId.Domain", "KoderId.Application", "KoderId.EventSourcing.Sqlite", "KoderId.EventSourcing.Postgres");
    }

    [Fact]
    public void the_protocol_core_never_sees_the_host_or_a_driver()
    {
        // ADR 0004: KoderId.Oidc reads read models through query contracts and asks the host for the tenant.
        AssertNoProject("KoderId.Oidc", "KoderId.Server", "KoderId.Cli", "KoderId.EventSourcing.Sqlite", "KoderId.EventSourcing.Postgres");
        AssertNoPackage("KoderId.Oidc", "Microsoft.Data.Sqlite", "Npgsql", "MassTransit");
    }

    [Fact]
    public void the_zitadel_importer_goes_through_commands_and_never_sees_a_host_driver_or_read_model()
    {
        // ADR 0007: the importer writes only through the write side's commands (Mediator) and reads the log through
        // the store's port; the hosts (Server, Cli) compose it with a driver.
        Assert.Contains("KoderId.Migration.Zitadel", Repo.Projects.Keys);
        AssertNoProject("KoderId.Migration.Zitadel", "KoderId.Server", "KoderId.Cli", "KoderId.Oidc", "KoderId.Projections",
            "KoderId.EventSourcing.Sqlite", "KoderId.EventSourcing.Postgres");
        AssertNoPackage("KoderId.Migration.Zitadel", "Microsoft.Data.Sqlite", "Npgsql", "Microsoft.AspNetCore", "MassTransit", "Serilog", "Mediator.SourceGenerator");
        Assert.DoesNotContain("Microsoft.AspNetCore.App", Repo.FrameworkReferences("KoderId.Migration.Zitadel"));
    }

    [Theory]
    [InlineData("KoderId.Server")]
    [InlineData("KoderId.Cli")]
    public void the_hosts_reference_the_zitadel_importer(string host) =>
        Assert.Contains("KoderId.Migration.Zitadel", Repo.TransitiveProjects(host));

    [Fact]
    public void only_hosts_reference_the_mediator_source_generator()
    {
        string[] hosts = ["KoderId.Server", "KoderId.Cli"];
        var offenders = Repo.Projects.Keys
            .Where(p => !hosts.Contains(p) && Repo.DirectPackages(p).Contains("Mediator.SourceGenerator"))
            .ToArray();
        Assert.Empty(offenders);
    }

    private static void AssertNoProject(string project, params string[] forbidden)
    {
        var reached = Repo.TransitiveProjects(project);
        var hits = forbidden.Where(reached.Contains).ToArray();
        Assert.True(hits.Length == 0, $"{project} must not depend on {string.Join(", ", hits)}.");
    }

    private static void AssertNoPackage(string project, params string[] forbiddenPrefixes)
    {
        var packages = Repo.TransitiveProjects(project).Append(project).SelectMany(Repo.DirectPackages).ToArray();
        var hits = packages.Where(p => forbiddenPrefixes.Any(f => p.StartsWith(f, StringComparison.OrdinalIgnoreCase))).Distinct().ToArray();
        Assert.True(hits.Length == 0, $"{project} must not reference {string.Join(", ", hits)}.");
    }

    private sealed class Solution
    {
        private Solution(Dictionary<string, XDocument> projects, Dictionary<string, string> paths)
        {
            Projects = projects;
            Paths = paths;
        }

        public Dictionary<string, XDocument> Projects { get; }

        private Dictionary<string, string> Paths { get; }

        public static Solution Load()
        {
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "KoderId.sln")))
            {
                root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("KoderId.sln not found above the test binaries.");
            }

            var projects = new Dictionary<string, XDocument>(StringComparer.Ordinal);
            var paths = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var folder in new[] { "src", "projections" })
            {
                foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.csproj", SearchOption.AllDirectories))
                {
                    var name = Path.GetFileNameWithoutExtension(file);
                    projects[name] = XDocument.Load(file);
                    paths[name] = file;
                }
            }

            return new Solution(projects, paths);
        }

        public IEnumerable<string> DirectProjects(string project) =>
            Projects[project].Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!.Value.Replace('\\', '/')));

        public IEnumerable<string> DirectPackages(string project) =>
            Projects[project].Descendants("PackageReference").Select(r => (string)r.Attribute("Include")!);

        public IEnumerable<string> FrameworkReferences(string project) =>
            Projects[project].Descendants("FrameworkReference").Select(r => (string)r.Attribute("Include")!)
                .Concat(Projects[project].Root!.Attribute("Sdk")?.Value == "Microsoft.NET.Sdk.Web" ? ["Microsoft.AspNetCore.App"] : []);

        public HashSet<string> TransitiveProjects(string project)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var queue = new Queue<string>(DirectProjects(project));
            while (queue.Count > 0)
            {
                var next = queue.Dequeue();
                if (seen.Add(next) && Projects.ContainsKey(next))
                {
                    foreach (var child in DirectProjects(next))
                    {
                        queue.Enqueue(child);
                    }
                }
            }

            return seen;
        }
    }
}
