using KoderId.Application.Credentials.Commands;
using KoderId.Oidc.Authorize;
using KoderId.Projections.Users;
using Mediator;

namespace KoderId.Oidc.Login;

/// <summary>
/// Username or email plus password. An unknown name still costs one Argon2id verification (VerifyPassword
/// checks a dummy hash for a user it cannot find), so timing does not reveal which accounts exist.
/// </summary>
public sealed class PasswordLogin(UserDirectory users, ISender sender) : IPasswordLogin
{
    public async ValueTask<string?> AuthenticateAsync(string tenantId, string usernameOrEmail, string password, CancellationToken ct)
    {
        var user = await users.FindByUsernameAsync(tenantId, usernameOrEmail, ct).ConfigureAwait(false);
        if (user is null && usernameOrEmail.Contains('@', StringComparison.Ordinal))
        {
            var byEmail = await users.FindByEmailAsync(tenantId, usernameOrEmail, ct).ConfigureAwait(false);
            user = byEmail.Count == 1 ? byEmail[0] : null;
        }

        var userId = user is { Status: UserStatus.Active } ? user.UserId : "";
        var check = await sender.Send(new VerifyPassword(tenantId, userId, password), ct).ConfigureAwait(false);
        return check.Succeeded ? userId : null;
    }
}
