using System.CommandLine;
using System.Text;
using KoderId.Application.Audit;
using KoderId.Cli.Output;
using KoderId.Cli.Storage;
using KoderId.Domain;
using KoderId.EventSourcing.Storage;
using Spectre.Console;

namespace KoderId.Cli.Commands;

/// <summary>
/// <c>koderid audit verify | replay | export | as-of</c>: store commands, like <c>events</c> (they read the log
/// itself, which the server's REST equivalents under <c>/v1/admin/audit</c> also do).
/// </summary>
internal static class AuditCommands
{
    private const int HeadPrefixBytes = 8;
    private const int HashPrefixBytes = 8;

    /// <summary>Below this many events in the log a replay shows no progress line.</summary>
    private const long ProgressThreshold = 100_000;

    /// <summary>Output is written in chunks of about this many characters (Console.Out flushes on every write).</summary>
    private const int FlushChars = 64 * 1024;

    public static Command Create(CliContext context, GlobalOptions options)
    {
        var audit = new Command("audit", "Audit the event log: verify the hash chain, replay a tenant's history, export it for a SIEM, rebuild an account as of an instant");
        audit.Subcommands.Add(Verify(context, options));
        audit.Subcommands.Add(Replay(context, options, "replay", "Replay one tenant's history from the log, filtered (a timeline; --format jsonl|csv|ecs for machines)", AuditFormat.Table));
        audit.Subcommands.Add(Replay(context, options, "export", "Export the log (one tenant's or, without --tenant, every tenant's) for a SIEM: ECS JSON lines by default", AuditFormat.Ecs));
        audit.Subcommands.Add(AsOf(context, options));
        return audit;
    }

    private static Command Verify(CliContext context, GlobalOptions options)
    {
        var tenant = new Option<string?>("--tenant") { Description = "Prove the links of this tenant's events (the walk still covers the whole log, whose chain is one)", HelpName = "T" };
        var verify = new Command("verify", "Recompute the hash chain and name the first broken link: position, stream, event id, expected and found hash (exit 3 when broken)") { tenant };
        verify.SetAction((parse, ct) => StoreCommand.RunAsync(context, options, parse, (store, terminal, token) => VerifyAsync(store, terminal, parse.GetValue(tenant), token), ct));
        return verify;
    }

    private static async Task<int> VerifyAsync(StoreConnection store, Terminal terminal, string? tenantId, CancellationToken ct)
    {
        var total = (await store.Events.ReadHeadAsync(ct).ConfigureAwait(false)).Position;
        var result = await terminal.WithProgressAsync("Verifying the hash chain", total, enabled: true, report =>
            HashChainVerifier.VerifyAsync(store.Events, tenantId, new SyncProgress<long>(done => report(done, total)), ct)).ConfigureAwait(false);
        var head = result.IsValid ? await store.Events.ReadHeadAsync(ct).ConfigureAwait(false) : null;
        var broken = result.Broken;

        if (terminal.Json)
        {
            terminal.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("valid", result.IsValid);
                w.WriteNumber("eventsChecked", result.EventsChecked);
                if (tenantId is not null)
                {
                    w.WriteString("tenantId", tenantId);
                    w.WriteNumber("tenantEventsChecked", result.TenantEventsChecked);
                }

                if (result.FirstBrokenPosition is { } position)
                {
                    w.WriteNumber("firstBrokenPosition", position);
                }
                else
                {
                    w.WriteNull("firstBrokenPosition");
                }

                w.WriteString("problem", result.Problem);
                if (broken is not null)
                {
                    w.WriteStartObject("brokenLink");
                    w.WriteNumber("position", broken.Position);
                    w.WriteString("tenantId", broken.TenantId);
                    w.WriteString("streamId", broken.StreamId);
                    w.WriteString("eventId", broken.EventId?.ToString("D"));
                    w.WriteString("expectedHash", broken.ExpectedHash is null ? null : Convert.ToHexStringLower(broken.ExpectedHash));
                    w.WriteString("foundHash", broken.FoundHash is null ? null : Convert.ToHexStringLower(broken.FoundHash));
                    w.WriteBoolean("outsideTenant", result.BrokenOutsideTenant);
                    w.WriteEndObject();
                }

                if (head is not null)
                {
                    w.WriteNumber("headPosition", head.Position);
                    w.WriteString("headHash", Convert.ToHexStringLower(head.Hash));
                }

                w.WriteEndObject();
            });
        }
        else if (head is not null)
        {
            var prefix = Convert.ToHexStringLower(head.Hash.AsSpan(0, Math.Min(HeadPrefixBytes, head.Hash.Length)));
            var scope = tenantId is null ? "" : $" ({Terminal.Number(result.TenantEventsChecked)} of tenant {Terminal.Clean(tenantId)})";
            terminal.WriteLine($"OK: {Terminal.Number(result.EventsChecked)} events{scope}, chain intact, head {prefix}");
        }
        else
        {
            terminal.WriteLine($"BROKEN at position {result.FirstBrokenPosition}: {result.Problem}");
            if (broken?.StreamId is not null)
            {
                terminal.WriteLine($"  stream {Terminal.Clean(broken.StreamId)} (tenant {Terminal.Clean(broken.TenantId)}), event {broken.EventId:D}");
            }

            if (broken?.ExpectedHash is not null || broken?.FoundHash is not null)
            {
                terminal.WriteLine($"  expected hash {Hex(broken.ExpectedHash)}, found {Hex(broken.FoundHash)}");
            }
        }

        if (result.IsValid)
        {
            return ExitCodes.Ok;
        }

        terminal.Error(CliErrors.ChainBroken, $"hash chain broken at position {result.FirstBrokenPosition}");
        return ExitCodes.ChainBroken;
    }

    private static string Hex(byte[]? hash) => hash is null ? "(none)" : Convert.ToHexStringLower(hash);

    private sealed class FilterOptions
    {
        public Option<string?> Tenant { get; } = new("--tenant") { Description = "The tenant whose history to read", HelpName = "T" };
        public Option<string?> Subject { get; } = new("--subject") { Description = "Only events about this user, client or session id (stream or event fields)", HelpName = "ID" };
        public Option<string?> Actor { get; } = new("--actor") { Description = "Only events by this actor (e.g. api-key:k1, system-admin)", HelpName = "ACTOR" };
        public Option<string[]> Types { get; } = new("--type") { Description = "Only these wire types; repeat or comma-separate; a prefix ends in '.' or '*' (user.)", HelpName = "TYPE", AllowMultipleArgumentsPerToken = false };
        public Option<string?> From { get; } = new("--from") { Description = "From this instant, inclusive (RFC 3339, e.g. 2026-01-31T10:00:00Z)", HelpName = "TIME" };
        public Option<string?> To { get; } = new("--to") { Description = "Up to this instant, exclusive (RFC 3339)", HelpName = "TIME" };
        public Option<string?> Format { get; } = new("--format") { Description = "table, jsonl, csv or ecs", HelpName = "FORMAT" };

        public void AddTo(Command command)
        {
            foreach (var option in (Option[])[Tenant, Subject, Actor, Types, From, To, Format])
            {
                command.Options.Add(option);
            }
        }
    }

    private static Command Replay(CliContext context, GlobalOptions options, string name, string description, AuditFormat defaultFormat)
    {
        var filters = new FilterOptions();
        var command = new Command(name, description);
        filters.AddTo(command);
        command.SetAction((parse, ct) => StoreCommand.RunAsync(context, options, parse, (store, terminal, token) =>
        {
            var tenant = parse.GetValue(filters.Tenant);
            if (defaultFormat == AuditFormat.Table && string.IsNullOrEmpty(tenant))
            {
                throw new CliException(CliErrors.AuditTenantRequired, "audit replay reads one tenant's history: give --tenant (audit export reads every tenant without it)");
            }

            var (query, format) = Inputs(() =>
            {
                var from = parse.GetValue(filters.From) is { } f ? AuditInputs.ParseInstant(f, "--from") : (DateTimeOffset?)null;
                var to = parse.GetValue(filters.To) is { } t ? AuditInputs.ParseInstant(t, "--to") : (DateTimeOffset?)null;
                AuditInputs.CheckRange(from, to);
                var q = new AuditReplayQuery
                {
                    TenantId = AuditInputs.ParseFilter(tenant, "--tenant"),
                    Subject = AuditInputs.ParseFilter(parse.GetValue(filters.Subject), "--subject"),
                    Actor = AuditInputs.ParseFilter(parse.GetValue(filters.Actor), "--actor"),
                    EventTypes = AuditInputs.ParseEventTypes(parse.GetValue(filters.Types) ?? []),
                    From = from,
                    To = to,
                };
                var fallback = terminal.Json && defaultFormat == AuditFormat.Table ? AuditFormat.JsonLines : defaultFormat;
                return (q, AuditFormats.Parse(parse.GetValue(filters.Format), fallback));
            });
            return ReplayAsync(store, terminal, query, format, token);
        }, ct));
        return command;
    }

    private static async Task<int> ReplayAsync(StoreConnection store, Terminal terminal, AuditReplayQuery query, AuditFormat format, CancellationToken ct)
    {
        var replayer = new AuditReplayer(store.Events, store.Serializer.Registry, store.Keys);
        var head = (await store.Events.ReadHeadAsync(ct).ConfigureAwait(false)).Position;
        var showProgress = head >= ProgressThreshold;
        var progress = new SyncProgress<ReplayProgress>(p =>
        {
            if (showProgress)
            {
                terminal.Status($"audit: {Terminal.Number(p.Scanned)} events scanned, {Terminal.Number(p.Matched)} matched, position {Terminal.Number(p.Position)} of {Terminal.Number(p.Head)}");
            }
        });

        var output = new StringBuilder(FlushChars + 4096);
        using var buffer = new StringWriter(output, Terminal.Culture);
        var writer = format == AuditFormat.Table ? null : AuditFormats.CreateWriter(format);
        if (writer is null)
        {
            buffer.WriteLine(TimelineHeader);
        }
        else
        {
            writer.WriteHeader(buffer);
        }

        long count = 0;
        await foreach (var record in replayer.ReplayAsync(query, progress, ct).ConfigureAwait(false))
        {
            count++;
            if (writer is null)
            {
                buffer.WriteLine(TimelineLine(record));
            }
            else
            {
                writer.Write(buffer, record);
            }

            if (output.Length >= FlushChars)
            {
                await FlushAsync(terminal, output, ct).ConfigureAwait(false);
            }
        }

        if (writer is null && count == 0)
        {
            output.Clear();
            output.Append(head == 0 ? "The log is empty." : "No events match.").Append('\n');
        }

        await FlushAsync(terminal, output, ct).ConfigureAwait(false);
        if (showProgress)
        {
            terminal.EndStatus();
        }

        return ExitCodes.Ok;
    }

    private static async Task FlushAsync(Terminal terminal, StringBuilder output, CancellationToken ct)
    {
        await terminal.Stdout.WriteAsync(output, ct).ConfigureAwait(false);
        await terminal.Stdout.FlushAsync(ct).ConfigureAwait(false);
        output.Clear();
    }

    // A table cannot grow while the log streams in, so the timeline is aligned lines (as events tail --follow prints).
    private static readonly string TimelineHeader = Timeline("TIME (UTC)", "POSITION", "TYPE", "STREAM", "ACTOR", "SOURCE IP", "DETAILS");

    private static string TimelineLine(AuditRecord r) => Timeline(
        Terminal.Time(r.Stored.Metadata.Timestamp), Terminal.Number(r.Stored.Position), Terminal.Clean(r.Stored.EventType), Terminal.Clean(r.Stored.StreamId),
        Terminal.Clean(r.Stored.Metadata.Actor), Terminal.Clean(r.Stored.Metadata.ClientIp), Terminal.Clean(Details(r)));

    private static string Timeline(string time, string position, string type, string stream, string actor, string ip, string details) =>
        $"{time,-24}  {position,9}  {type,-34}  {stream,-40}  {actor,-24}  {ip,-15}  {details}".TrimEnd();

    /// <summary>The data's fields other than the id the stream already names, as key=value, cut at 100 characters.</summary>
    private static string Details(AuditRecord r)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in r.Data)
        {
            if (key == "tenantId" || value is null ||
                (value is System.Text.Json.Nodes.JsonValue id && id.TryGetValue<string>(out var idText) && string.Equals(idText, r.Subjects.StreamSubject, StringComparison.Ordinal)))
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(key).Append('=').Append(value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString());
            if (text.Length > 100)
            {
                return text.ToString(0, 99) + "…";
            }
        }

        if (r.Problem is not null)
        {
            text.Append(text.Length > 0 ? " " : "").Append("(undecoded: ").Append(r.Problem).Append(')');
        }

        return text.ToString();
    }

    private static Command AsOf(CliContext context, GlobalOptions options)
    {
        var time = new Argument<string>("time") { Description = "The instant (RFC 3339, e.g. 2026-01-31T10:00:00Z)" };
        var kind = new Argument<string>("kind") { Description = "What to rebuild: user" };
        var id = new Argument<string>("id") { Description = "The user id" };
        var tenant = new Option<string?>("--tenant") { Description = "The user's tenant", HelpName = "T" };
        var command = new Command("as-of", "Rebuild an account as it was at an instant from the log: profile, status, email, password, MFA and passkeys, groups, roles, open sessions")
        {
            time, kind, id, tenant,
        };
        command.SetAction((parse, ct) => StoreCommand.RunAsync(context, options, parse, (store, terminal, token) =>
        {
            if (!string.Equals(parse.GetValue(kind), "user", StringComparison.Ordinal))
            {
                throw new CliException(CliErrors.AuditUnknownKind, $"audit as-of rebuilds a 'user', not '{Terminal.Clean(parse.GetValue(kind))}'");
            }

            if (string.IsNullOrEmpty(parse.GetValue(tenant)))
            {
                throw new CliException(CliErrors.AuditTenantRequired, "audit as-of needs the user's --tenant");
            }

            var at = Inputs(() => AuditInputs.ParseInstant(parse.GetValue(time) ?? "", "the time"));
            var userId = Inputs(() => AuditInputs.ParseFilter(parse.GetValue(id), "the user id")) ?? "";
            return AsOfAsync(store, terminal, parse.GetValue(tenant)!, userId, at, token);
        }, ct));
        return command;
    }

    private static async Task<int> AsOfAsync(StoreConnection store, Terminal terminal, string tenantId, string userId, DateTimeOffset at, CancellationToken ct)
    {
        AccountSnapshot account;
        try
        {
            account = await new AccountHistory(store.Events, store.Serializer.Registry, store.Keys).AsOfAsync(tenantId, userId, at, ct).ConfigureAwait(false);
        }
        catch (DomainException ex) when (ex.Code == DomainErrors.AuditUserNotFound)
        {
            throw new CliException(CliErrors.AuditUnknownUser, $"user '{Terminal.Clean(userId)}' did not exist in tenant '{Terminal.Clean(tenantId)}' at {Terminal.Time(at)}", ExitCodes.Failure);
        }

        if (terminal.Json)
        {
            terminal.WriteLine(AccountJson.Serialize(account));
            return ExitCodes.Ok;
        }

        var table = Terminal.NewTable("Field", "Value");
        void Row(string field, string? value) => table.AddRow(Terminal.Cell(field), Terminal.Cell(value));
        Row("tenant", account.TenantId);
        Row("user", account.UserId);
        Row("as of", Terminal.Time(account.AsOf));
        Row("log position", Terminal.Number(account.Position));
        Row("status", account.Status);
        Row("created", Terminal.Time(account.CreatedAt));
        Row("last changed", account.LastChangedAt is { } changed ? Terminal.Time(changed) : null);
        Row("username", account.Username);
        Row("email", account.Email is null ? "(none)" : $"{account.Email} ({(account.EmailVerified ? "verified" : "not verified")})");
        Row("given name", account.Profile.GivenName);
        Row("family name", account.Profile.FamilyName);
        Row("display name", account.Profile.DisplayName);
        Row("phone", account.Profile.Phone);
        Row("language", account.Profile.PreferredLanguage);
        Row("metadata", account.Metadata.Count == 0 ? "none" : string.Join(", ", account.Metadata.Keys));
        Row("password", account.Password.Set
            ? $"set {(account.Password.SetAt is { } set ? Terminal.Time(set) : "")}{(account.Password.Reason is { } reason ? $" ({reason})" : "")}{(account.Password.ChangeRequired ? ", change required" : "")}"
            : "not set");
        Row("second factors", account.Factors.Count == 0 ? "none" : string.Join(", ", account.Factors.Select(f => $"{f.Kind}{(f.CredentialId is null ? "" : $" {f.CredentialId}")} since {Terminal.Time(f.Since)}")));
        Row("groups", account.Groups.Count == 0 ? "none" : string.Join(", ", account.Groups.Select(g => $"{g.Name} ({g.GroupId})")));
        Row("roles", account.Roles.Count == 0 ? "none" : string.Join(", ", account.Roles.Select(r => $"{r.Name} ({r.RoleId}, via {string.Join("+", r.Via)})")));
        Row("open sessions", account.Sessions.Count == 0 ? "none" : string.Join(", ", account.Sessions.Select(s => $"{s.SessionId} since {Terminal.Time(s.StartedAt)} until {Terminal.Time(s.ExpiresAt)}")));
        if (account.ErasedFields.Count > 0)
        {
            Row("erased fields", string.Join(", ", account.ErasedFields));
        }

        terminal.Write(table);
        return ExitCodes.Ok;
    }

    private static T Inputs<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (AuditInputException ex)
        {
            throw new CliException(ex.Error switch
            {
                AuditInputError.BadTime => CliErrors.AuditBadTime,
                AuditInputError.EmptyRange => CliErrors.AuditEmptyRange,
                AuditInputError.UnknownFormat => CliErrors.AuditUnknownFormat,
                _ => CliErrors.AuditBadFilter,
            }, ex.Message);
        }
    }
}
