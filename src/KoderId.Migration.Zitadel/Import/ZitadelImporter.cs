using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using KoderId.Application.Clients;
using KoderId.Application.Common;
using KoderId.Application.Credentials;
using KoderId.Application.Mfa;
using KoderId.Application.Roles;
using KoderId.Application.Tenants;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Domain.Clients;
using KoderId.Domain.Tenants;
using KoderId.Domain.Users;
using KoderId.EventSourcing.Storage;
using KoderId.Events.Tenants;
using KoderId.Migration.Zitadel.Parsing;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Migration.Zitadel.Import;

/// <param name="Concurrency">Users imported at once: the store group-commits concurrent appends (ADR 0001).</param>
public sealed record ZitadelImportOptions(bool DryRun = false, IProgress<ImportProgress>? Progress = null, int Concurrency = 32);

/// <summary>
/// Maps a Zitadel export onto Koder ID through the write side's commands (ADR 0007). Each org is validated whole
/// and planned before anything of it is written: an org with an error is reported with the error's JSON path and
/// nothing of it is imported; the others still are. Ids are derived from Zitadel's, and everything that exists
/// already is left as it is, so a re-run creates nothing twice. A dry run plans and looks up, and writes nothing.
/// </summary>
public sealed class ZitadelImporter(IServiceScopeFactory scopes, IEventStore store)
{
    public const string MemberAdminRoles = "ORG_OWNER, ORG_ADMIN";

    /// <summary>Users per atomic append on the bulk path, and batches in flight (one serializes while the other commits).</summary>
    private const int BulkBatchSize = 500;
    private const int BulkConcurrency = 2;

    public async Task<ImportReport> ImportAsync(Stream export, ImportActor actor, ZitadelImportOptions options, CancellationToken ct)
    {
        var entries = await ZitadelExportReader.ReadAsync(export, ct).ConfigureAwait(false);
        return await ImportAsync(entries, actor, options, ct).ConfigureAwait(false);
    }

    public async Task<ImportReport> ImportAsync(IReadOnlyList<ZitadelOrgEntry> entries, ImportActor actor, ZitadelImportOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(options);
        var report = new ImportReport { DryRun = options.DryRun };
        var sender = new ImportSender(scopes, actor);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            options.Progress?.Report(new ImportProgress(i + 1, entries.Count, "validating", 0, entry.Org?.HumanUsers.Count ?? 0));
            if (entry.Org is null)
            {
                report.Fail(entry.Error!.JsonPath, ImportCodes.InvalidExport, entry.Error.Reason);
                report.Orgs.Add(new OrgOutcome(entry.Path, entry.OrgId, null, null, "failed"));
                continue;
            }

            var plan = await PlanAsync(entry.Org, sender, ct).ConfigureAwait(false);
            if (plan.Errors.Count > 0)
            {
                foreach (var error in plan.Errors)
                {
                    report.Fail(error.Path, error.Code, error.Reason);
                }

                report.Orgs.Add(new OrgOutcome(entry.Path, entry.Org.OrgId, entry.Org.Name, plan.TenantId, "failed"));
                continue;
            }

            foreach (var skipped in plan.Skipped)
            {
                report.Skip(skipped.Kind, skipped.Path, skipped.Reason, skipped.Id);
            }

            if (options.DryRun)
            {
                await CountDryRunAsync(plan, sender, report, ct).ConfigureAwait(false);
                report.Orgs.Add(new OrgOutcome(entry.Path, entry.Org.OrgId, entry.Org.Name, plan.TenantId, "would-import"));
                continue;
            }

            var failedBefore = report.Errors.Count;
            await ExecuteAsync(plan, sender, report, options, i + 1, entries.Count, ct).ConfigureAwait(false);
            report.Orgs.Add(new OrgOutcome(entry.Path, entry.Org.OrgId, entry.Org.Name, plan.TenantId, report.Errors.Count > failedBefore ? "partial" : "imported"));
        }

        return report;
    }

    // ---------------------------------------------------------------- planning (no writes)

    private sealed record UserPlan(ZitadelHumanUser Source, ImportUser Command, string? OtpCode);

    private sealed record RolePlan(string Path, string ZitadelId, string RoleId, string Name);

    /// <param name="Keys">Machine keys in the client's JWK set (a machine user's client authenticates with them).</param>
    private sealed record ClientPlan(string Path, string Source, string ZitadelId, string ClientId, ClientDraft Draft, int Keys = 0);

    private sealed record MachineKeyPlan(ZitadelMachineKey Source, JsonObject Jwk);

    private sealed record DomainPlan(string Path, string Domain, bool Primary);

    private sealed class OrgPlan(ZitadelOrg org)
    {
        public ZitadelOrg Org { get; } = org;

        public string? TenantId { get; set; }

        public bool TenantExists { get; set; }

        public TenantSettings? Settings { get; set; }

        public List<DomainPlan> Domains { get; } = [];

        public List<UserPlan> Users { get; } = [];

        public List<RolePlan> Roles { get; } = [];

        public List<ClientPlan> Clients { get; } = [];

        /// <summary>Role id to the users that get it (user grants, and org members for the tenant-admin role).</summary>
        public Dictionary<string, List<string>> Assignments { get; } = new(StringComparer.Ordinal);

        public List<ImportError> Errors { get; } = [];

        public List<SkippedItem> Skipped { get; } = [];

        public void Skip(string kind, string path, string reason, string? id = null) => Skipped.Add(new SkippedItem(kind, path, reason, id));

        public void Fail(string path, string code, string reason) => Errors.Add(new ImportError(path, code, reason));
    }

    private async Task<OrgPlan> PlanAsync(ZitadelOrg org, ImportSender sender, CancellationToken ct)
    {
        var plan = new OrgPlan(org);
        await PlanTenantAsync(plan, ct).ConfigureAwait(false);
        if (plan.TenantId is null)
        {
            return plan;
        }

        PlanSettingsAndDomains(plan, sender);
        var users = PlanUsers(plan, sender);
        await CheckClaimsAsync(plan, ct).ConfigureAwait(false);
        var roles = PlanRoles(plan);
        var keys = PlanMachineKeys(plan, (sender.Optional<IClock>() ?? new SystemClock()).UtcNow);
        PlanClients(plan, keys);
        PlanAssignments(plan, users, roles);
        foreach (var item in org.NotMapped)
        {
            plan.Skip("not-mapped", item.Path, $"{item.What}s are not mapped to Koder ID");
        }

        foreach (var path in org.OtherPolicies)
        {
            plan.Skip("policies", path, "only the lockout and password-complexity policies map to tenant settings");
        }

        return plan;
    }

    private async Task PlanTenantAsync(OrgPlan plan, CancellationToken ct)
    {
        var org = plan.Org;
        if (org.State == "ORG_STATE_REMOVED")
        {
            plan.Fail($"{org.Path}.orgState", ImportCodes.InvalidValue, "the org is removed in Zitadel; remove it from the export to import the others");
            return;
        }

        var origin = ImportIds.Origin("org", org.OrgId);
        string? free = null;
        foreach (var candidate in ImportIds.TenantCandidates(org.OrgId, org.Name))
        {
            string? existingOrigin = null;
            var exists = false;
            await foreach (var stored in store.ReadStreamAsync(candidate, StreamNames.Tenant(candidate), maxCount: 1, ct: ct).ConfigureAwait(false))
            {
                exists = true;
                existingOrigin = stored.Metadata.CausationId;
            }

            if (exists && existingOrigin == origin)
            {
                plan.TenantId = candidate;
                plan.TenantExists = true;
                return;
            }

            free ??= exists ? null : candidate;
        }

        if (free is null)
        {
            plan.Fail($"{org.Path}.orgId", ImportCodes.TenantTaken, "every tenant id derived from the org's name and id is a tenant not imported from this org");
            return;
        }

        plan.TenantId = free;
    }

    private static void PlanSettingsAndDomains(OrgPlan plan, ImportSender sender)
    {
        var org = plan.Org;
        if (plan.TenantExists)
        {
            // A re-run leaves the tenant as it is now: an administrator may have changed its settings since.
            return;
        }

        try
        {
            Tenant.Create(TenantState.Initial, plan.TenantId!, org.Name);
        }
        catch (DomainException ex)
        {
            plan.Fail($"{org.Path}.org.name", ImportCodes.InvalidValue, $"{ex.Code}: {ex.Message}");
            return;
        }

        var settings = TenantSettings.Default;
        if (org.LockoutPolicy is { } lockout)
        {
            if (lockout.MaxPasswordAttempts <= 0)
            {
                plan.Skip("policies", $"{lockout.Path}.maxPasswordAttempts", "lockout is off in Zitadel; Koder ID always locks out, with its default threshold");
            }
            else
            {
                var attempts = (int)Math.Clamp(lockout.MaxPasswordAttempts, 1, 100);
                if (attempts != lockout.MaxPasswordAttempts)
                {
                    plan.Skip("policies", $"{lockout.Path}.maxPasswordAttempts", "more than 100 attempts: capped at 100");
                }

                settings = settings with { Lockout = settings.Lockout with { MaxFailedAttempts = attempts } };
            }
        }

        if (org.PasswordComplexityPolicy is { } complexity)
        {
            var min = (int)Math.Clamp(complexity.MinLength, Tenant.MinPasswordMinLength, settings.Password.MaxLength);
            if (min != complexity.MinLength && complexity.MinLength != 0)
            {
                plan.Skip("policies", $"{complexity.Path}.minLength", $"a minimum length below {Tenant.MinPasswordMinLength} is raised to {Tenant.MinPasswordMinLength} (NIST SP 800-63B)");
            }

            settings = settings with { Password = settings.Password with { MinLength = min } };
            if (complexity.HasUppercase || complexity.HasLowercase || complexity.HasNumber || complexity.HasSymbol)
            {
                plan.Skip("policies", complexity.Path, "character-class rules are not enforced (NIST SP 800-63B): length and the breached-password list are");
            }
        }

        Tenant.EnsureValidSettings(settings);
        plan.Settings = settings == TenantSettings.Default ? null : settings;

        var baseDomain = sender.Optional<TenantDomainSettings>()?.BaseDomain;
        var state = new TenantState(plan.TenantId!, org.Name, TenantStatus.Active, null, []);
        foreach (var domain in org.Domains)
        {
            try
            {
                Tenant.AddDomain(state, domain.DomainName, domain.IsPrimary, baseDomain);
                plan.Domains.Add(new DomainPlan(domain.Path, domain.DomainName, domain.IsPrimary));
            }
            catch (DomainException ex)
            {
                plan.Skip("domains", domain.Path, $"{ex.Code}: {ex.Message}", domain.DomainName);
            }
        }
    }

    private static Dictionary<string, string> PlanUsers(OrgPlan plan, ImportSender sender)
    {
        var org = plan.Org;
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var usernames = new Dictionary<string, string>(StringComparer.Ordinal);
        var emails = new Dictionary<string, string>(StringComparer.Ordinal);
        var links = org.UserLinks.GroupBy(l => l.UserId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var metadata = org.UserMetadata.GroupBy(m => m.UserId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var totp = sender.Optional<ITotpSeedImport>() is not null;
        foreach (var human in org.HumanUsers)
        {
            var path = human.Path;
            if (human.State == "USER_STATE_DELETED")
            {
                plan.Skip("users", path, "deleted in Zitadel", human.UserId);
                continue;
            }

            var userId = ImportIds.User(org.OrgId, human.UserId, human.UserName);
            if (human.UserId is not null && !ids.TryAdd(human.UserId, userId))
            {
                plan.Fail($"{path}.userId", ImportCodes.Duplicate, "another user of this org has the same id");
                continue;
            }

            string username;
            try
            {
                username = User.NormalizeUsername(human.UserName);
            }
            catch (DomainException ex)
            {
                plan.Fail($"{path}.user.userName", ImportCodes.InvalidValue, $"{ex.Code}: {ex.Message}");
                continue;
            }

            if (!usernames.TryAdd(User.UsernameKey(username), path))
            {
                plan.Fail($"{path}.user.userName", ImportCodes.Duplicate, $"the username is also {usernames[User.UsernameKey(username)]}'s (usernames are unique per tenant, case-insensitively)");
                continue;
            }

            string? email = null;
            if (!string.IsNullOrWhiteSpace(human.Email))
            {
                try
                {
                    email = User.NormalizeEmail(human.Email);
                }
                catch (DomainException ex)
                {
                    plan.Fail($"{path}.user.email.email", ImportCodes.InvalidValue, $"{ex.Code}: {ex.Message}");
                    continue;
                }

                if (!emails.TryAdd(User.EmailKey(email), path))
                {
                    plan.Skip("emails", $"{path}.user.email.email", $"the address is also {emails[User.EmailKey(email)]}'s and addresses are unique per tenant: the user is imported without it", userId);
                    email = null;
                }
            }

            var profile = Profile(plan, human, userId);
            string? hash = null;
            if (human.HashedPassword is { } hashed)
            {
                if (!PasswordHash.TryParse(hashed, out _, out _) && !Application.Credentials.Legacy.ImportedPasswordHash.TryParse(hashed, out _, out var error))
                {
                    // The reason, never the hash.
                    plan.Fail($"{path}.user.hashedPassword.value", ImportCodes.UnsupportedHash, $"the password hash is not a format Koder ID verifies ({error})");
                    continue;
                }

                hash = hashed;
            }

            if (human.HasPlainPassword)
            {
                plan.Skip("passwords", $"{path}.user.password", "a clear-text initial password is not imported: the user sets a password", userId);
            }

            var identities = new List<ExternalIdentity>();
            foreach (var idp in human.Idps)
            {
                identities.Add(new ExternalIdentity(idp.IdpId, idp.ExternalUserId, idp.DisplayName));
            }

            if (human.UserId is not null && links.TryGetValue(human.UserId, out var userLinks))
            {
                identities.AddRange(userLinks.Select(l => new ExternalIdentity(l.IdpId, l.ProvidedUserId, l.ProvidedUserName)));
                links.Remove(human.UserId);
            }

            identities = [.. identities.DistinctBy(x => (x.IdpId, x.ExternalUserId))];
            var (disabled, reason) = human.State switch
            {
                "USER_STATE_INACTIVE" => (true, "inactive in Zitadel"),
                "USER_STATE_LOCKED" => (true, "locked in Zitadel"),
                "USER_STATE_SUSPEND" => (true, "suspended in Zitadel"),
                _ => (false, (string?)null),
            };

            List<KeyValuePair<string, byte[]?>>? entries = null;
            if (human.UserId is not null && metadata.Remove(human.UserId, out var userMetadata))
            {
                entries = Metadata(plan, userMetadata, userId);
                if (entries is null)
                {
                    continue;
                }
            }

            var command = new ImportUser(plan.TenantId!, userId, username, email, email is not null && human.IsEmailVerified, profile, hash,
                human.PasswordChangeRequired, disabled, reason, identities, entries);
            try
            {
                // Every decision of the command on a fresh state: whatever it would refuse is found before any write.
                ValidateUser(command);
            }
            catch (DomainException ex)
            {
                plan.Fail(path, ImportCodes.InvalidValue, $"{ex.Code}: {ex.Message}");
                continue;
            }

            if (human.OtpCode is not null && !totp)
            {
                plan.Skip("totp", $"{path}.user.otpCode", "totp not available", userId);
            }

            plan.Users.Add(new UserPlan(human, command, totp ? human.OtpCode : null));
        }

        foreach (var (_, orphans) in metadata)
        {
            foreach (var entry in orphans)
            {
                plan.Skip("user-metadata", entry.Path, "the user is not imported: deleted in Zitadel, or not a human user of this org (machine users become clients, which hold no metadata)", entry.UserId);
            }
        }

        foreach (var (_, orphans) in links)
        {
            foreach (var link in orphans)
            {
                plan.Skip("external-identities", link.Path, "the user is not a human user of this org", link.UserId);
            }
        }

        return ids;
    }

    /// <summary>
    /// A user's metadata entries, or null when one is malformed (the org fails: a value that is not base64). What is
    /// well-formed for Zitadel but outside Koder ID's limits (a key with '/', a value over 16 KiB, more than 200 entries)
    /// is skipped with its reason, and the user is imported without it.
    /// </summary>
    private static List<KeyValuePair<string, byte[]?>>? Metadata(OrgPlan plan, List<ZitadelUserMetadata> entries, string userId)
    {
        var kept = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.Value is null)
            {
                plan.Skip("user-metadata", $"{entry.Path}.value", "an empty value (Zitadel requires at least one byte)", userId);
                continue;
            }

            if (!MetadataValues.TryDecode(entry.Value, out var bytes))
            {
                plan.Fail($"{entry.Path}.value", ImportCodes.InvalidValue, "the value is not base64 (protobuf JSON bytes)");
                return null;
            }

            if (!User.IsValidMetadataKey(entry.Key))
            {
                plan.Skip("user-metadata", $"{entry.Path}.key", $"a Koder ID metadata key is 1 to {User.MaxMetadataKeyLength} characters without '/' or control characters and no space at either end", userId);
                continue;
            }

            if (bytes.Length > User.MaxMetadataValueBytes)
            {
                plan.Skip("user-metadata", $"{entry.Path}.value", $"the value is {bytes.Length} bytes; Koder ID keeps at most {User.MaxMetadataValueBytes}", userId);
                continue;
            }

            if (!kept.ContainsKey(entry.Key) && kept.Count == User.MaxMetadataEntries)
            {
                plan.Skip("user-metadata", entry.Path, $"the user has more than {User.MaxMetadataEntries} metadata entries", userId);
                continue;
            }

            kept[entry.Key] = bytes;
        }

        return [.. kept];
    }

    private static UserProfile Profile(OrgPlan plan, ZitadelHumanUser human, string userId)
    {
        var path = $"{human.Path}.user";
        string? Keep(string? value, string field, Func<string?, UserProfile> probe)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            try
            {
                User.Create(UserState.Initial, "probe", "probe", null, false, probe(value));
                return value;
            }
            catch (DomainException ex)
            {
                plan.Skip("profile", $"{path}.{field}", $"{ex.Code}: {ex.Message} The user is imported without it.", userId);
                return null;
            }
        }

        var display = string.IsNullOrWhiteSpace(human.DisplayName) ? human.NickName : human.DisplayName;
        return new UserProfile(
            Keep(human.FirstName, "profile.firstName", v => new UserProfile(GivenName: v)),
            Keep(human.LastName, "profile.lastName", v => new UserProfile(FamilyName: v)),
            Keep(display, "profile.displayName", v => new UserProfile(DisplayName: v)),
            Keep(human.Phone, "phone.phone", v => new UserProfile(Phone: v)),
            Keep(human.PreferredLanguage is "und" ? null : human.PreferredLanguage, "profile.preferredLanguage", v => new UserProfile(PreferredLanguage: v)));
    }

    private static void ValidateUser(ImportUser command)
    {
        var state = UserState.Initial;
        void Apply(IReadOnlyList<object> events) => state = events.Aggregate(state, User.Evolve);
        Apply(User.Create(state, command.UserId, command.Username, command.Email, command.EmailVerified, command.Profile));
        if (command.PasswordHash is not null)
        {
            Apply(User.ImportPassword(state, command.PasswordHash, command.PasswordChangeRequired));
        }

        foreach (var identity in command.ExternalIdentities ?? [])
        {
            Apply(User.LinkExternalIdentity(state, identity.IdpId, identity.ExternalUserId, identity.DisplayName));
        }

        if (command.Disabled)
        {
            Apply(User.Disable(state, command.DisabledReason));
        }
    }

    /// <summary>On a re-run into an existing tenant, a username or address held by a user this import did not make is an error before any write.</summary>
    private async Task CheckClaimsAsync(OrgPlan plan, CancellationToken ct)
    {
        if (!plan.TenantExists)
        {
            return;
        }

        foreach (var user in plan.Users)
        {
            var command = user.Command;
            var stream = StreamNames.User(command.TenantId, command.UserId);
            var owner = await store.GetClaimOwnerAsync(command.TenantId, User.UsernameScope, User.UsernameKey(command.Username), ct).ConfigureAwait(false);
            if (owner is not null && owner != stream)
            {
                plan.Fail($"{user.Source.Path}.user.userName", ImportCodes.Duplicate, "the username belongs to another user of the tenant");
            }

            if (command.Email is { } email)
            {
                owner = await store.GetClaimOwnerAsync(command.TenantId, User.EmailScope, User.EmailKey(email), ct).ConfigureAwait(false);
                if (owner is not null && owner != stream)
                {
                    plan.Fail($"{user.Source.Path}.user.email.email", ImportCodes.Duplicate, "the address belongs to another user of the tenant");
                }
            }
        }
    }

    private static Dictionary<(string Project, string Key), string> PlanRoles(OrgPlan plan)
    {
        var org = plan.Org;
        var projects = org.Projects.ToDictionary(p => p.ProjectId, p => p.Name, StringComparer.Ordinal);
        var keyCounts = org.ProjectRoles.GroupBy(r => r.RoleKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(r => r.ProjectId).Distinct().Count(), StringComparer.Ordinal);
        var roles = new Dictionary<(string, string), string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in org.ProjectRoles)
        {
            if (roles.ContainsKey((role.ProjectId, role.RoleKey)))
            {
                plan.Fail($"{role.Path}.roleKey", ImportCodes.Duplicate, "the project has this role key twice");
                continue;
            }

            // A role key is unique in its project; Koder ID's role names are unique in the tenant.
            var name = keyCounts[role.RoleKey] > 1 ? $"{projects.GetValueOrDefault(role.ProjectId, role.ProjectId)}:{role.RoleKey}" : role.RoleKey;
            var normalized = Names.Normalize(name);
            if (normalized is null || !names.Add(Names.Key(normalized)))
            {
                plan.Skip("roles", role.Path, normalized is null ? "the role key is not a valid role name" : "another role of the org has the same name", role.RoleKey);
                continue;
            }

            var roleId = ImportIds.Role(org.OrgId, role.ProjectId, role.RoleKey);
            roles[(role.ProjectId, role.RoleKey)] = roleId;
            plan.Roles.Add(new RolePlan(role.Path, $"{role.ProjectId}/{role.RoleKey}", roleId, normalized));
        }

        return roles;
    }

    /// <summary>
    /// Each machine key as a public JWK of its machine user's client (ADR 0007). A key that is not base64 of a PEM
    /// public key, or names no machine user of the org, fails the org; a key Koder ID cannot verify with (algorithm,
    /// curve, size) or one expired already is skipped with the reason; past the JWK set's limit the keys that expire
    /// last are kept.
    /// </summary>
    private static Dictionary<string, List<MachineKeyPlan>> PlanMachineKeys(OrgPlan plan, DateTimeOffset now)
    {
        var org = plan.Org;
        var machines = org.MachineUsers.Select(m => m.UserId).ToHashSet(StringComparer.Ordinal);
        var keyIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var keys = new Dictionary<string, List<MachineKeyPlan>>(StringComparer.Ordinal);
        foreach (var key in org.MachineKeys)
        {
            if (!keyIds.TryAdd(key.KeyId, key.Path))
            {
                plan.Fail(key.KeyIdPath, ImportCodes.Duplicate, $"the key id is also {keyIds[key.KeyId]}'s");
                continue;
            }

            if (!machines.Contains(key.UserId))
            {
                plan.Fail(key.UserIdPath, ImportCodes.UnknownUser, "is not the id of a machine user of this org");
                continue;
            }

            var converted = MachineKeyJwk.Convert(key.PublicKey, key.KeyId, key.ExpirationDate);
            if (converted.Error is { } error)
            {
                plan.Fail(key.PublicKeyPath, ImportCodes.InvalidKey, error);
                continue;
            }

            if (converted.Unusable is { } why)
            {
                plan.Skip("machine-keys", key.Path, why, key.KeyId);
                continue;
            }

            if (key.ExpirationDate is { } expires && expires <= now)
            {
                plan.Skip("machine-keys", key.Path, $"expired at {expires.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}", key.KeyId);
                continue;
            }

            if (!keys.TryGetValue(key.UserId, out var list))
            {
                keys[key.UserId] = list = [];
            }

            list.Add(new MachineKeyPlan(key, converted.Jwk!));
        }

        foreach (var (userId, list) in keys)
        {
            if (list.Count <= ClientRules.MaxJwksKeys)
            {
                continue;
            }

            var kept = list.OrderByDescending(k => k.Source.ExpirationDate ?? DateTimeOffset.MaxValue).Take(ClientRules.MaxJwksKeys).ToHashSet();
            foreach (var dropped in list.Where(k => !kept.Contains(k)))
            {
                plan.Skip("machine-keys", dropped.Source.Path, $"the machine user has more than {ClientRules.MaxJwksKeys} usable keys: the {ClientRules.MaxJwksKeys} that expire last are imported", dropped.Source.KeyId);
            }

            list.RemoveAll(k => !kept.Contains(k));
        }

        return keys;
    }

    private static void PlanClients(OrgPlan plan, Dictionary<string, List<MachineKeyPlan>> machineKeys)
    {
        var org = plan.Org;
        foreach (var app in org.OidcApps)
        {
            var grants = new List<string>();
            foreach (var grant in app.GrantTypes.DefaultIfEmpty("OIDC_GRANT_TYPE_AUTHORIZATION_CODE"))
            {
                switch (grant)
                {
                    case "OIDC_GRANT_TYPE_AUTHORIZATION_CODE":
                        grants.Add(ClientGrantTypes.AuthorizationCode);
                        break;
                    case "OIDC_GRANT_TYPE_REFRESH_TOKEN":
                        grants.Add(ClientGrantTypes.RefreshToken);
                        break;
                    default:
                        plan.Skip("client-settings", $"{app.Path}.app.grantTypes", $"{grant} is not supported (OAuth 2.1): the client is imported without it", app.AppId);
                        break;
                }
            }

            if (!grants.Contains(ClientGrantTypes.AuthorizationCode))
            {
                plan.Skip("clients", app.Path, "no grant type left that Koder ID supports (authorization code)", app.AppId);
                continue;
            }

            var method = AuthMethod(plan, app.Path, app.AppId, app.AuthMethodType);
            var isPublic = method == ClientAuthMethods.None;
            var draft = new ClientDraft(
                Name: app.Name,
                ClientType: isPublic ? ClientTypes.Public : ClientTypes.Confidential,
                RedirectUris: app.RedirectUris,
                PostLogoutRedirectUris: app.PostLogoutRedirectUris,
                GrantTypes: grants.Distinct().ToArray(),
                ResponseTypes: ["code"],
                TokenEndpointAuthMethod: method,

                // Zitadel does not require PKCE of confidential web apps: requiring it would break them on the first login.
                RequirePkce: isPublic ? true : false,

                // Zitadel shows no consent screen for an org's own apps: they keep signing in without one.
                FirstParty: true);
            AddClient(plan, app.Path, "oidc-app", app.AppId, ImportIds.Client("app", org.OrgId, app.AppId), draft);
        }

        foreach (var app in org.ApiApps)
        {
            var method = app.AuthMethodType == "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"
                ? AuthMethod(plan, app.Path, app.AppId, "OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT")
                : ClientAuthMethods.ClientSecretBasic;
            var draft = new ClientDraft(Name: app.Name, ClientType: ClientTypes.Confidential, GrantTypes: [ClientGrantTypes.ClientCredentials], ResponseTypes: [],
                TokenEndpointAuthMethod: method, RequirePkce: false);
            AddClient(plan, app.Path, "api-app", app.AppId, ImportIds.Client("app", org.OrgId, app.AppId), draft);
        }

        foreach (var machine in org.MachineUsers)
        {
            // A client authenticates with one method (ClientAuthenticator): with keys it is private_key_jwt and has no
            // secret, as in Zitadel the machine signed a JWT with its key; without keys it gets a secret (the export has none).
            var keys = machineKeys.GetValueOrDefault(machine.UserId) ?? [];
            var jwks = keys.Count == 0 ? null : new JsonObject { ["keys"] = new JsonArray([.. keys.Select(k => k.Jwk.DeepClone())]) }.ToJsonString();
            var draft = new ClientDraft(Name: string.IsNullOrWhiteSpace(machine.Name) ? machine.UserName : machine.Name, ClientType: ClientTypes.Confidential,
                GrantTypes: [ClientGrantTypes.ClientCredentials], ResponseTypes: [],
                TokenEndpointAuthMethod: jwks is null ? ClientAuthMethods.ClientSecretBasic : ClientAuthMethods.PrivateKeyJwt, Jwks: jwks, RequirePkce: false);
            if (!AddClient(plan, machine.Path, "machine-user", machine.UserId, ImportIds.Client("machine", org.OrgId, machine.UserId), draft, keys.Count))
            {
                foreach (var key in keys)
                {
                    plan.Skip("machine-keys", key.Source.Path, "the machine user's client is not imported", key.Source.KeyId);
                }
            }
        }
    }

    private static string AuthMethod(OrgPlan plan, string path, string appId, string zitadel)
    {
        switch (zitadel)
        {
            case "OIDC_AUTH_METHOD_TYPE_POST":
                return ClientAuthMethods.ClientSecretPost;
            case "OIDC_AUTH_METHOD_TYPE_NONE":
                return ClientAuthMethods.None;
            case "OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT":
                plan.Skip("client-settings", $"{path}.app.authMethodType", "private_key_jwt needs the app's public keys, which the export does not hold: the client gets a secret (client_secret_basic) instead", appId);
                return ClientAuthMethods.ClientSecretBasic;
            default:
                return ClientAuthMethods.ClientSecretBasic;
        }
    }

    private static bool AddClient(OrgPlan plan, string path, string source, string zitadelId, string clientId, ClientDraft draft, int keys = 0)
    {
        try
        {
            ClientRules.Normalize(draft, ClientRegistrations.Admin);
            plan.Clients.Add(new ClientPlan(path, source, zitadelId, clientId, draft, keys));
            return true;
        }
        catch (DomainException ex)
        {
            plan.Skip("clients", path, $"{ex.Code}: {ex.Message}", zitadelId);
            return false;
        }
    }

    private static void PlanAssignments(OrgPlan plan, Dictionary<string, string> users, Dictionary<(string Project, string Key), string> roles)
    {
        var org = plan.Org;
        var imported = plan.Users.Select(u => u.Command.UserId).ToHashSet(StringComparer.Ordinal);
        foreach (var grant in org.UserGrants)
        {
            if (!users.TryGetValue(grant.UserId, out var userId) || !imported.Contains(userId))
            {
                plan.Skip("role-assignments", grant.Path, "the user is not a human user imported from this org", grant.UserId);
                continue;
            }

            foreach (var key in grant.RoleKeys)
            {
                if (!roles.TryGetValue((grant.ProjectId, key), out var roleId))
                {
                    plan.Skip("role-assignments", $"{grant.Path}.roleKeys", $"the project has no role '{key}' in this export", grant.UserId);
                    continue;
                }

                Assign(plan, roleId, userId);
            }
        }

        foreach (var member in org.OrgMembers)
        {
            if (!users.TryGetValue(member.UserId, out var userId) || !imported.Contains(userId))
            {
                plan.Skip("tenant-admins", member.Path, "the member is not a human user imported from this org", member.UserId);
                continue;
            }

            if (!member.Roles.Any(r => r is "ORG_OWNER" or "ORG_ADMIN"))
            {
                plan.Skip("tenant-admins", $"{member.Path}.roles", $"only {MemberAdminRoles} map to tenant administrators", member.UserId);
                continue;
            }

            Assign(plan, ImportIds.TenantAdminRoleId, userId);
        }

        if (plan.Assignments.ContainsKey(ImportIds.TenantAdminRoleId))
        {
            plan.Roles.Add(new RolePlan($"{org.Path}.orgMembers", "org-members", ImportIds.TenantAdminRoleId, ImportIds.TenantAdminRoleName));
        }
    }

    private static void Assign(OrgPlan plan, string roleId, string userId)
    {
        if (!plan.Assignments.TryGetValue(roleId, out var users))
        {
            plan.Assignments[roleId] = users = [];
        }

        if (!users.Contains(userId))
        {
            users.Add(userId);
        }
    }

    // ---------------------------------------------------------------- dry run

    private async Task CountDryRunAsync(OrgPlan plan, ImportSender sender, ImportReport report, CancellationToken ct)
    {
        var tenantId = plan.TenantId!;
        Count(report, "tenants", plan.TenantExists);
        if (!plan.TenantExists)
        {
            report.Created("domains", plan.Domains.Count);
            if (plan.Settings is not null)
            {
                report.Created("tenant-settings");
            }
        }

        foreach (var user in plan.Users)
        {
            var exists = plan.TenantExists && await store.GetStreamVersionAsync(tenantId, StreamNames.User(tenantId, user.Command.UserId), ct).ConfigureAwait(false) > 0;
            Count(report, "users", exists);
            if (!exists)
            {
                CountUserParts(report, user);
            }
        }

        foreach (var role in plan.Roles)
        {
            Count(report, "roles", plan.TenantExists && await store.GetStreamVersionAsync(tenantId, StreamNames.Role(tenantId, role.RoleId), ct).ConfigureAwait(false) > 0);
        }

        foreach (var client in plan.Clients)
        {
            var exists = plan.TenantExists && await store.GetStreamVersionAsync(tenantId, StreamNames.Client(tenantId, client.ClientId), ct).ConfigureAwait(false) > 0;
            Count(report, "clients", exists);
            CountKeys(report, client, exists);
            report.Client(Generated(tenantId, client, client.ClientId, null));
        }

        // Assignments are counted as planned: whether a user holds a role already is the role's stream to say.
        foreach (var (roleId, users) in plan.Assignments)
        {
            report.Created(roleId == ImportIds.TenantAdminRoleId ? "tenant-admins" : "role-assignments", users.Count);
        }

        _ = sender;
    }

    private static string Origin(UserPlan user) => ImportIds.Origin("user", user.Source.UserId ?? user.Command.UserId);

    private static void Count(ImportReport report, string kind, bool existing)
    {
        if (existing)
        {
            report.Existing(kind);
        }
        else
        {
            report.Created(kind);
        }
    }

    private static void CountKeys(ImportReport report, ClientPlan client, bool existing)
    {
        if (client.Keys == 0)
        {
            return;
        }

        if (existing)
        {
            report.Existing("machine-keys", client.Keys);
        }
        else
        {
            report.Created("machine-keys", client.Keys);
        }
    }

    private static GeneratedClient Generated(string tenantId, ClientPlan client, string clientId, string? secret) =>
        new(tenantId, client.Source, client.ZitadelId, client.Draft.Name!, clientId, secret, client.Draft.TokenEndpointAuthMethod);

    private static void CountUserParts(ImportReport report, UserPlan user)
    {
        if (user.Command.PasswordHash is not null)
        {
            report.Created("passwords");
        }

        if (user.Command.ExternalIdentities is { Count: > 0 } identities)
        {
            report.Created("external-identities", identities.Count);
        }

        if (user.Command.Metadata is { Count: > 0 } metadata)
        {
            report.Created("user-metadata", metadata.Count);
        }

        if (user.OtpCode is not null)
        {
            report.Created("totp");
        }
    }

    // ---------------------------------------------------------------- execution

    private async Task ExecuteAsync(OrgPlan plan, ImportSender sender, ImportReport report, ZitadelImportOptions options, int orgIndex, int orgCount, CancellationToken ct)
    {
        var org = plan.Org;
        var tenantId = plan.TenantId!;
        var orgOrigin = ImportIds.Origin("org", org.OrgId);

        async Task<bool> Step(string path, Func<Task> write)
        {
            try
            {
                await write().ConfigureAwait(false);
                return true;
            }
            catch (DomainException ex)
            {
                report.Fail(path, ImportCodes.WriteFailed, $"{ex.Code}: {ex.Message}");
                return false;
            }
        }

        if (plan.TenantExists)
        {
            report.Existing("tenants");
        }
        else
        {
            if (!await Step(org.Path, async () => await sender.SendAsync(new CreateTenant(tenantId, org.Name), orgOrigin, ct).ConfigureAwait(false)).ConfigureAwait(false))
            {
                return;
            }

            report.Created("tenants");
            foreach (var domain in plan.Domains)
            {
                if (await Step(domain.Path, async () => await sender.SendAsync(new AddTenantDomain(tenantId, domain.Domain, domain.Primary), orgOrigin, ct).ConfigureAwait(false)).ConfigureAwait(false))
                {
                    report.Created("domains");
                }
            }

            if (plan.Settings is { } settings &&
                await Step(org.Path, async () => await sender.SendAsync(new ChangeTenantSettings(tenantId, settings), orgOrigin, ct).ConfigureAwait(false)).ConfigureAwait(false))
            {
                report.Created("tenant-settings");
            }
        }

        foreach (var role in plan.Roles)
        {
            await Step(role.Path, async () =>
            {
                try
                {
                    await sender.SendAsync(new CreateRole(tenantId, role.Name, role.RoleId), ImportIds.Origin("project-role", role.ZitadelId), ct).ConfigureAwait(false);
                    report.Created("roles");
                }
                catch (DomainException ex) when (ex.Code == DomainErrors.RoleIdTaken)
                {
                    report.Existing("roles");
                }
            }).ConfigureAwait(false);
        }

        long done = 0;
        var total = plan.Users.Count;
        options.Progress?.Report(new ImportProgress(orgIndex, orgCount, "users", 0, total));
        var live = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var totp = plan.Users.Any(u => u.OtpCode is not null) ? sender.Optional<ITotpSeedImport>() : null;
        async Task EnrolTotpAsync(UserPlan user, CancellationToken token)
        {
            if (user.OtpCode is not { } seed || totp is null)
            {
                return;
            }

            await Step($"{user.Source.Path}.user.otpCode", async () =>
            {
                var enrolled = await sender.WithServiceAsync<ITotpSeedImport, bool>(Origin(user),
                    s => s.ImportAsync(tenantId, user.Command.UserId, seed, token)).ConfigureAwait(false);
                if (enrolled)
                {
                    report.Created("totp");
                }
                else
                {
                    report.Existing("totp");
                }
            }).ConfigureAwait(false);
        }

        void Done(int count)
        {
            var now = Interlocked.Add(ref done, count);
            if (now / 1000 != (now - count) / 1000 || now == total)
            {
                options.Progress?.Report(new ImportProgress(orgIndex, orgCount, "users", now, total));
            }
        }

        async Task ImportOneAsync(UserPlan user, CancellationToken token)
        {
            var ok = await Step(user.Source.Path, async () =>
            {
                var result = await sender.SendAsync(user.Command, Origin(user), token).ConfigureAwait(false);
                if (result.Created)
                {
                    report.Created("users");
                    CountUserParts(report, user with { OtpCode = null });
                }
                else
                {
                    report.Existing("users");
                }
            }).ConfigureAwait(false);
            if (ok)
            {
                live[user.Command.UserId] = true;
                await EnrolTotpAsync(user, token).ConfigureAwait(false);
            }
        }

        // A new tenant on a store that appends several streams at once: batches of users in one transaction each
        // (ADR 0007); a batch the store refuses (a user that exists, a taken value) goes one by one instead.
        if (!plan.TenantExists && store.SupportsMultiStreamAppend)
        {
            var batches = plan.Users.Chunk(BulkBatchSize).ToArray();
            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = BulkConcurrency, CancellationToken = ct }, async (batch, token) =>
            {
                try
                {
                    await sender.SendAsync(new ImportUsers(tenantId, [.. batch.Select(u => u.Command)], [.. batch.Select(Origin)]), orgOrigin, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WrongExpectedVersionException or UniqueClaimViolationException or DomainException)
                {
                    foreach (var user in batch)
                    {
                        await ImportOneAsync(user, token).ConfigureAwait(false);
                    }

                    Done(batch.Length);
                    return;
                }

                report.Created("users", batch.Length);
                foreach (var user in batch)
                {
                    CountUserParts(report, user with { OtpCode = null });
                    live[user.Command.UserId] = true;
                    await EnrolTotpAsync(user, token).ConfigureAwait(false);
                }

                Done(batch.Length);
            }).ConfigureAwait(false);
        }
        else
        {
            await Parallel.ForEachAsync(plan.Users, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Concurrency), CancellationToken = ct }, async (user, token) =>
            {
                await ImportOneAsync(user, token).ConfigureAwait(false);
                Done(1);
            }).ConfigureAwait(false);
        }

        foreach (var client in plan.Clients)
        {
            await Step(client.Path, async () =>
            {
                try
                {
                    var registered = await sender.SendAsync(new RegisterClient(tenantId, client.Draft, ClientRegistrations.Admin, client.ClientId),
                        ImportIds.Origin(client.Source, client.ZitadelId), ct).ConfigureAwait(false);
                    report.Created("clients");
                    CountKeys(report, client, existing: false);
                    report.Client(Generated(tenantId, client, registered.ClientId, registered.ClientSecret));
                }
                catch (DomainException ex) when (ex.Code == DomainErrors.ClientIdTaken)
                {
                    // A re-run leaves the client as it is (an administrator may have rotated its keys or secret since).
                    report.Existing("clients");
                    CountKeys(report, client, existing: true);
                    report.Client(Generated(tenantId, client, client.ClientId, null));
                }
            }).ConfigureAwait(false);
        }

        options.Progress?.Report(new ImportProgress(orgIndex, orgCount, "role assignments", 0, plan.Assignments.Count));
        foreach (var (roleId, users) in plan.Assignments)
        {
            var kind = roleId == ImportIds.TenantAdminRoleId ? "tenant-admins" : "role-assignments";
            var origin = roleId == ImportIds.TenantAdminRoleId ? ImportIds.Origin("org-members", org.OrgId) : ImportIds.Origin("user-grants", org.OrgId);
            foreach (var batch in users.Where(live.ContainsKey).Chunk(AssignRoleToUsers.MaxUsers))
            {
                await Step($"{org.Path}.userGrants", async () =>
                {
                    var result = await sender.SendAsync(new AssignRoleToUsers(tenantId, roleId, batch), origin, ct).ConfigureAwait(false);
                    report.Created(kind, result.Assigned);
                    report.Existing(kind, batch.Length - result.Assigned);
                }).ConfigureAwait(false);
            }
        }
    }
}
