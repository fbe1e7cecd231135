using System.CommandLine;
using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Cli.Output;
using KoderId.Cli.Storage;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using KoderId.Migration.Zitadel.Import;
using KoderId.Migration.Zitadel.Parsing;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace KoderId.Cli.Commands;

/// <summary>
/// <c>koderid import zitadel FILE [--dry-run]</c>: a Zitadel export written to the store directly through the
/// write side's commands (ADR 0007), like <c>bootstrap</c>: no server needed. A progress bar on an interactive
/// stderr; a summary, the generated client credentials (shown once), every skipped item and every error with its
/// JSON path; <c>--json</c> prints the report. Exit 1 (KID4121) when an org failed: nothing of it was written.
/// </summary>
internal static class ImportCommands
{
    /// <summary>The actor recorded on the events the import appends.</summary>
    public const string Actor = "system:koderid-import";

    public const string BaseDomainVariable = "KoderId__Tenancy__BaseDomain";

    public static Command Create(CliContext context, GlobalOptions options)
    {
        var import = new Command("import", "Import identities from another system into the store");
        var file = new Argument<string>("file") { Description = "The export: Zitadel's admin export or an ImportDataRequest (JSON)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate and report what would be created; write nothing" };
        var zitadel = new Command("zitadel", "Import a Zitadel export: orgs, users (with their password hashes), roles, apps, grants") { file, dryRun };
        zitadel.SetAction((parse, ct) => StoreCommand.RunAsync(context, options, parse,
            (store, terminal, token) => RunAsync(context, store, terminal, parse.GetValue(file)!, parse.GetValue(dryRun), token), ct));
        import.Subcommands.Add(zitadel);
        return import;
    }

    private static async Task<int> RunAsync(CliContext context, StoreConnection store, Terminal terminal, string file, bool dryRun, CancellationToken ct)
    {
        if (!File.Exists(file))
        {
            throw new CliException(CliErrors.ImportFileUnreadable, $"the file '{Terminal.Clean(file)}' does not exist", ExitCodes.Failure);
        }

        // Parsing first: a malformed file is refused with its JSON path before the store is touched.
        IReadOnlyList<ZitadelOrgEntry> entries;
        try
        {
            await using var stream = File.OpenRead(file);
            var size = stream.Length;
            entries = await terminal.WithProgressAsync("Reading the export", size, size > 8 * 1024 * 1024, async report =>
            {
                await using var counting = new ProgressStream(stream, read => report(read, size));
                return await ZitadelExportReader.ReadAsync(counting, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        catch (ZitadelFormatException ex)
        {
            throw new CliException(CliErrors.ImportInvalidExport, $"{ex.JsonPath} {ex.Reason}; nothing was imported", ExitCodes.Failure);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(CliErrors.ImportFileUnreadable, $"the file '{Terminal.Clean(file)}' cannot be read: {ex.Message}", ExitCodes.Failure);
        }

        await store.Projections.EnsureAsync(ct: ct).ConfigureAwait(false);
        await using var services = Compose(context, store);
        var importer = services.GetRequiredService<ZitadelImporter>();
        var users = entries.Sum(e => e.Org?.HumanUsers.Count ?? 0);
        var result = await terminal.WithProgressAsync(dryRun ? "Planning the import" : "Importing", users, users > 1000, report =>
        {
            long before = 0;
            var progress = new SyncProgress(p =>
            {
                if (p.Phase == "users")
                {
                    report(before + p.Done, users);
                    if (p.Done == p.Total)
                    {
                        before += p.Total;
                    }
                }
            });
            return importer.ImportAsync(entries, new ImportActor(Actor, null, "koderid-cli/1.0"), new ZitadelImportOptions(dryRun, progress), ct);
        }).ConfigureAwait(false);

        Print(terminal, result);
        if (!result.Succeeded)
        {
            terminal.Error(CliErrors.ImportOrgsFailed, $"{result.Errors.Count} error(s); nothing of a failed org was imported (first: {result.Errors[0].Path} {result.Errors[0].Reason})");
            return ExitCodes.Failure;
        }

        return ExitCodes.Ok;
    }

    private static ServiceProvider Compose(CliContext context, StoreConnection store)
    {
        var services = new ServiceCollection();
        services.AddSingleton(store.Events);
        services.AddSingleton(store.Serializer);
        services.AddSingleton(new TenantDomainSettings(context.GetEnvironmentVariable(BaseDomainVariable)));
        services.AddKoderIdApplication();
        services.AddMediator(o => o.ServiceLifetime = ServiceLifetime.Scoped);
        services.AddSingleton<ZitadelImporter>();
        return services.BuildServiceProvider();
    }

    private static void Print(Terminal terminal, ImportReport report)
    {
        if (terminal.Json)
        {
            terminal.WriteJson(w => JsonSerializer.Serialize(w, report, JsonSerializerOptions.Web));
            return;
        }

        var orgs = Terminal.NewTable("Org", "Name", "Tenant", "Status");
        foreach (var org in report.Orgs)
        {
            orgs.AddRow(Terminal.Cell(org.OrgId ?? org.Path), Terminal.Cell(org.Name), Terminal.Cell(org.TenantId), Terminal.Cell(org.Status));
        }

        terminal.Write(orgs);
        var counts = Terminal.NewTable("Kind", report.DryRun ? "Would create" : "Created", "Existing", "Skipped");
        foreach (var (kind, count) in report.Counts)
        {
            counts.AddRow(Terminal.Cell(kind), Terminal.Cell(count.Created), Terminal.Cell(count.Existing), Terminal.Cell(count.Skipped));
        }

        terminal.Write(counts);
        if (report.Clients.Count > 0)
        {
            var clients = Terminal.NewTable("Tenant", "From", "Zitadel id", "Name", "Client id", "Client secret (shown once)");
            foreach (var client in report.Clients)
            {
                clients.AddRow(Terminal.Cell(client.TenantId), Terminal.Cell(client.Source), Terminal.Cell(client.ZitadelId), Terminal.Cell(client.Name),
                    Terminal.Cell(client.ClientId), Terminal.Cell(client.ClientSecret ?? SecretCell(report, client)));
            }

            terminal.Write(clients);
        }

        foreach (var skipped in report.Skipped)
        {
            terminal.WriteLine($"skipped {skipped.Kind} {skipped.Path}: {skipped.Reason}");
        }

        foreach (var error in report.Errors)
        {
            terminal.WriteLine($"error {error.Code} {error.Path}: {error.Reason}");
        }
    }

    /// <summary>A machine user with keys has no secret: it signs assertions with its Zitadel key, under the new client id.</summary>
    private static string SecretCell(ImportReport report, GeneratedClient client) =>
        client.TokenEndpointAuthMethod == "private_key_jwt" ? "none: private_key_jwt with its Zitadel keys" : report.DryRun ? "(dry run)" : "-";

    /// <summary>Reports at once on the caller's thread (Progress&lt;T&gt; would post to a pool thread, out of order).</summary>
    private sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    private sealed class ProgressStream(Stream inner, Action<long> read) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            read(inner.Position);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            read(inner.Position);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
