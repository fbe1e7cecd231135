using KoderId.Application.Common;
using KoderId.Application.Credentials;
using KoderId.Application.Credentials.Commands;
using KoderId.Application.Sessions;
using KoderId.Application.Users;
using KoderId.Domain.Sessions;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Email;

/// <summary>
/// A new password through an emailed reset link (<c>user.password-set.v1</c>, reason <c>reset</c>), under the
/// tenant's policy; every session of the user is revoked (their refresh families end with them). Signs nobody
/// in: the user then signs in with the new password and any second factor (ADR 0006).
/// </summary>
/// <param name="TenantId">The tenant the link was followed at: another tenant's link is KID1371 here.</param>
public sealed record ResetPasswordWithLink(string TenantId, string Token, string Password) : ICommand<CommandResult>
{
    public override string ToString() => $"ResetPasswordWithLink {{ TenantId = {TenantId}, Token = [redacted], Password = [redacted] }}";
}

/// <summary>
/// KID1371 for a forged, expired or used link, for a user who can no longer sign in, and for a link issued
/// before the password last changed; a policy refusal (KID11xx) leaves the link usable for another try.
/// </summary>
public sealed class ResetPasswordWithLinkHandler(
    AggregateStore aggregates, EmailLinks links, PasswordHashingService hashing, ICredentialPolicies policies, ISender sender)
    : ICommandHandler<ResetPasswordWithLink, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ResetPasswordWithLink command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var link = links.Read(EmailLinks.ResetKind, command.TenantId, command.Token);
        var user = await aggregates.LoadUserAsync(link.TenantId, link.UserId, cancellationToken).ConfigureAwait(false);
        if (!Applies(user, link))
        {
            throw EmailLinks.Invalid();
        }

        var policy = await policies.GetAsync(link.TenantId, cancellationToken).ConfigureAwait(false);
        CredentialChecks.EnsureMeetsPolicy(command.Password ?? "", policy.Password, user);
        await links.ConsumeAsync(link, cancellationToken).ConfigureAwait(false);

        var hash = await hashing.HashAsync(command.Password!, policy.Hashing, cancellationToken).ConfigureAwait(false);
        var decided = await aggregates.DecideUserAsync(link.TenantId, link.UserId, s =>
        {
            if (!Applies(s, link))
            {
                throw EmailLinks.Invalid();
            }

            CredentialChecks.EnsureMeetsPolicy(command.Password!, policy.Password, s);
            return User.ResetPassword(s, s.Password?.Phc, hash);
        }, cancellationToken).ConfigureAwait(false);

        await sender.Send(new RevokeUserSessions(link.TenantId, link.UserId, SessionRevokeReasons.PasswordChanged), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(link.UserId);
    }

    private static bool Applies(UserState user, EmailLink link) =>
        User.CanSignIn(user)
        && !string.IsNullOrEmpty(user.Email)
        && EmailLinks.SameHash(EmailLinks.EmailHash(user.Email), link.EmailHash)
        && link.PasswordFingerprint is { } fingerprint
        && EmailLinks.SameHash(EmailLinks.PasswordFingerprint(user.Password?.Phc), fingerprint);
}
