using System.CommandLine;
using System.Text.Json;
using KoderId.Cli.Output;

namespace KoderId.Cli.Server;

/// <summary>
/// <c>koderid tenants|users|groups|roles …</c> against a running server's admin API. Tables by default,
/// the server's JSON with <c>--json</c>; a refusal is the server's <c>KIDnnnn: title</c> line and exit code 1.
/// </summary>
internal static class AdminCommands
{
    private static readonly (string, string)[] TenantColumns = [("Id", "id"), ("Name", "name"), ("Status", "status"), ("Created", "createdAt")];
    private static readonly (string, string)[] UserColumns = [("Id", "id"), ("Username", "username"), ("Email", "email"), ("Status", "status"), ("Created", "createdAt")];
    private static readonly (string, string)[] ApiKeyColumns =
        [("Id", "id"), ("Name", "name"), ("Scopes", "scopes"), ("System", "system"), ("Expires", "expiresAt"), ("Revoked", "revoked"), ("Last used", "lastUsedAt")];
    private static readonly (string, string)[] MetadataColumns = [("Key", "key"), ("Text", "text"), ("Value (base64)", "value")];
    private static readonly (string, string)[] NamedColumns = [("Id", "id"), ("Name", "name"), ("Created", "createdAt")];

    public static IEnumerable<Command> Create(CliContext context, GlobalOptions global)
    {
        var server = new ServerOptions();
        var builder = new Builder(context, global, server);
        Command[] commands = [Tenants(builder), Users(builder), Groups(builder), Roles(builder), ApiKeys(builder)];
        foreach (var command in commands)
        {
            server.AddTo(command);
        }

        return commands;
    }

    private static Command Tenants(Builder b)
    {
        var tenants = new Command("tenants", "Tenants of the server (system admin)");
        tenants.Subcommands.Add(b.Leaf("list", "List tenants", [], (c, t, _, ct) =>
            List(c, t, "v1/admin/tenants", TenantColumns, ct)));
        var name = new Option<string?>("--name") { Description = "Display name [default: the id]" };
        tenants.Subcommands.Add(b.Leaf("create", "Create a tenant", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Post, "v1/admin/tenants", new { id = p.Arg("id"), name = p.Parse.GetValue(name) ?? p.Arg("id") }, ct), name));
        var reason = new Option<string?>("--reason") { Description = "Why the tenant is blocked (audited) [default: 'blocked with koderid']" };
        tenants.Subcommands.Add(b.Leaf("block", "Block a tenant: no sign-in or token refresh in it", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Post, $"v1/admin/tenants/{p.Path("id")}/block", new { reason = p.Parse.GetValue(reason) ?? "blocked with koderid" }, ct), reason));
        tenants.Subcommands.Add(b.Leaf("unblock", "Unblock a tenant", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Post, $"v1/admin/tenants/{p.Path("id")}/unblock", null, ct)));
        tenants.Subcommands.Add(b.Leaf("delete", "Soft-delete a tenant", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Delete, $"v1/admin/tenants/{p.Path("id")}", null, ct)));
        return tenants;
    }

    private static Command Users(Builder b)
    {
        var users = new Command("users", "Users of the tenant (--tenant)");
        var username = new Option<string?>("--username") { Description = "Only this username" };
        var email = new Option<string?>("--email") { Description = "Only this email (list) / the user's email (create)" };
        var status = new Option<string?>("--status") { Description = "Only active, disabled, deleted or erased users" };
        var paging = new PageOptions();
        users.Subcommands.Add(b.Leaf("list", "List users, one page (--limit, --after) or all of them (--all)", [], (c, t, p, ct) =>
            ListPages(c, t, "v1/users", [("username", p.Parse.GetValue(username)), ("email", p.Parse.GetValue(email)), ("status", p.Parse.GetValue(status))],
                paging, p.Parse, UserColumns, ct),
            [username, email, status, .. paging.Options]));
        users.Subcommands.Add(b.Leaf("get", "Show a user", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Get, $"v1/users/{p.Path("id")}", null, ct)));
        var createEmail = new Option<string?>("--email") { Description = "The user's email" };
        var displayName = new Option<string?>("--display-name") { Description = "The user's display name" };
        users.Subcommands.Add(b.Leaf("create", "Create a user", [Id("username")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Post, "v1/users", new CreateUserBody(p.Arg("username"), p.Parse.GetValue(createEmail), p.Parse.GetValue(displayName)), ct),
            createEmail, displayName));
        var reason = new Option<string?>("--reason") { Description = "Why the user is disabled (audited)" };
        users.Subcommands.Add(b.Leaf("disable", "Disable a user", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Post, $"v1/users/{p.Path("id")}/disable", new { reason = p.Parse.GetValue(reason) }, ct), reason));
        users.Subcommands.Add(b.Leaf("enable", "Enable a user", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Post, $"v1/users/{p.Path("id")}/enable", null, ct)));
        users.Subcommands.Add(b.Leaf("unlock", "Lift a user's lockout after too many failed sign-ins", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Post, $"v1/users/{p.Path("id")}/unlock", null, ct)));
        users.Subcommands.Add(b.Leaf("delete", "Soft-delete a user (restorable)", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Delete, $"v1/users/{p.Path("id")}", null, ct)));
        users.Subcommands.Add(b.Leaf("restore", "Restore a soft-deleted user", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Post, $"v1/users/{p.Path("id")}/restore", null, ct)));
        var set = new Option<string[]>("--set")
        {
            Description = "field=value to set (givenName, familyName, displayName, phone, preferredLanguage); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var clear = new Option<string[]>("--clear") { Description = "A profile field to clear (sent as null); repeatable" };
        var jsonBody = new Option<string?>("--json-body") { Description = "The whole JSON merge patch (RFC 7396), e.g. '{\"displayName\":\"Alice\"}'" };
        users.Subcommands.Add(b.Leaf("patch", "Update a user's profile with a JSON merge patch", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Patch, $"v1/users/{p.Path("id")}",
                MergePatch.Build(p.Parse.GetValue(set) ?? [], p.Parse.GetValue(clear) ?? [], p.Parse.GetValue(jsonBody)), ct, MergePatch.MediaType),
            set, clear, jsonBody));
        users.Subcommands.Add(b.Leaf("metadata", "List a user's metadata entries", [Id("id")], (c, t, p, ct) =>
            List(c, t, $"v1/users/{p.Path("id")}/metadata", MetadataColumns, ct)));
        var text = new Option<string?>("--text") { Description = "The value as text (stored as UTF-8)" };
        var base64 = new Option<string?>("--base64") { Description = "The value's bytes in base64" };
        users.Subcommands.Add(b.Leaf("set-metadata", "Set a user's metadata entry (--text or --base64)", [Id("id"), Id("key")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Put, $"v1/users/{p.Path("id")}/metadata/{p.Path("key")}", new SetMetadataBody(p.Parse.GetValue(base64), p.Parse.GetValue(text)), ct),
            text, base64));
        users.Subcommands.Add(b.Leaf("remove-metadata", "Remove a user's metadata entry", [Id("id"), Id("key")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Delete, $"v1/users/{p.Path("id")}/metadata/{p.Path("key")}", null, ct)));
        users.Subcommands.Add(b.Leaf("erase", "Erase a user's personal data for good (right to erasure)", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Post, $"v1/users/{p.Path("id")}/erase", null, ct)));
        return users;
    }

    private static Command Groups(Builder b)
    {
        var groups = new Command("groups", "Groups of the tenant (--tenant)");
        groups.Subcommands.Add(b.Leaf("list", "List groups", [], (c, t, _, ct) => List(c, t, "v1/groups", NamedColumns, ct)));
        groups.Subcommands.Add(b.Leaf("create", "Create a group", [Id("name")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Post, "v1/groups", new { name = p.Arg("name") }, ct)));
        groups.Subcommands.Add(b.Leaf("delete", "Delete a group", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Delete, $"v1/groups/{p.Path("id")}", null, ct)));
        groups.Subcommands.Add(b.Leaf("add-member", "Add a user to a group", [Id("group"), Id("user")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Put, $"v1/groups/{p.Path("group")}/members/{p.Path("user")}", null, ct)));
        groups.Subcommands.Add(b.Leaf("remove-member", "Remove a user from a group", [Id("group"), Id("user")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Delete, $"v1/groups/{p.Path("group")}/members/{p.Path("user")}", null, ct)));
        return groups;
    }

    private static Command Roles(Builder b)
    {
        var roles = new Command("roles", "Roles of the tenant (--tenant)");
        roles.Subcommands.Add(b.Leaf("list", "List roles", [], (c, t, _, ct) => List(c, t, "v1/roles", NamedColumns, ct)));
        roles.Subcommands.Add(b.Leaf("create", "Create a role", [Id("name")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Post, "v1/roles", new { name = p.Arg("name") }, ct)));
        roles.Subcommands.Add(b.Leaf("delete", "Delete a role", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Delete, $"v1/roles/{p.Path("id")}", null, ct)));
        roles.Subcommands.Add(Assignment(b, "assign", "Assign a role to a user or a group", HttpMethod.Put));
        roles.Subcommands.Add(Assignment(b, "unassign", "Take a role from a user or a group", HttpMethod.Delete));
        roles.Subcommands.Add(b.Leaf("effective", "A user's effective roles: direct and through groups", [Id("user")], (c, t, p, ct) =>
            List(c, t, $"v1/users/{p.Path("user")}/roles", NamedColumns, ct)));
        return roles;
    }

    private static Command ApiKeys(Builder b)
    {
        var keys = new Command("api-keys", "API keys of the tenant (--tenant): list, create (the secret is shown once), revoke");
        var paging = new PageOptions();
        keys.Subcommands.Add(b.Leaf("list", "List API keys (never their secrets)", [], (c, t, p, ct) =>
            ListPages(c, t, "v1/admin/api-keys", [], paging, p.Parse, ApiKeyColumns, ct), paging.Options));
        keys.Subcommands.Add(b.Leaf("get", "Show an API key", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Get, $"v1/admin/api-keys/{p.Path("id")}", null, ct)));

        var name = new Option<string>("--name") { Description = "What the key is for (shown in lists and the audit trail)", Required = true };
        var scopes = new Option<string[]>("--scope")
        {
            Description = "A scope: admin, users:read, users:write, groups:read, groups:write, roles:read, roles:write, audit:read (tenants:admin: system keys only); repeatable",
            Required = true,
        };
        var expires = new Option<string?>("--expires") { Description = "When the key stops working: an instant (2027-01-31T00:00:00Z) or a duration from now (90d, 12h, 30m)" };
        var system = new Option<bool>("--system") { Description = "A system key, valid in every tenant (system admin only)" };
        keys.Subcommands.Add(b.Leaf("create", "Create an API key and print its secret, this once", [], (c, t, p, ct) =>
            CreateKey(c, t, new CreateApiKeyBody(
                p.Parse.GetValue(name)!, p.Parse.GetValue(scopes) ?? [], Expiry.Parse(p.Parse.GetValue(expires), DateTimeOffset.UtcNow), p.Parse.GetValue(system)), ct),
            name, scopes, expires, system));
        keys.Subcommands.Add(b.Leaf("revoke", "Revoke an API key: it authenticates nothing from now on", [Id("id")], (c, t, p, ct) =>
            Show(c, t, HttpMethod.Delete, $"v1/admin/api-keys/{p.Path("id")}", null, ct)));
        return keys;
    }

    private static async Task<int> CreateKey(AdminClient client, Terminal terminal, CreateApiKeyBody body, CancellationToken ct)
    {
        var reply = await client.SendAsync(HttpMethod.Post, "v1/admin/api-keys", body, ct).ConfigureAwait(false);
        return ServerCommand.Print(terminal, reply, json =>
        {
            var key = ServerCommand.Text(json, "key");
            var apiKey = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("apiKey", out var k) ? k : default;
            terminal.WriteLine($"API key {ServerCommand.Text(apiKey, "id")} created. Its secret is shown only this once:");
            terminal.WriteLine();
            terminal.WriteLine("    " + key);
            terminal.WriteLine();
            if (apiKey.ValueKind == JsonValueKind.Object)
            {
                ServerCommand.Record(terminal, apiKey);
            }
        });
    }

    private static Command Assignment(Builder b, string name, string description, HttpMethod method)
    {
        var user = new Option<string?>("--user") { Description = "The user's id" };
        var group = new Option<string?>("--group") { Description = "The group's id" };
        var command = b.Leaf(name, description, [Id("role")], (c, t, p, ct) =>
        {
            var (u, g) = (p.Parse.GetValue(user), p.Parse.GetValue(group));
            if ((u is null) == (g is null))
            {
                throw new CliException(CliErrors.BadOption, $"roles {name} takes exactly one of --user or --group.");
            }

            var target = u is not null ? $"users/{Uri.EscapeDataString(u)}" : $"groups/{Uri.EscapeDataString(g!)}";
            return Show(c, t, method, $"v1/roles/{p.Path("role")}/{target}", null, ct);
        }, user, group);
        return command;
    }

    /// <summary>
    /// One page (<c>--limit</c>, <c>--after</c>) or, with <c>--all</c>, every page followed through the server's
    /// <c>next</c> cursor and printed as one list (<c>{"items":[...],"next":null}</c> with <c>--json</c>).
    /// </summary>
    private static async Task<int> ListPages(
        AdminClient client, Terminal terminal, string path, (string, string?)[] filters, PageOptions paging, ParseResult parse, (string, string)[] columns, CancellationToken ct)
    {
        var limit = parse.GetValue(paging.Limit);
        var all = parse.GetValue(paging.All);
        string? after = parse.GetValue(paging.After);
        var items = new List<JsonElement>();
        string? next;
        ServerReply reply;
        do
        {
            reply = await client.GetAsync(path + Query([.. filters, ("limit", limit?.ToString(Terminal.Culture)), ("after", after)]), ct).ConfigureAwait(false);
            var body = reply.Body ?? default;
            if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("items", out var page) && page.ValueKind == JsonValueKind.Array)
            {
                items.AddRange(page.EnumerateArray());
            }

            next = ServerCommand.Text(body, "next") is { Length: > 0 } cursor ? cursor : null;
            if (next is not null && next == after)
            {
                throw new CliException(CliErrors.ServerFailed, "the server answered the same page cursor twice; stopped following pages.", ExitCodes.Failure);
            }

            after = next;
        }
        while (all && next is not null);

        var combined = all ? Combined(items) : reply;
        var printed = ServerCommand.Print(terminal, combined, body => ServerCommand.Table(terminal, body, "items", columns));
        if (!terminal.Json && next is not null)
        {
            terminal.WriteLine($"More: --after {next} (or --all)");
        }

        return printed;
    }

    private static ServerReply Combined(List<JsonElement> items)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("items");
            foreach (var item in items)
            {
                item.WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteNull("next");
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return new ServerReply(System.Net.HttpStatusCode.OK, document.RootElement.Clone());
    }

    private static async Task<int> List(AdminClient client, Terminal terminal, string path, (string, string)[] columns, CancellationToken ct)
    {
        var reply = await client.GetAsync(path, ct).ConfigureAwait(false);
        return ServerCommand.Print(terminal, reply, body => ServerCommand.Table(terminal, body, "items", columns));
    }

    private static async Task<int> Show(
        AdminClient client, Terminal terminal, HttpMethod method, string path, object? body, CancellationToken ct, string mediaType = "application/json")
    {
        var reply = await client.SendAsync(method, path, body, ct, mediaType).ConfigureAwait(false);
        return ServerCommand.Print(terminal, reply, json =>
        {
            if (reply.Body is null)
            {
                terminal.WriteLine("Done.");
            }
            else
            {
                ServerCommand.Record(terminal, json);
            }
        });
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return given.Length == 0 ? "" : "?" + string.Join('&', given);
    }

    private static Argument<string> Id(string name) => new(name) { Description = $"The {name}" };

    private sealed record CreateUserBody(string Username, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Email, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? DisplayName);

    private sealed record SetMetadataBody(
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Value,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Text);

    private sealed record CreateApiKeyBody(
        string Name,
        IReadOnlyList<string> Scopes,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ExpiresAt,
        bool System);

    /// <summary>The paging options of a list command: one instance per command (an option belongs to one parent).</summary>
    private sealed class PageOptions
    {
        public Option<int?> Limit { get; } = new("--limit") { Description = "Items per page (1 to 500) [default: the server's, 50]" };

        public Option<string?> After { get; } = new("--after") { Description = "Start after this cursor (the 'next' of the previous page)" };

        public Option<bool> All { get; } = new("--all") { Description = "Follow every page and print them as one list" };

        public Option[] Options => [Limit, After, All];
    }

    /// <summary>A parsed leaf: its arguments by name, raw or escaped for a path segment.</summary>
    private sealed class Parsed(ParseResult parse, IReadOnlyList<Argument<string>> arguments)
    {
        public ParseResult Parse { get; } = parse;

        public string Arg(string name) => Parse.GetValue(arguments.Single(a => a.Name == name)) ?? "";

        public string Path(string name) => Uri.EscapeDataString(Arg(name));
    }

    private sealed class Builder(CliContext context, GlobalOptions global, ServerOptions server)
    {
        public Command Leaf(string name, string description, Argument<string>[] arguments, Func<AdminClient, Terminal, Parsed, CancellationToken, Task<int>> run, params Option[] options)
        {
            var command = new Command(name, description);
            foreach (var argument in arguments)
            {
                command.Arguments.Add(argument);
            }

            foreach (var option in options)
            {
                command.Options.Add(option);
            }

            command.SetAction((parse, ct) => ServerCommand.RunAsync(context, global, server, parse,
                (client, terminal, token) => run(client, terminal, new Parsed(parse, arguments), token), ct));
            return command;
        }
    }
}
