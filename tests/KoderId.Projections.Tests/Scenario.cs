using System.Globalization;
using System.Text.Json.Nodes;
using KoderId.Events.Credentials;
using KoderId.Events.ApiKeys;
using KoderId.Events.Grants;
using KoderId.Events.Clients;
using KoderId.Events.Groups;
using KoderId.Events.Keys;
using KoderId.Events.Passkeys;
using KoderId.Events.Roles;
using KoderId.Events.Sessions;
using KoderId.Events.Tenants;
using KoderId.Events.Users;
using KoderId.EventSourcing.Storage;

namespace KoderId.Projections.Tests;

/// <summary>
/// A deterministic, varied history across two tenants: tenants with domains, users created, updated (also
/// through the retired v1 profile event), re-addressed, given passwords, disabled and enabled, signed in and
/// out, deleted, and erased (event plus destroyed key), with the writes of both tenants interleaved.
/// </summary>
internal sealed class Scenario(ReadModelHarness h, int seed = 20250601)
{
    public static readonly string[] Tenants = ["acme", "globex"];

    private readonly Random _random = new(seed);
    private readonly List<UserState> _users = [];

    public long Events { get; private set; }
    public IReadOnlyList<(string TenantId, string UserId)> Erased => _users.Where(u => u.Status == "erased").Select(u => (u.TenantId, u.UserId)).ToArray();
    public IReadOnlyList<(string TenantId, string UserId)> Deleted => _users.Where(u => u.Status == "deleted").Select(u => (u.TenantId, u.UserId)).ToArray();

    public async Task PlayAsync(int usersPerTenant = 30, int rounds = 10)
    {
        foreach (var tenant in Tenants)
        {
            await AppendAsync(tenant, $"tenant-{tenant}", "system",
                new TenantCreated(tenant, tenant.ToUpperInvariant() + " Corp"),
                new TenantDomainAdded(tenant, $"login.{tenant}.example", Verified: true, Primary: true),
                new TenantDomainAdded(tenant, $"{tenant}.example", Verified: false, Primary: false));
        }

        for (var i = 0; i < usersPerTenant; i++)
        {
            foreach (var tenant in Tenants)
            {
                var user = new UserState(tenant, $"{tenant}-u{i:D3}");
                _users.Add(user);
                await AppendAsync(tenant, user.Stream, $"admin@{tenant}", new UserCreated(
                    user.UserId,
                    $"User.{i}",
                    $"user{i}@{tenant}.example",
                    EmailVerified: _random.Next(2) == 0,
                    GivenName: Maybe($"Given{i}"),
                    FamilyName: Maybe($"Family{i}"),
                    Phone: Maybe($"+1555{_random.Next(1_000_000, 9_999_999)}"),
                    PreferredLanguage: Maybe("en")));
            }
        }

        await AppendAsync("globex", "tenant-globex", "system", new TenantRenamed("globex", "Globex International"));
        await AppendAsync("acme", "tenant-acme", "system", new TenantBlocked("acme", "unpaid invoice"), new TenantUnblocked("acme"));

        await PlayGroupsAndRolesAsync();

        for (var round = 0; round < rounds; round++)
        {
            foreach (var user in _users.Where(u => u.Status is "active" or "disabled" or "deleted"))
            {
                if (_random.Next(10) < 3)
                {
                    continue;
                }

                await StepAsync(user, round);
            }
        }
    }

    /// <summary>Groups with members, roles assigned to users and groups, then a removal, an unassignment and a deleted group and role.</summary>
    private async Task PlayGroupsAndRolesAsync()
    {
        foreach (var tenant in Tenants)
        {
            var users = _users.Where(u => u.TenantId == tenant).Select(u => u.UserId).ToArray();
            for (var g = 0; g < 3; g++)
            {
                var group = $"{tenant}-g{g}";
                await AppendAsync(tenant, $"group-{group}", $"admin@{tenant}",
                    [new GroupCreated(group, $"Group {g}"), .. users.Where((_, i) => i % 3 == g || _random.Next(5) == 0).Select(u => (object)new GroupMemberAdded(group, u))]);
            }

            for (var r = 0; r < 4; r++)
            {
                var role = $"{tenant}-r{r}";
                await AppendAsync(tenant, $"role-{role}", $"admin@{tenant}",
                    new RoleCreated(role, $"role-{r}"),
                    new RoleAssignedToGroup(role, $"{tenant}-g{r % 3}"),
                    new RoleAssignedToUser(role, users[_random.Next(users.Length)]),
                    new RoleAssignedToUser(role, users[r]));
            }

            await AppendAsync(tenant, $"group-{tenant}-g0", $"admin@{tenant}", new GroupRenamed($"{tenant}-g0", "Group zero"), new GroupMemberRemoved($"{tenant}-g0", users[0]));
            await AppendAsync(tenant, $"role-{tenant}-r1", $"admin@{tenant}", new RoleUnassignedFromUser($"{tenant}-r1", users[1]));
            await AppendAsync(tenant, $"group-{tenant}-g2", $"admin@{tenant}", new GroupDeleted($"{tenant}-g2"));
            await AppendAsync(tenant, $"role-{tenant}-r3", $"admin@{tenant}", new RoleDeleted($"{tenant}-r3"));
            var kept = tenant == "acme" ? "0197a3f2c1d47c3e9b5a2f6d8e0c1b2a" : "0197a3f2c1d47c3e9b5a2f6d8e0c1b2b";
            var revoked = tenant == "acme" ? "0197a3f2c1d47c3e9b5a2f6d8e0c1b2c" : "0197a3f2c1d47c3e9b5a2f6d8e0c1b2d";
            await AppendAsync(tenant, $"api-key-{tenant}-{kept}", $"admin@{tenant}",
                new ApiKeyCreated(kept, "CI", ["users:read", "users:write"], "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg", false, new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)));
            await AppendAsync(tenant, $"api-key-{tenant}-{revoked}", $"admin@{tenant}",
                new ApiKeyCreated(revoked, "Old", ["admin"], "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg"), new ApiKeyRevoked(revoked));
            const string Hash = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";
            var client = tenant == "acme" ? "0197a3f2c1d47c3e9b5a2f6d8e0c1c0a" : "0197a3f2c1d47c3e9b5a2f6d8e0c1c0b";
            var gone = tenant == "acme" ? "0197a3f2c1d47c3e9b5a2f6d8e0c1c0c" : "0197a3f2c1d47c3e9b5a2f6d8e0c1c0d";
            await AppendAsync(tenant, $"client-{tenant}-{client}", $"admin@{tenant}",
                new ClientRegistered(client, "Shop", "confidential", ["https://shop.example.com/cb"], [], ["authorization_code", "refresh_token"], ["code"],
                    ["openid"], "client_secret_basic", "RS256", true, false, "admin", AccessTokenLifetime: 600, SecretHash: Hash),
                new ClientUpdated(client, "Shop 2", "confidential", ["https://shop.example.com/cb"], ["https://shop.example.com/"], ["client_credentials"], [],
                    ["api"], "private_key_jwt", "ES256", true, true, Jwks: """{"keys":[]}"""),
                new ClientSecretRotated(client, Hash));
            await AppendAsync(tenant, $"client-{tenant}-{gone}", $"admin@{tenant}",
                new ClientRegistered(gone, "Native", "public", ["com.example.app:/cb"], [], ["authorization_code"], ["code"], ["openid"], "none", "RS256", true, false,
                    "dynamic", RegistrationAccessTokenHash: Hash),
                new ClientDeleted(gone));
            var jwk = new PublicJsonWebKey("EC", "P-256", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
            var t0 = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
            await AppendAsync(tenant, $"signing-keys-{tenant}", "system:key-rotation", new KeyRotated($"ES256-{tenant}-1", "ES256", jwk, $"ES256-{tenant}-1", t0));
            await AppendAsync(tenant, $"signing-keys-{tenant}", "system:key-rotation",
                new KeyRotated($"ES256-{tenant}-2", "ES256", jwk, $"ES256-{tenant}-2", t0.AddHours(24), $"ES256-{tenant}-1", t0.AddHours(25)));

            // Revoked access tokens: one long expired (forgotten when the next revocation lands), one still live.
            await AppendAsync(tenant, $"access-token-{tenant}-old{tenant}", $"client:{client}", new AccessTokenRevoked($"old{tenant}", client, new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)));
            await AppendAsync(tenant, $"access-token-{tenant}-live{tenant}", $"client:{client}", new AccessTokenRevoked($"live{tenant}", client, t0.AddYears(70), "s1"));

            // Passkeys: registered, used, renamed, one removed, one counter regression (no random draws: the rest of the history stays as it was).
            const string CoseKey = "pQECAyYgASFYIBzyfyXaWRIIpCOcLjJPEE9YVSVHminu7t2DD0jneurlIlggWeS32mwBBuIGzjkMk6uYoVpew4h-V_DMK-zoA7kgxCM";
            for (var p = 0; p < 3; p++)
            {
                var owner = users[2 + p];
                var credential = $"{tenant}Cred{p}AAAAAAAAAAAAAAAA";
                await AppendAsync(tenant, $"passkeys-{tenant}-{owner}", owner,
                    new PasskeyRegistered(credential, owner, CoseKey, -7, 0, "00000000-0000-0000-0000-000000000000", p == 0 ? ["internal", "hybrid"] : ["usb"],
                        p != 1, false, p != 2, $"Key {p}", true, "none", "none"),
                    new PasskeyUsed(credential, owner, 3, false, true),
                    new PasskeyRenamed(credential, owner, $"Renamed key {p}"));
            }

            await AppendAsync(tenant, $"passkeys-{tenant}-{users[3]}", users[3], new PasskeyCounterRegressionDetected($"{tenant}Cred1AAAAAAAAAAAAAAAA", users[3], 3, 1));
            await AppendAsync(tenant, $"passkeys-{tenant}-{users[4]}", users[4], new PasskeyRemoved($"{tenant}Cred2AAAAAAAAAAAAAAAA", users[4], "user"));
        }
    }

    private async Task StepAsync(UserState u, int round)
    {
        if (u.Status == "deleted")
        {
            if (_random.Next(5) == 0)
            {
                await EraseAsync(u);
            }

            return;
        }

        switch (_random.Next(12))
        {
            case 0:
                await AppendAsync(u.TenantId, u.Stream, u.UserId, new UserProfileUpdated(u.UserId, Maybe($"G{round}"), Maybe($"F{round}"), Maybe($"Name {round}"), Maybe("+15550001111"), Maybe("de")));
                break;
            case 1:
                await AppendRetiredProfileUpdateAsync(u, $"Old Name {round}", round % 2 == 0 ? "fr" : null);
                break;
            case 2:
                await AppendAsync(u.TenantId, u.Stream, u.UserId, new UserEmailChanged(u.UserId, $"{u.UserId}.r{round}@mail.example", _random.Next(2) == 0));
                break;
            case 3:
                await AppendAsync(u.TenantId, u.Stream, u.UserId, new UserPasswordSet(u.UserId, $"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ{round}$aGFzaGhhc2g{_random.Next(1000)}", ChangeRequired: round == 0));
                break;
            case 4 or 5:
                var sessionId = $"{u.UserId}-s{u.Sessions.Count}";
                u.Sessions.Add(sessionId);
                await AppendAsync(u.TenantId, $"session-{sessionId}", u.UserId, new SessionStarted(
                    sessionId, u.UserId, _random.Next(2) == 0 ? ["pwd"] : ["pwd", "otp"],
                    new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(round),
                    $"203.0.113.{_random.Next(1, 255)}", "Mozilla/5.0 (test)"));

                // A code redeemed with a refresh family on every other session, rotated once: "last used" moves.
                if (u.Sessions.Count % 2 == 1)
                {
                    var family = $"{sessionId}-f";
                    var at = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
                    await AppendAsync(u.TenantId, $"refresh-{family}", u.UserId,
                        new RefreshFamilyStarted(family, sessionId, "web-app", u.UserId, "openid offline_access", at, ["pwd"], "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg", at.AddDays(30)),
                        new RefreshTokenRotated(family, sessionId, u.UserId, 2, "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"));
                    await AppendAsync(u.TenantId, $"consent-{u.TenantId}-{u.UserId}-partner", u.UserId,
                        new ConsentGiven("partner", u.UserId, u.Sessions.Count == 1 ? ["openid"] : ["email", "openid"]));
                }

                break;
            case 6 when u.Sessions.Count > 0:
                await AppendAsync(u.TenantId, $"session-{u.Sessions[^1]}", u.UserId, new SessionRevoked(u.Sessions[^1], u.UserId, "logout"));
                break;
            case 7 or 8:
                var (status, e) = u.Status == "active"
                    ? ("disabled", (object)new UserDisabled(u.UserId, Maybe("policy")))
                    : ("active", new UserEnabled(u.UserId));
                await AppendAsync(u.TenantId, u.Stream, $"admin@{u.TenantId}", e);
                u.Status = status;
                break;
            case 9 when _random.Next(2) == 0:
                // Two events in one append: the inline models see them in one transaction.
                await AppendAsync(u.TenantId, u.Stream, $"admin@{u.TenantId}", new UserDeleted(u.UserId), new UserPasswordSet(u.UserId, "$argon2id$v=19$m=65536,t=3,p=4$eA$eQ", ChangeRequired: true));
                u.Status = "deleted";
                break;
            case 10 when _random.Next(4) == 0:
                await EraseAsync(u);
                break;
            default:
                await AppendAsync(u.TenantId, u.Stream, u.UserId, new UserProfileUpdated(u.UserId, DisplayName: $"Display {round}"));
                break;
        }
    }

    private async Task EraseAsync(UserState u)
    {
        await AppendAsync(u.TenantId, u.Stream, $"admin@{u.TenantId}", new UserErased(u.UserId));
        await h.Keys.EraseAsync(u.TenantId, u.UserId);
        u.Status = "erased";
    }

    /// <summary>What the build before v2 wrote: a v1 event whose free-form name is encrypted under the user's key.</summary>
    private async Task AppendRetiredProfileUpdateAsync(UserState u, string name, string? locale)
    {
        var asV2 = await h.Serializer.SerializeAsync(u.TenantId, new UserProfileUpdated(u.UserId, DisplayName: name), EventMetadata.New());
        var json = JsonNode.Parse(asV2.Data)!.AsObject();
        var v1 = new JsonObject { ["userId"] = u.UserId, ["name"] = json["displayName"]!.DeepClone() };
        if (locale is not null)
        {
            v1["locale"] = locale;
        }

        await h.AppendRawAsync(u.TenantId, u.Stream, "user.profile-updated.v1", v1.ToJsonString(), Metadata(u.UserId));
        Events++;
    }

    private async Task AppendAsync(string tenantId, string stream, string actor, params object[] events)
    {
        await h.AppendAsync(tenantId, stream, Metadata(actor), events);
        Events += events.Length;
    }

    private EventMetadata Metadata(string actor) => new()
    {
        Actor = actor,
        ClientIp = $"198.51.100.{_random.Next(1, 255)}",
        UserAgent = "KoderId-Scenario/1.0",
        CorrelationId = _random.Next(4) == 0 ? null : _random.Next().ToString("x8", CultureInfo.InvariantCulture),
    };

    private string? Maybe(string value) => _random.Next(3) == 0 ? null : value;

    private sealed class UserState(string tenantId, string userId)
    {
        public string TenantId { get; } = tenantId;
        public string UserId { get; } = userId;
        public string Stream => $"user-{UserId}";
        public string Status { get; set; } = "active";
        public List<string> Sessions { get; } = [];
    }
}
