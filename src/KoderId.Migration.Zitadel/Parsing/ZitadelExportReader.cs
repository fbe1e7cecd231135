using System.Text.Json;

namespace KoderId.Migration.Zitadel.Parsing;

/// <summary>
/// Reads Zitadel's admin export (<c>{"orgs":[...]}</c>, what <c>POST /admin/v1/export</c> returns) or the
/// <c>ImportDataRequest</c> body that wraps it (<c>{"dataOrgs":{"orgs":[...]}}</c> or <c>data_orgs</c>, as
/// zitadel-tools writes it). Each org is read on its own: one that is not what Zitadel writes is returned with the
/// error and its JSON path, and the others are still read. A document that is not JSON, or has no org list,
/// throws <see cref="ZitadelFormatException"/>.
/// </summary>
public static class ZitadelExportReader
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public static async Task<IReadOnlyList<ZitadelOrgEntry>> ReadAsync(Stream utf8Json, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(utf8Json, Options, ct).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            // The parser's position, never the text around it (it may hold a hash).
            throw new ZitadelFormatException("$", $"is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1})");
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    public static IReadOnlyList<ZitadelOrgEntry> Read(string json)
    {
        using var document = ParseText(json);
        return Read(document.RootElement);
    }

    private static JsonDocument ParseText(string json)
    {
        try
        {
            return JsonDocument.Parse(json, Options);
        }
        catch (JsonException ex)
        {
            throw new ZitadelFormatException("$", $"is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1})");
        }
    }

    private static List<ZitadelOrgEntry> Read(JsonElement rootElement)
    {
        var root = new ProtoJson(rootElement, "$");
        if (!root.IsObject)
        {
            throw root.Invalid("must be an object holding \"orgs\" or \"dataOrgs\"");
        }

        var container = root.Field("orgs") is not null ? root : root.Object("dataOrgs");
        if (container is not { } orgsHolder || orgsHolder.Field("orgs") is not { } orgsField)
        {
            throw root.Invalid("holds no \"orgs\" list (nor \"dataOrgs\"/\"data_orgs\" with one)");
        }

        if (orgsField.Element.ValueKind != JsonValueKind.Array)
        {
            throw orgsField.Invalid("must be an array");
        }

        var entries = new List<ZitadelOrgEntry>();
        foreach (var org in orgsHolder.Array("orgs"))
        {
            string? orgId = null;
            try
            {
                if (!org.IsObject)
                {
                    throw org.Invalid("must be an object");
                }

                orgId = org.String("orgId");
                entries.Add(new ZitadelOrgEntry(org.Path, orgId, ReadOrg(org), null));
            }
            catch (ZitadelFormatException ex)
            {
                entries.Add(new ZitadelOrgEntry(org.Path, orgId, null, ex));
            }
        }

        return entries;
    }

    private static ZitadelOrg ReadOrg(ProtoJson org)
    {
        var orgId = org.RequiredString("orgId");
        // zitadel-tools writes orgs without "org" (an import into an org that exists in Zitadel): named after the id.
        var name = org.Object("org") is { } details ? details.RequiredString("name") : $"Zitadel org {orgId}";
        var state = org.Enum("orgState", ZitadelEnums.OrgState);

        ZitadelLockoutPolicy? lockout = null;
        if (org.Object("lockoutPolicy") is { } l)
        {
            lockout = new ZitadelLockoutPolicy(l.Path, l.Int64("maxPasswordAttempts"));
        }

        ZitadelPasswordComplexityPolicy? complexity = null;
        if (org.Object("passwordComplexityPolicy") is { } p)
        {
            complexity = new ZitadelPasswordComplexityPolicy(p.Path, p.Int64("minLength"), p.Bool("hasUppercase"), p.Bool("hasLowercase"), p.Bool("hasNumber"), p.Bool("hasSymbol"));
        }

        var otherPolicies = new List<string>();
        foreach (var policy in (string[])["domainPolicy", "iamPolicy", "labelPolicy", "loginPolicy", "privacyPolicy", "passwordAgePolicy", "notificationPolicy", "mailTemplate"])
        {
            if (org.Field(policy) is { } field)
            {
                otherPolicies.Add(field.Path);
            }
        }

        var notMapped = new List<ZitadelItem>();
        foreach (var (field, what) in (ReadOnlySpan<(string, string)>)
                 [
                     ("oidcIdps", "OIDC identity provider"), ("jwtIdps", "JWT identity provider"), ("projectGrants", "project grant"),
                     ("projectMembers", "project member"), ("projectGrantMembers", "project grant member"), ("appKeys", "app key"),
                     ("actions", "action"), ("triggerActions", "trigger action"), ("loginTexts", "login text"), ("initMessages", "message text"),
                 ])
        {
            foreach (var item in org.Array(field))
            {
                notMapped.Add(new ZitadelItem(item.Path, what));
            }
        }

        return new ZitadelOrg(
            org.Path,
            orgId,
            name,
            state,
            lockout,
            complexity,
            otherPolicies,
            [.. org.Objects("domains").Select(d => new ZitadelDomain(d.Path, d.RequiredString("domainName"), d.Bool("isVerified"), d.Bool("isPrimary")))],
            [.. org.Objects("humanUsers").Select(ReadHuman)],
            [.. org.Objects("machineUsers").Select(ReadMachine)],
            [.. org.Objects("userMetadata").Select(m => new ZitadelUserMetadata(m.Path, m.RequiredString("id"), m.RequiredString("key"), m.String("value")))],
            [.. org.Objects("machineKeys").Select(ReadMachineKey)],
            [.. org.Objects("projects").Select(x => new ZitadelProject(x.Path, x.RequiredString("projectId"), x.RequiredObject("project").RequiredString("name")))],
            [.. org.Objects("projectRoles").Select(r => new ZitadelProjectRole(r.Path, r.RequiredString("projectId"), r.RequiredString("roleKey"), r.String("displayName")))],
            [.. org.Objects("oidcApps").Select(ReadOidcApp)],
            [.. org.Objects("apiApps").Select(ReadApiApp)],
            [.. org.Objects("userGrants").Select(g => new ZitadelUserGrant(g.Path, g.RequiredString("userId"), g.RequiredString("projectId"), g.Strings("roleKeys")))],
            [.. org.Objects("orgMembers").Select(m => new ZitadelMember(m.Path, m.RequiredString("userId"), m.Strings("roles")))],
            [.. org.Objects("userLinks").Select(k => new ZitadelUserLink(k.Path, k.RequiredString("userId"), k.RequiredString("idpId"), k.RequiredString("providedUserId"), k.String("providedUserName")))],
            notMapped);
    }

    private static ZitadelHumanUser ReadHuman(ProtoJson human)
    {
        var user = human.RequiredObject("user");
        var profile = user.Object("profile");
        var email = user.Object("email");
        var phone = user.Object("phone");
        var hashed = user.Object("hashedPassword");
        return new ZitadelHumanUser(
            human.Path,
            human.String("userId"),
            user.RequiredString("userName"),
            profile?.String("firstName"),
            profile?.String("lastName"),
            profile?.String("nickName"),
            profile?.String("displayName"),
            profile?.String("preferredLanguage"),
            email?.String("email"),
            email?.Bool("isEmailVerified") ?? false,
            phone?.String("phone"),
            hashed is { } h ? NullIfEmpty(h.String("value")) : null,
            user.Bool("passwordChangeRequired"),
            !string.IsNullOrEmpty(user.String("password")),
            NullIfEmpty(user.String("otpCode")),
            [.. user.Objects("idps").Select(i => new ZitadelIdpLink(i.Path, i.RequiredString("configId"), i.RequiredString("externalUserId"), i.String("displayName")))],
            human.Enum("state", ZitadelEnums.UserState));
    }

    private static ZitadelMachineUser ReadMachine(ProtoJson machine)
    {
        var user = machine.RequiredObject("user");
        return new ZitadelMachineUser(machine.Path, machine.RequiredString("userId"), user.RequiredString("userName"), user.String("name"), user.String("description"));
    }

    private static ZitadelMachineKey ReadMachineKey(ProtoJson key) =>
        new(key.Path, key.RequiredString("keyId"), key.RequiredString("userId"), key.Enum("type", ZitadelEnums.KeyType), key.Timestamp("expirationDate"),
            key.RequiredString("publicKey"), key.Field("keyId")!.Value.Path, key.Field("userId")!.Value.Path, key.Field("publicKey")!.Value.Path);

    private static ZitadelOidcApp ReadOidcApp(ProtoJson data)
    {
        var app = data.RequiredObject("app");
        return new ZitadelOidcApp(
            data.Path,
            data.RequiredString("appId"),
            app.RequiredString("projectId"),
            app.RequiredString("name"),
            app.Strings("redirectUris"),
            app.Enums("responseTypes", ZitadelEnums.OidcResponseType),
            app.Enums("grantTypes", ZitadelEnums.OidcGrantType),
            app.Enum("appType", ZitadelEnums.OidcAppType),
            app.Enum("authMethodType", ZitadelEnums.OidcAuthMethodType),
            app.Strings("postLogoutRedirectUris"),
            app.Bool("devMode"));
    }

    private static ZitadelApiApp ReadApiApp(ProtoJson data)
    {
        var app = data.RequiredObject("app");
        return new ZitadelApiApp(data.Path, data.RequiredString("appId"), app.RequiredString("projectId"), app.RequiredString("name"),
            app.Enum("authMethodType", ZitadelEnums.ApiAuthMethodType));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
