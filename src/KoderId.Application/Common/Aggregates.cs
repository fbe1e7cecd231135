using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Domain.Grants;
using KoderId.Domain.Clients;
using KoderId.Domain.Groups;
using KoderId.Domain.Passkeys;
using KoderId.Domain.Mfa;
using KoderId.Domain.Roles;
using KoderId.Domain.Sessions;
using KoderId.Domain.Tenants;
using KoderId.Domain.Users;

namespace KoderId.Application.Common;

/// <summary>How <see cref="AggregateStore"/> folds and guards one kind of stream.</summary>
/// <param name="NotFoundCode">Raised for a stream that belongs to another tenant, so its existence never leaks.</param>
/// <param name="Keys">The unique values the state holds; the store claims the new ones and releases the old ones with each append.</param>
/// <param name="ClaimErrors">The domain code for a taken value, by claim scope.</param>
public sealed record AggregateType<TState>(
    string Name,
    TState Initial,
    Func<TState, object, TState> Evolve,
    string NotFoundCode,
    Func<TState, IReadOnlyList<UniqueKey>> Keys,
    IReadOnlyDictionary<string, string> ClaimErrors);

public static class Aggregates
{
    public static readonly AggregateType<TenantState> Tenant = new(
        "tenant",
        TenantState.Initial,
        Domain.Tenants.Tenant.Evolve,
        DomainErrors.TenantNotFound,
        _ => [],
        new Dictionary<string, string>(StringComparer.Ordinal));

    public static readonly AggregateType<UserState> User = new(
        "user",
        UserState.Initial,
        Domain.Users.User.Evolve,
        DomainErrors.UserNotFound,
        Domain.Users.User.UniqueKeys,
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Domain.Users.User.UsernameScope] = DomainErrors.UserExists,
            [Domain.Users.User.EmailScope] = DomainErrors.UserEmailTaken,
        });

    public static readonly AggregateType<GroupState> Group = new(
        "group",
        GroupState.Initial,
        Domain.Groups.Group.Evolve,
        DomainErrors.GroupNotFound,
        Domain.Groups.Group.UniqueKeys,
        new Dictionary<string, string>(StringComparer.Ordinal) { [Domain.Groups.Group.NameScope] = DomainErrors.GroupNameTaken });

    public static readonly AggregateType<RoleState> Role = new(
        "role",
        RoleState.Initial,
        Domain.Roles.Role.Evolve,
        DomainErrors.RoleNotFound,
        Domain.Roles.Role.UniqueKeys,
        new Dictionary<string, string>(StringComparer.Ordinal) { [Domain.Roles.Role.NameScope] = DomainErrors.RoleNameTaken });

    public static readonly AggregateType<ApiKeyState> ApiKey = new(
        "API key",
        ApiKeyState.Initial,
        Domain.ApiKeys.ApiKey.Evolve,
        DomainErrors.ApiKeyNotFound,
        _ => [],
        new Dictionary<string, string>(StringComparer.Ordinal));

    public static readonly AggregateType<SessionState> Session = new(
        "session",
        SessionState.Initial,
        Domain.Sessions.Session.Evolve,
        DomainErrors.SessionNotFound,
        _ => [],
        new Dictionary<string, string>(StringComparer.Ordinal));

    public static readonly AggregateType<AuthorizationCodeState> AuthorizationCode = new(
        "authorization code",
        AuthorizationCodeState.Initial,
        Domain.Grants.AuthorizationCode.Evolve,
        DomainErrors.CodeNotFound,
        _ => [],
        new Dictionary<string, string>(StringComparer.Ordinal));

    public static readonly AggregateType<RefreshFamilyState> RefreshFamily = new(
        "refresh token",
        RefreshFamilyState.Initial,
        Domain.Grants.RefreshFamily.Evolve,
        DomainErrors.RefreshNotFound,
        _ => [],
        new Dictionary<string, string>(StringComparer.Ordinal));

    public static readonly AggregateType<AccessTokenRevocationState> AccessToken = new(
        "access token",
        AccessTokenRevocationState.Initial,
        Domain.Grants.AccessTokenRevocation.Evolve,
        DomainErrors.RefreshNotFound,
        _ => [],
        new Dictionary<string, string>(StringComparer.Ordinal));

    public static readonly AggregateType<ClientState> Client = new(
        "client",
        ClientState.Initial,
        Domain.Clients.Client.Evolve,
        DomainErrors.ClientNotFound,
        _ => [],
        new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>A user's TOTP and recovery codes (ADR 0006); another tenant's stream reads as an unknown user.</summary>
    public static readonly AggregateType<UserMfaState> Mfa = new(
        "user",
        UserMfaState.Initial,
        UserMfa.Evolve,
        DomainErrors.UserNotFound,
        _ => [],
        new Dictionary<string, string>(StringComparer.Ordinal));

    public static readonly AggregateType<ConsentState> Consent = new(
        "consent",
        ConsentState.Initial,
        Domain.Grants.Consent.Evolve,
        DomainErrors.UserNotFound,
        _ => [],
        new Dictionary<string, string>(StringComparer.Ordinal));

    public static readonly AggregateType<PasskeysState> Passkeys = new(
        "passkey",
        PasskeysState.Initial,
        Domain.Passkeys.Passkey.Evolve,
        DomainErrors.PasskeyNotFound,
        Domain.Passkeys.Passkey.UniqueKeys,
        new Dictionary<string, string>(StringComparer.Ordinal) { [Domain.Passkeys.Passkey.CredentialScope] = DomainErrors.PasskeyCredentialTaken });
}
