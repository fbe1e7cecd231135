using System.Text.Json.Nodes;

namespace KoderId.Migration.Zitadel.Tests;

/// <summary>Realistic Zitadel exports: several orgs, a user per hash format (each with its known password), apps, grants, metadata.</summary>
public static class Exports
{
    /// <summary>(user name, hash, password): the strings come from the tools named in ImportedPasswordHashTests.</summary>
    public static readonly (string User, string Hash, string Password)[] HashedUsers =
    [
        ("bcrypt-2a", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"),
        ("bcrypt-2b", "$2b$12$bIRGj4QPPoSUMWsJE.4Pk.T1qTpDWz7HhMnuiQhGzGinKPsx/HQdq", "password"),
        ("bcrypt-2y", "$2y$12$hXUrnqdq1RIIYZ2HPytIIe5lXdIvbhqrTvdPsSF7o.jFh817Z6lwm", "password"),
        ("argon2i", "$argon2i$v=19$m=4096,t=3,p=1$cmFuZG9tc2FsdGlzaGFyZA$YMvo8AUoNtnKYGqeODruCjHdiEbl1pKL2MsYy9VgU/E", "password"),
        ("argon2id", "$argon2id$v=19$m=4096,t=3,p=1$cmFuZG9tc2FsdGlzaGFyZA$DYojYpnUWSMmTtrkVXyaNWVGxLmGe1n8VJBPDdFkbjU", "password"),
        ("scrypt", "$scrypt$ln=10,r=8,p=1$c2NyeXB0LXNhbHQta2lk$lERYQOQyF3a4WxNdIrZx8uJ8y61uQ8fbCFTKuSsrlIA", "scrypt-password"),
        ("pbkdf2-sha1", "$pbkdf2$1000$a29kZXJpZC1wYmtkZjItc2FsdA$e4TCl/DxgTgFlw88Nt2PCx481Ks", "hunter2-imported"),
        ("pbkdf2-sha224", "$pbkdf2-sha224$1000$a29kZXJpZC1wYmtkZjItc2FsdA$HI1Jrvb.ayQqzQcC2ervrgAmsWSJYSzzyBLOmw", "hunter2-imported"),
        ("pbkdf2-sha256", "$pbkdf2-sha256$1000$a29kZXJpZC1wYmtkZjItc2FsdA$Uyj0iBRYeoDU8fiYuDw/6c0/bo49zsChXw01DCJOcu8", "hunter2-imported"),
        ("pbkdf2-sha384", "$pbkdf2-sha384$1000$a29kZXJpZC1wYmtkZjItc2FsdA$xc.8gg5sKHZ3mIs2el/8/6dEcpQ74H2zU7wpnH.8njJYRLrMkhsF4/gb5lAyJU73", "hunter2-imported"),
        ("pbkdf2-sha512", "$pbkdf2-sha512$1000$a29kZXJpZC1wYmtkZjItc2FsdA$qLck4yCsp7mqJjpw/m9kQCD26h/tDSBtmpDp9kbLDvl4X8.elo.qTrOjhY.xI.fNxxvtYYF/hvTHyKJb/Qx.xQ", "hunter2-imported"),
        ("sha256-crypt", "$5$koderidsalt$aw.fA5ivAkSdRn6/uptXxeHHLM6JKBcty4MWCQo9VU4", "correct horse battery staple"),
        ("sha512-crypt", "$6$koderid6salt$AsXycpNcWGJ0FKZq9Wk7kMxlsx1LPVPZiBOJLmoasO1SjkDpOLzw6yZcbBmSFmqLfoyRS6TfKexRY28w5C8Ht.", "correct horse battery staple"),
        ("md5-crypt", "$1$saltsalt$ueg/7ujBFDpyKLR2vs28p1", "Tr0ub4dor&3"),
    ];

    public static JsonObject Human(string id, string userName, string? hash = null, string? email = null, string? state = null, string? otp = null)
    {
        var user = new JsonObject
        {
            ["userName"] = userName,
            ["profile"] = new JsonObject { ["firstName"] = "Given " + userName, ["lastName"] = "Family", ["displayName"] = "Display " + userName, ["preferredLanguage"] = "en" },
            ["email"] = new JsonObject { ["email"] = email ?? $"{userName}@acme.example", ["isEmailVerified"] = true },
            ["phone"] = new JsonObject { ["phone"] = "+41 44 668 18 00", ["isPhoneVerified"] = true },
        };
        if (hash is not null)
        {
            user["hashedPassword"] = new JsonObject { ["value"] = hash };
        }

        if (otp is not null)
        {
            user["otpCode"] = otp;
        }

        var human = new JsonObject { ["userId"] = id, ["user"] = user };
        if (state is not null)
        {
            human["state"] = state;
        }

        return human;
    }

    /// <summary>Acme: every hash format, a project with roles and grants, an OIDC app, an API app, a machine user, members, metadata, IdP links, policies.</summary>
    public static JsonObject Acme()
    {
        var humans = new JsonArray();
        for (var i = 0; i < HashedUsers.Length; i++)
        {
            humans.Add(Human($"2000000000000000{i:D2}", HashedUsers[i].User, HashedUsers[i].Hash));
        }

        humans.Add(Human("200000000000000090", "inactive.user", state: "USER_STATE_INACTIVE"));
        humans.Add(Human("200000000000000091", "gone.user", state: "USER_STATE_DELETED"));
        humans.Add(Human("200000000000000092", "otp.user", HashedUsers[0].Hash, otp: "JBSWY3DPEHPK3PXP"));

        return new JsonObject
        {
            ["orgId"] = "100000000000000001",
            ["org"] = new JsonObject { ["name"] = "Acme Corp" },
            ["orgState"] = "ORG_STATE_ACTIVE",
            ["lockoutPolicy"] = new JsonObject { ["maxPasswordAttempts"] = "7" },
            ["passwordComplexityPolicy"] = new JsonObject { ["minLength"] = "10", ["hasUppercase"] = true, ["hasNumber"] = true },
            ["loginPolicy"] = new JsonObject { ["allowUsernamePassword"] = true },
            ["domains"] = new JsonArray(
                new JsonObject { ["domainName"] = "acme-corp.zitadel.cloud", ["isVerified"] = true, ["isPrimary"] = true },
                new JsonObject { ["domainName"] = "not a domain" }),
            ["humanUsers"] = humans,
            ["machineUsers"] = new JsonArray(new JsonObject
            {
                ["userId"] = "300000000000000001",
                ["user"] = new JsonObject { ["userName"] = "billing-bot", ["name"] = "Billing bot", ["accessTokenType"] = "ACCESS_TOKEN_TYPE_JWT" },
            }),
            ["userMetadata"] = new JsonArray(
                new JsonObject { ["id"] = "200000000000000000", ["key"] = "department", ["value"] = "c2FsZXM=" },
                new JsonObject { ["id"] = "200000000000000000", ["key"] = "cost center", ["value"] = "_-8" }, // base64url, unpadded: bytes FF EF
                new JsonObject { ["id"] = "200000000000000002", ["key"] = "employee-id", ["value"] = "RS00NzEx" },
                new JsonObject { ["id"] = "200000000000000002", ["key"] = "groups/legacy", ["value"] = "eA==" }, // '/' is not a Koder ID key
                new JsonObject { ["id"] = "300000000000000001", ["key"] = "owner", ["value"] = "YmlsbGluZw==" }), // a machine user
            ["projects"] = new JsonArray(new JsonObject { ["projectId"] = "400000000000000001", ["project"] = new JsonObject { ["name"] = "Portal", ["projectRoleAssertion"] = true } }),
            ["projectRoles"] = new JsonArray(
                new JsonObject { ["projectId"] = "400000000000000001", ["roleKey"] = "portal.admin", ["displayName"] = "Portal admin" },
                new JsonObject { ["projectId"] = "400000000000000001", ["roleKey"] = "portal.viewer", ["displayName"] = "Viewer" }),
            ["oidcApps"] = new JsonArray(new JsonObject
            {
                ["appId"] = "500000000000000001",
                ["app"] = new JsonObject
                {
                    ["projectId"] = "400000000000000001",
                    ["name"] = "Portal web",
                    ["redirectUris"] = new JsonArray("https://portal.acme.example/callback"),
                    ["responseTypes"] = new JsonArray("OIDC_RESPONSE_TYPE_CODE"),
                    ["grantTypes"] = new JsonArray("OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN", "OIDC_GRANT_TYPE_IMPLICIT"),
                    ["appType"] = "OIDC_APP_TYPE_WEB",
                    ["authMethodType"] = "OIDC_AUTH_METHOD_TYPE_BASIC",
                    ["postLogoutRedirectUris"] = new JsonArray("https://portal.acme.example/"),
                    ["devMode"] = false,
                },
            }, new JsonObject
            {
                ["appId"] = "500000000000000002",
                ["app"] = new JsonObject
                {
                    ["projectId"] = "400000000000000001",
                    ["name"] = "Portal SPA",
                    ["redirectUris"] = new JsonArray("https://spa.acme.example/cb"),
                    ["appType"] = "OIDC_APP_TYPE_USER_AGENT",
                    ["authMethodType"] = "OIDC_AUTH_METHOD_TYPE_NONE",
                },
            }),
            ["apiApps"] = new JsonArray(new JsonObject
            {
                ["appId"] = "500000000000000003",
                ["app"] = new JsonObject { ["projectId"] = "400000000000000001", ["name"] = "Portal API", ["authMethodType"] = "API_AUTH_METHOD_TYPE_BASIC" },
            }),
            ["userGrants"] = new JsonArray(
                new JsonObject { ["userId"] = "200000000000000000", ["projectId"] = "400000000000000001", ["roleKeys"] = new JsonArray("portal.admin", "portal.viewer") },
                new JsonObject { ["userId"] = "200000000000000001", ["projectId"] = "400000000000000001", ["roleKeys"] = new JsonArray("portal.viewer") },
                new JsonObject { ["userId"] = "999999999999999999", ["projectId"] = "400000000000000001", ["roleKeys"] = new JsonArray("portal.viewer") }),
            ["orgMembers"] = new JsonArray(
                new JsonObject { ["userId"] = "200000000000000000", ["roles"] = new JsonArray("ORG_OWNER") },
                new JsonObject { ["userId"] = "200000000000000001", ["roles"] = new JsonArray("ORG_USER_MANAGER") }),
            ["userLinks"] = new JsonArray(new JsonObject
            {
                ["userId"] = "200000000000000002", ["idpId"] = "600000000000000001", ["idpName"] = "Google", ["providedUserId"] = "108842156742893423012",
                ["providedUserName"] = "bcrypt-2y@gmail.example",
            }),
            ["projectGrants"] = new JsonArray(new JsonObject { ["grantId"] = "700000000000000001", ["projectGrant"] = new JsonObject { ["projectId"] = "400000000000000001" } }),
        };
    }

    /// <summary>Globex: a small second org (plain users, one role granted).</summary>
    public static JsonObject Globex() => new()
    {
        ["orgId"] = "100000000000000002",
        ["org"] = new JsonObject { ["name"] = "Globex" },
        ["humanUsers"] = new JsonArray(Human("210000000000000001", "hank", HashedUsers[0].Hash, "hank@globex.example"), Human("210000000000000002", "scorpio")),
        ["projects"] = new JsonArray(new JsonObject { ["projectId"] = "410000000000000001", ["project"] = new JsonObject { ["name"] = "Doomsday" } }),
        ["projectRoles"] = new JsonArray(new JsonObject { ["projectId"] = "410000000000000001", ["roleKey"] = "villain" }),
        ["userGrants"] = new JsonArray(new JsonObject { ["userId"] = "210000000000000002", ["projectId"] = "410000000000000001", ["roleKeys"] = new JsonArray("villain") }),
    };

    public static string Export(params JsonObject[] orgs) => new JsonObject { ["orgs"] = new JsonArray(orgs) }.ToJsonString();

    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    /// <summary>protobuf JSON's other spelling: every key in snake_case.</summary>
    public static JsonNode? SnakeCase(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(Parsing.ProtoJson.SnakeCase(p.Key), SnakeCase(p.Value)))),
        JsonArray a => new JsonArray(a.Select(SnakeCase).ToArray()),
        null => null,
        _ => JsonNode.Parse(node.ToJsonString()),
    };
}
