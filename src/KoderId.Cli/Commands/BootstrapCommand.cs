using System.CommandLine;
using KoderId.Application.ApiKeys;
using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Cli.Output;
using KoderId.Cli.Storage;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Domain.Tenants;
using KoderId.Projections.ApiKeys;

namespace KoderId.Cli.Commands;

/// <summary>
/// <c>koderid bootstrap</c>: the first system-admin API key, written to the store directly (no server needed,
/// the server may be stopped). The key is printed once; a store that already holds a live bootstrap key refuses
/// (KID4012) unless <c>--force</c> revokes it and issues a new one.
/// </summary>
internal static class BootstrapCommand
{
    /// <summary>The name that marks a system key as the bootstrap key (the one <c>--force</c> replaces).</summary>
    public const string KeyName = "bootstrap";

    /// <summary>The actor recorded on the events bootstrap appends, like the server's own start-up writes.</summary>
    public const string Actor = "system:koderid-bootstrap";

    public static Command Create(CliContext context, GlobalOptions options)
    {
        var force = new Option<bool>("--force")
        {
            Description = "Revoke the existing bootstrap key and issue a new one",
        };
        var command = new Command("bootstrap", "Create the default tenant if missing and print a one-time system-admin API key (tenants:admin, admin)")
        {
            force,
        };
        command.SetAction((parse, ct) => StoreCommand.RunAsync(context, options, parse,
            (store, terminal, token) => RunAsync(store, terminal, parse.GetValue(force), token), ct, create: true));
        return command;
    }

    private static async Task<int> RunAsync(StoreConnection store, Terminal terminal, bool force, CancellationToken ct)
    {
        // The read models bootstrap reads (api_keys) and keeps current inline must exist, as at server start-up.
        await store.Projections.EnsureAsync(ct: ct).ConfigureAwait(false);

        var clock = new SystemClock();
        var aggregates = new AggregateStore(store.Events, store.Serializer, new RequestContext { Actor = Actor, UserAgent = "koderid-cli/1.0" }, clock);
        try
        {
            var tenant = await new EnsureDefaultTenantHandler(aggregates).Handle(new EnsureDefaultTenant(), ct).ConfigureAwait(false);

            var directory = new ApiKeyDirectory(store.ReadModels, new ApiKeyUsage(store.ReadModels));
            var existing = await LiveBootstrapKeysAsync(directory, ct).ConfigureAwait(false);
            if (existing.Count > 0 && !force)
            {
                throw new CliException(CliErrors.BootstrapKeyExists,
                    $"the store already has a bootstrap key ({string.Join(", ", existing)}); nothing was changed. Use --force to revoke it and issue a new one.",
                    ExitCodes.Failure);
            }

            var revoke = new RevokeApiKeyHandler(aggregates);
            foreach (var keyId in existing)
            {
                await revoke.Handle(new RevokeApiKey(Tenant.DefaultTenantId, keyId), ct).ConfigureAwait(false);
            }

            var created = await new CreateApiKeyHandler(aggregates, clock).Handle(
                new CreateApiKey(Tenant.DefaultTenantId, KeyName, [ApiKeyScopes.TenantsAdmin, ApiKeyScopes.Admin], System: true), ct).ConfigureAwait(false);
            Print(terminal, created, tenant.Changed, existing);
            return ExitCodes.Ok;
        }
        catch (DomainException ex)
        {
            throw new CliException(CliErrors.BootstrapRefused, $"the store refused the bootstrap ({ex.Code}): {ex.Message}", ExitCodes.Failure);
        }
    }

    private static async Task<List<string>> LiveBootstrapKeysAsync(ApiKeyDirectory directory, CancellationToken ct)
    {
        var live = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await directory.ListAsync(Tenant.DefaultTenantId, after, 500, ct).ConfigureAwait(false);
            live.AddRange(page.Where(k => k.System && !k.Revoked && string.Equals(k.Name, KeyName, StringComparison.Ordinal)).Select(k => k.KeyId));
            if (page.Count < 500)
            {
                return live;
            }

            after = page[^1].KeyId;
        }
    }

    private static void Print(Terminal terminal, ApiKeyCreatedResult created, bool createdTenant, IReadOnlyList<string> revoked)
    {
        if (terminal.Json)
        {
            terminal.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteString("key", created.Key);
                w.WriteString("keyId", created.KeyId);
                w.WriteString("tenantId", created.TenantId);
                w.WriteStartArray("scopes");
                w.WriteStringValue(ApiKeyScopes.TenantsAdmin);
                w.WriteStringValue(ApiKeyScopes.Admin);
                w.WriteEndArray();
                w.WriteBoolean("createdDefaultTenant", createdTenant);
                w.WriteStartArray("revokedKeyIds");
                foreach (var id in revoked)
                {
                    w.WriteStringValue(id);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            return;
        }

        if (createdTenant)
        {
            terminal.WriteLine($"Created the '{Tenant.DefaultTenantId}' tenant.");
        }

        foreach (var id in revoked)
        {
            terminal.WriteLine($"Revoked the previous bootstrap key {id}.");
        }

        terminal.WriteLine($"System-admin API key {created.KeyId} (scopes: {ApiKeyScopes.TenantsAdmin}, {ApiKeyScopes.Admin}). It is shown only this once:");
        terminal.WriteLine();
        terminal.WriteLine("    " + created.Key);
        terminal.WriteLine();
        terminal.WriteLine("Use it as 'Authorization: Bearer <key>' or export KODERID_KEY=<key> for koderid's server commands.");
    }
}
