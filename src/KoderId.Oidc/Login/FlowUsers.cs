using KoderId.Application.Flows;
using KoderId.Projections.Users;

namespace KoderId.Oidc.Login;

/// <summary>The flow engine's user lookup on the users read model: the username first, then a unique email, active users only.</summary>
public sealed class FlowUsers(UserDirectory users) : IFlowUsers
{
    public async ValueTask<string?> FindActiveUserIdAsync(string tenantId, string usernameOrEmail, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(usernameOrEmail);
        var name = usernameOrEmail.Trim();
        if (name.Length is 0 or > 320)
        {
            return null;
        }

        var user = await users.FindByUsernameAsync(tenantId, name, ct).ConfigureAwait(false);
        if (user is null && name.Contains('@', StringComparison.Ordinal))
        {
            var byEmail = await users.FindByEmailAsync(tenantId, name, ct).ConfigureAwait(false);
            user = byEmail.Count == 1 ? byEmail[0] : null;
        }

        return user is { Status: UserStatus.Active } ? user.UserId : null;
    }
}
