using KoderId.EventSourcing.Projections;
using KoderId.Projections.ApiKeys;
using KoderId.Projections.Audit;
using KoderId.Projections.Grants;
using KoderId.Projections.Clients;
using KoderId.Projections.Groups;
using KoderId.Projections.Keys;
using KoderId.Projections.Passkeys;
using KoderId.Projections.Roles;
using KoderId.Projections.Sessions;
using KoderId.Projections.Tenants;
using KoderId.Projections.Users;

namespace KoderId.Projections;

/// <summary>Every read model of Koder ID; the hosts register exactly this list.</summary>
public static class ProjectionCatalog
{
    public static IReadOnlyList<IProjection> All() =>
    [
        new TenantsProjection(),
        new UsersProjection(),
        new SessionsProjection(),
        new RefreshFamiliesProjection(),
        new RevokedAccessTokensProjection(),
        new ConsentsProjection(),
        new GroupsProjection(),
        new RolesProjection(),
        new ApiKeysProjection(),
        new ClientsProjection(),
        new SigningKeysProjection(),
        new PasskeysProjection(),
        new AuditProjection(),
    ];
}
