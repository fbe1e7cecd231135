using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Common;
using KoderId.Application.Credentials.Commands;
using KoderId.Application.Mfa;
using KoderId.Events.Clients;
using KoderId.Events.Credentials;
using KoderId.Events.Roles;
using KoderId.Events.Tenants;
using KoderId.Events.Users;
using KoderId.Migration.Zitadel.Import;
using KoderId.Migration.Zitadel.Parsing;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Migration.Zitadel.Tests;

public sealed class ZitadelImportTests
{
    [Fact]
    public async Task a_realistic_export_of_two_orgs_becomes_two_tenants_with_their_users_roles_and_clients()
    {
        await using var host = new ImportHost();
        var report = await host.ImportAsync(Exports.Export(Exports.Acme(), Exports.Globex()));

        Assert.True(report.Succeeded, string.Join("; ", report.Errors.Select(e => $"{e.Path} {e.Reason}")));
        Assert.Equal(["imported", "imported"], report.Orgs.Select(o => o.Status));
        Assert.Equal(["acme-corp", "globex"], report.Orgs.Select(o => o.TenantId));
        Assert.Equal(2, report.Counts["tenants"].Created);
        Assert.Equal(Exports.HashedUsers.Length + 2 + 2, report.Counts["users"].Created);
        Assert.Equal(Exports.HashedUsers.Length + 2, report.Counts["passwords"].Created);
        Assert.Equal(4, report.Counts["roles"].Created); // portal.admin, portal.viewer, tenant-admin, villain
        Assert.Equal(1, report.Counts["tenant-admins"].Created);
        Assert.Equal(4, report.Counts["role-assignments"].Created);
        Assert.Equal(4, report.Counts["clients"].Created);
        Assert.Equal(1, report.Counts["external-identities"].Created);
        Assert.Equal(1, report.Counts["domains"].Created);

        // The tenant, its settings from the lockout and complexity policies.
        var tenant = await host.ReadStreamAsync("acme-corp", "tenant-acme-corp");
        var settings = tenant.Select(e => e.Event).OfType<TenantSettingsChanged>().Single().Settings;
        Assert.Equal(7, settings.Lockout.MaxFailedAttempts);
        Assert.Equal(10, settings.Password.MinLength);
        Assert.Equal("zitadel:org:100000000000000001", tenant[0].Stored.Metadata.CausationId);
        Assert.Contains(tenant, e => e.Event is TenantDomainAdded { Domain: "acme-corp.zitadel.cloud", Primary: true });

        // A user: profile, email verified, phone in E.164, the hash as it was, its origin in the log.
        var user = await host.ReadStreamAsync("acme-corp", "user-acme-corp-200000000000000000");
        var created = Assert.IsType<UserCreated>(user[0].Event);
        Assert.Equal(("bcrypt-2a", "bcrypt-2a@acme.example", true, "+41446681800", "Display bcrypt-2a"),
            (created.Username, created.Email, created.EmailVerified, created.Phone, created.DisplayName));
        var password = Assert.IsType<UserPasswordSet>(user[1].Event);
        Assert.Equal((Exports.HashedUsers[0].Hash, PasswordSetReasons.Import), (password.PasswordHash, password.Reason));
        Assert.All(user, e => Assert.Equal("zitadel:user:200000000000000000", e.Stored.Metadata.CausationId));
        Assert.All(user, e => Assert.Equal("system-admin", e.Stored.Metadata.Actor));

        // Inactive in Zitadel: disabled here. Deleted: skipped with its reason.
        var inactive = await host.ReadStreamAsync("acme-corp", "user-acme-corp-200000000000000090");
        Assert.Contains(inactive, e => e.Event is UserDisabled { Reason: "inactive in Zitadel" });
        Assert.Contains(report.Skipped, s => s is { Kind: "users", Reason: "deleted in Zitadel", Path: "$.orgs[0].humanUsers[15]" });

        // IdP link kept as an external identity.
        var linkedUser = await host.ReadStreamAsync("acme-corp", "user-acme-corp-200000000000000002");
        Assert.Contains(linkedUser, e => e.Event is UserExternalIdentityLinked { IdpId: "600000000000000001", ExternalUserId: "108842156742893423012" });

        // Metadata: the bytes as they were, set with the user in its one append.
        Assert.Equal(3, report.Counts["user-metadata"].Created);
        Assert.Contains(user, e => e.Event is UserMetadataSet { Key: "department", Value: "c2FsZXM=" });
        Assert.Contains(user, e => e.Event is UserMetadataSet { Key: "cost center", Value: "/+8=" });
        Assert.Contains(linkedUser, e => e.Event is UserMetadataSet { Key: "employee-id", Value: "RS00NzEx" });
        Assert.Contains(report.Skipped, s => s.Kind == "user-metadata" && s.Path == "$.orgs[0].userMetadata[3].key");
        Assert.Contains(report.Skipped, s => s.Kind == "user-metadata" && s.Path == "$.orgs[0].userMetadata[4]" && s.Id == "300000000000000001");

        // Project grants, other policies, an invalid domain, implicit grant: skipped, each with a reason.
        Assert.Contains(report.Skipped, s => s.Kind == "not-mapped" && s.Path == "$.orgs[0].projectGrants[0]");
        Assert.Contains(report.Skipped, s => s.Kind == "policies" && s.Path == "$.orgs[0].loginPolicy");
        Assert.Contains(report.Skipped, s => s.Kind == "domains" && s.Path == "$.orgs[0].domains[1]");
        Assert.Contains(report.Skipped, s => s.Kind == "client-settings" && s.Reason.Contains("OIDC_GRANT_TYPE_IMPLICIT", StringComparison.Ordinal));
        Assert.Contains(report.Skipped, s => s.Kind == "role-assignments" && s.Id == "999999999999999999");
        Assert.Contains(report.Skipped, s => s.Kind == "tenant-admins" && s.Id == "200000000000000001");

        // The MFA feature is composed: the exported seed is a confirmed TOTP of the imported user.
        Assert.Equal(1, report.Counts["totp"].Created);
        Assert.DoesNotContain(report.Skipped, s => s.Kind == "totp");
        var mfa = await host.ReadStreamAsync("acme-corp", "mfa-acme-corp-200000000000000092");
        Assert.Contains(mfa, e => e.Event is KoderId.Events.Mfa.TotpEnrolled { Source: "import" });
        Assert.All(report.Skipped, s => Assert.False(string.IsNullOrWhiteSpace(s.Reason)));
    }

    [Fact]
    public async Task apps_and_machine_users_become_clients_whose_new_credentials_are_reported_once()
    {
        await using var host = new ImportHost();
        var report = await host.ImportAsync(Exports.Export(Exports.Acme()));

        var web = report.Clients.Single(c => c.ZitadelId == "500000000000000001");
        Assert.NotNull(web.ClientSecret);
        var registered = (await host.ReadStreamAsync("acme-corp", $"client-acme-corp-{web.ClientId}")).Select(e => e.Event).OfType<ClientRegistered>().Single();
        Assert.Equal(["https://portal.acme.example/callback"], registered.RedirectUris);
        Assert.Equal(["https://portal.acme.example/"], registered.PostLogoutRedirectUris);
        Assert.Equal(["authorization_code", "refresh_token"], registered.GrantTypes);
        Assert.Equal(("confidential", "client_secret_basic"), (registered.ClientType, registered.TokenEndpointAuthMethod));
        Assert.Equal(Application.Clients.ClientSecrets.Hash(web.ClientSecret!), registered.SecretHash);

        var spa = report.Clients.Single(c => c.ZitadelId == "500000000000000002");
        Assert.Null(spa.ClientSecret);
        var machine = report.Clients.Single(c => c.Source == "machine-user");
        var bot = (await host.ReadStreamAsync("acme-corp", $"client-acme-corp-{machine.ClientId}")).Select(e => e.Event).OfType<ClientRegistered>().Single();
        Assert.Equal(["client_credentials"], bot.GrantTypes);

        var again = await host.ImportAsync(Exports.Export(Exports.Acme()));
        Assert.Equal(4, again.Counts["clients"].Existing);
        Assert.All(again.Clients, c => Assert.Null(c.ClientSecret));
        Assert.Equal(report.Clients.Select(c => c.ClientId).Order(), again.Clients.Select(c => c.ClientId).Order());
    }

    [Fact]
    public async Task user_grants_become_role_assignments_and_org_owners_tenant_admins()
    {
        await using var host = new ImportHost();
        await host.ImportAsync(Exports.Export(Exports.Acme(), Exports.Globex()));

        var roles = new List<object>();
        await foreach (var stored in host.Store.ReadAllAsync(0))
        {
            if (stored.TenantId == "acme-corp" && stored.StreamId.StartsWith("role-", StringComparison.Ordinal))
            {
                roles.Add((await host.Serializer.DeserializeAsync(stored)).Event);
            }
        }

        var created = roles.OfType<RoleCreated>().ToDictionary(r => r.RoleId, r => r.Name);
        Assert.Equal(["portal.admin", "portal.viewer", "tenant-admin"], created.Values.Order());
        var assigned = roles.OfType<RoleAssignedToUser>().Select(a => (created[a.RoleId], a.UserId)).Order().ToArray();
        Assert.Equal(
            [("portal.admin", "200000000000000000"), ("portal.viewer", "200000000000000000"), ("portal.viewer", "200000000000000001"), ("tenant-admin", "200000000000000000")],
            assigned);
    }

    [Fact]
    public async Task a_second_run_creates_nothing_twice()
    {
        await using var host = new ImportHost();
        var json = Exports.Export(Exports.Acme(), Exports.Globex());
        var first = await host.ImportAsync(json);
        var head = await host.HeadAsync();

        var second = await host.ImportAsync(json);

        Assert.True(second.Succeeded, string.Join("; ", second.Errors.Select(e => $"{e.Path} {e.Reason}")));
        Assert.Equal(head, await host.HeadAsync());
        Assert.Equal(first.Counts["users"].Created, second.Counts["users"].Existing);
        Assert.Equal(0, second.Counts["users"].Created);
        Assert.Equal(2, second.Counts["tenants"].Existing);
        Assert.Equal(["acme-corp", "globex"], second.Orgs.Select(o => o.TenantId));
    }

    [Fact]
    public async Task a_dry_run_writes_nothing_and_reports_what_the_import_would_create()
    {
        await using var host = new ImportHost();
        var json = Exports.Export(Exports.Acme(), Exports.Globex());

        var dry = await host.ImportAsync(json, dryRun: true);

        Assert.Equal(0, await host.HeadAsync());
        Assert.True(dry.DryRun);
        Assert.Equal(["would-import", "would-import"], dry.Orgs.Select(o => o.Status));
        var real = await host.ImportAsync(json);
        foreach (var kind in (string[])["tenants", "users", "passwords", "roles", "clients", "role-assignments", "tenant-admins", "domains"])
        {
            Assert.Equal((kind, real.Counts[kind].Created), (kind, dry.Counts[kind].Created));
        }

        Assert.Equal(real.Skipped.Count, dry.Skipped.Count);
        Assert.All(dry.Clients, c => Assert.Null(c.ClientSecret));
    }

    [Fact]
    public async Task an_imported_user_signs_in_with_its_old_password_and_is_rehashed_to_argon2id()
    {
        await using var host = new ImportHost();
        await host.ImportAsync(Exports.Export(Exports.Acme()));

        for (var i = 0; i < Exports.HashedUsers.Length; i++)
        {
            var (name, _, password) = Exports.HashedUsers[i];
            var userId = $"2000000000000000{i:D2}";
            Assert.False((await host.SendAsync(new VerifyPassword("acme-corp", userId, password + "!"))).Succeeded, name);

            var check = await host.SendAsync(new VerifyPassword("acme-corp", userId, password));

            Assert.True(check.Succeeded, name);
            Assert.True(check.Rehashed, name);
            var last = (await host.ReadStreamAsync("acme-corp", $"user-acme-corp-{userId}")).Select(e => e.Event).OfType<UserPasswordSet>().Last();
            Assert.Equal(PasswordSetReasons.Rehash, last.Reason);
            Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", last.PasswordHash, StringComparison.Ordinal);
            Assert.True((await host.SendAsync(new VerifyPassword("acme-corp", userId, password))) is { Succeeded: true, Rehashed: false }, name);
        }
    }

    [Fact]
    public async Task an_org_with_a_malformed_user_is_not_imported_at_all_and_the_error_names_the_json_path()
    {
        await using var host = new ImportHost();
        var broken = Exports.Globex();
        broken["orgId"] = "100000000000000003";
        broken["org"] = new JsonObject { ["name"] = "Initech" };
        var humans = new JsonArray();
        for (var i = 0; i < 6; i++)
        {
            humans.Add(Exports.Human($"22000000000000000{i}", $"peter{i}"));
        }

        ((JsonObject)humans[5]!["user"]!).Remove("userName");
        broken["humanUsers"] = humans;

        var report = await host.ImportAsync(Exports.Export(Exports.Acme(), Exports.Globex(), broken));

        var error = Assert.Single(report.Errors);
        Assert.Equal(("$.orgs[2].humanUsers[5].user.userName", ImportCodes.InvalidExport, "is required"), (error.Path, error.Code, error.Reason));
        Assert.Equal(["imported", "imported", "failed"], report.Orgs.Select(o => o.Status));
        await foreach (var stored in host.Store.ReadAllAsync(0))
        {
            Assert.DoesNotContain("initech", stored.TenantId, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("{\"orgs\": [{\"orgId\": 5, \"org\": {\"name\": \"X\"}}]}", "$.orgs[0].orgId", "must be a string")]
    [InlineData("{\"orgs\": [{\"orgId\": \"1\", \"org\": {\"name\": \"Xy\"}, \"humanUsers\": {}}]}", "$.orgs[0].humanUsers", "must be an array")]
    [InlineData("{\"orgs\": [{\"orgId\": \"1\", \"org\": {\"name\": \"Xy\"}, \"humanUsers\": [{\"user\": {\"userName\": \"a\"}, \"state\": \"SLEEPING\"}]}]}", "$.orgs[0].humanUsers[0].state", "must be one of")]
    [InlineData("{\"orgs\": [{\"orgId\": \"1\", \"org\": {\"name\": \"Xy\"}, \"lockoutPolicy\": {\"maxPasswordAttempts\": \"many\"}}]}", "$.orgs[0].lockoutPolicy.maxPasswordAttempts", "must be an integer")]
    [InlineData("{\"orgs\": [{\"orgId\": \"1\", \"org\": {}}]}", "$.orgs[0].org.name", "is required")]
    [InlineData("{\"orgs\": [{\"orgId\": \"1\", \"org\": {\"name\": \"Xy\"}, \"humanUsers\": [{\"user\": {\"userName\": \"has space\"}}]}]}", "$.orgs[0].humanUsers[0].user.userName", "KID1014")]
    [InlineData("{\"orgs\": [{\"orgId\": \"1\", \"org\": {\"name\": \"Xy\"}, \"humanUsers\": [{\"user\": {\"userName\": \"a\", \"hashedPassword\": {\"value\": \"$md5$plain\"}}}]}]}", "$.orgs[0].humanUsers[0].user.hashedPassword.value", "not a format")]
    [InlineData("{\"orgs\": [{\"orgId\": \"1\", \"org\": {\"name\": \"Xy\"}, \"humanUsers\": [{\"userId\": \"7\", \"user\": {\"userName\": \"a\"}}, {\"userId\": \"8\", \"user\": {\"userName\": \"A\"}}]}]}", "$.orgs[0].humanUsers[1].user.userName", "username is also")]
    [InlineData("{\"orgs\": [{\"orgId\": \"1\", \"org\": {\"name\": \"Xy\"}, \"humanUsers\": [{\"userId\": \"7\", \"user\": {\"userName\": \"a\"}}], \"userMetadata\": [{\"id\": \"7\", \"key\": \"k\", \"value\": \"not base64!\"}]}]}", "$.orgs[0].userMetadata[0].value", "not base64")]
    [InlineData("{\"orgs\": [{\"orgId\": \"1\", \"org\": {\"name\": \"Xy\"}, \"humanUsers\": [{\"userId\": \"7\", \"user\": {\"userName\": \"a\"}}], \"userMetadata\": [{\"id\": \"7\", \"value\": \"AQ==\"}]}]}", "$.orgs[0].userMetadata[0].key", "is required")]
    [InlineData("{\"orgs\": [{\"orgId\": \"1\", \"org\": {\"name\": \"Xy\"}, \"userMetadata\": [{\"key\": \"k\", \"value\": \"AQ==\"}]}]}", "$.orgs[0].userMetadata[0].id", "is required")]
    [InlineData("{\"orgs\": [{\"orgId\": \"1\", \"org\": {\"name\": \"Xy\"}, \"userMetadata\": [{\"id\": \"7\", \"key\": 5, \"value\": \"AQ==\"}]}]}", "$.orgs[0].userMetadata[0].key", "must be a string")]
    public async Task a_malformed_org_is_refused_with_the_path_of_its_first_error(string json, string path, string reason)
    {
        await using var host = new ImportHost();
        var report = await host.ImportAsync(json);

        var error = Assert.Single(report.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal(0, await host.HeadAsync());
        Assert.DoesNotContain("$md5$plain", JsonSerializer.Serialize(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task metadata_outside_koder_ids_limits_is_skipped_with_its_reason_and_the_user_is_imported_without_it()
    {
        await using var host = new ImportHost();
        var org = new JsonObject
        {
            ["orgId"] = "100000000000000007",
            ["org"] = new JsonObject { ["name"] = "Limits" },
            ["humanUsers"] = new JsonArray(Exports.Human("200000000000000777", "lim")),
            ["userMetadata"] = new JsonArray(
                new JsonObject { ["id"] = "200000000000000777", ["key"] = "big", ["value"] = Convert.ToBase64String(new byte[16 * 1024 + 1]) },
                new JsonObject { ["id"] = "200000000000000777", ["key"] = "empty" },
                new JsonObject { ["id"] = "200000000000000777", ["key"] = " padded", ["value"] = "AQ==" },
                new JsonObject { ["id"] = "200000000000000777", ["key"] = "kept", ["value"] = "AQ==" }),
        };

        var report = await host.ImportAsync(Exports.Export(org));

        Assert.True(report.Succeeded, string.Join("; ", report.Errors.Select(e => $"{e.Path} {e.Reason}")));
        Assert.Equal(1, report.Counts["user-metadata"].Created);
        Assert.Equal(3, report.Counts["user-metadata"].Skipped);
        Assert.Contains(report.Skipped, s => s.Path == "$.orgs[0].userMetadata[0].value" && s.Reason.Contains("16385 bytes", StringComparison.Ordinal));
        Assert.Contains(report.Skipped, s => s.Path == "$.orgs[0].userMetadata[1].value" && s.Reason.Contains("empty", StringComparison.Ordinal));
        Assert.Contains(report.Skipped, s => s.Path == "$.orgs[0].userMetadata[2].key");
        var user = await host.ReadStreamAsync("limits", "user-limits-200000000000000777");
        Assert.Equal("kept", Assert.Single(user.Select(e => e.Event).OfType<UserMetadataSet>()).Key);
    }

    [Theory]
    [InlineData("not json", "$", "is not valid JSON")]
    [InlineData("[]", "$", "must be an object")]
    [InlineData("{\"users\": []}", "$", "holds no \"orgs\" list")]
    [InlineData("{\"orgs\": {}}", "$.orgs", "must be an array")]
    [InlineData("{\"dataOrgs\": {\"orgs\": [{\"orgId\": \"1\", \"org\": {\"name\": \"Xy\"}}]", "$", "is not valid JSON")]
    public async Task a_document_that_is_not_an_export_is_refused_whole(string json, string path, string reason)
    {
        await using var host = new ImportHost();
        var ex = await Assert.ThrowsAsync<ZitadelFormatException>(() => host.ImportAsync(json));
        Assert.Equal(path, ex.JsonPath);
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_snake_case_spelling_imports_the_same_as_lower_camel_case()
    {
        await using var camel = new ImportHost();
        await using var snake = new ImportHost();
        var camelReport = await camel.ImportAsync(Exports.Export(Exports.Acme()));
        var snakeJson = new JsonObject { ["data_orgs"] = new JsonObject { ["orgs"] = new JsonArray(Exports.SnakeCase(Exports.Acme())) } }.ToJsonString();
        Assert.Contains("\"human_users\"", snakeJson, StringComparison.Ordinal);

        var snakeReport = await snake.ImportAsync(snakeJson);

        Assert.True(snakeReport.Succeeded, string.Join("; ", snakeReport.Errors.Select(e => $"{e.Path} {e.Reason}")));
        Assert.Equal(camelReport.Counts.ToDictionary(c => c.Key, c => (c.Value.Created, c.Value.Skipped)), snakeReport.Counts.ToDictionary(c => c.Key, c => (c.Value.Created, c.Value.Skipped)));
    }

    [Theory]
    [InlineData("zitadel-tools_auth0_referenceOutput.json", 5)]
    [InlineData("zitadel-tools_keycloak_referenceOutput.json", 1)]
    [InlineData("zitadel-tools_migration-auth0_import.json", 3)]
    public async Task the_zitadel_tools_samples_import(string fixture, int users)
    {
        await using var host = new ImportHost();
        var report = await host.ImportAsync(Exports.Fixture(fixture));

        Assert.True(report.Succeeded, string.Join("; ", report.Errors.Select(e => $"{e.Path} {e.Code} {e.Reason}")));
        Assert.Equal(users, report.Counts["users"].Created);
        Assert.Equal(1, report.Counts["tenants"].Created);
        var again = await host.ImportAsync(Exports.Fixture(fixture));
        Assert.Equal(users, again.Counts["users"].Existing);
    }

    [Fact]
    public async Task auth0_ids_that_are_not_koder_ids_get_stable_derived_ids_and_keep_the_original_as_origin()
    {
        await using var host = new ImportHost();
        await host.ImportAsync(Exports.Fixture("zitadel-tools_auth0_referenceOutput.json"));

        var found = false;
        await foreach (var stored in host.Store.ReadAllAsync(0))
        {
            if (stored.Metadata.CausationId == "zitadel:user:auth0|60425dc43519d90068f82973" && stored.EventType == "user.created.v1")
            {
                found = true;
                Assert.Matches("^user-zitadel-org-123-z[0-9a-f]{31}$", stored.StreamId);
            }
        }

        Assert.True(found);
    }

    [Fact]
    public async Task an_exported_totp_seed_is_enrolled_through_the_mfa_port_when_one_is_registered()
    {
        var seeds = new RecordingTotpImport();
        await using var host = new ImportHost(s => s.AddSingleton<ITotpSeedImport>(seeds));

        var report = await host.ImportAsync(Exports.Export(Exports.Acme()));

        Assert.Equal([("acme-corp", "200000000000000092", "JBSWY3DPEHPK3PXP")], seeds.Imported);
        Assert.Equal(1, report.Counts["totp"].Created);
        Assert.DoesNotContain(report.Skipped, s => s.Kind == "totp");
        Assert.DoesNotContain("JBSWY3DPEHPK3PXP", JsonSerializer.Serialize(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_report_never_holds_a_password_hash()
    {
        await using var host = new ImportHost();
        var report = await host.ImportAsync(Exports.Export(Exports.Acme()));

        var json = JsonSerializer.Serialize(report);
        foreach (var (_, hash, _) in Exports.HashedUsers)
        {
            Assert.DoesNotContain(hash, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task an_org_whose_tenant_ids_are_all_taken_by_other_tenants_fails_without_writing()
    {
        await using var host = new ImportHost();
        foreach (var id in Import.ImportIds.TenantCandidates("100000000000000002", "Globex"))
        {
            await host.SendAsync(new Application.Tenants.CreateTenant(id, "Someone else"));
        }

        var head = await host.HeadAsync();
        var report = await host.ImportAsync(Exports.Export(Exports.Globex()));

        Assert.Equal(ImportCodes.TenantTaken, Assert.Single(report.Errors).Code);
        Assert.Equal(head, await host.HeadAsync());
    }

    private sealed class RecordingTotpImport : ITotpSeedImport
    {
        public List<(string, string, string)> Imported { get; } = [];

        public ValueTask<bool> ImportAsync(string tenantId, string userId, string base32Secret, CancellationToken ct)
        {
            lock (Imported)
            {
                Imported.Add((tenantId, userId, base32Secret));
            }

            return ValueTask.FromResult(true);
        }
    }
}
