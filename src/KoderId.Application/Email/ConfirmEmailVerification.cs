using KoderId.Application.Common;
using KoderId.Application.Users;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Email;

/// <summary>The verification link was followed: appends <c>user.email-verified.v1</c> for the address it was sent to.</summary>
/// <param name="TenantId">The tenant the link was followed at: another tenant's link is KID1371 here.</param>
public sealed record ConfirmEmailVerification(string TenantId, string Token) : ICommand<CommandResult>
{
    public override string ToString() => $"ConfirmEmailVerification {{ TenantId = {TenantId}, Token = [redacted] }}";
}

/// <summary>
/// KID1371 for a forged, expired or used link and for one sent to an address the user no longer has; the link
/// is consumed only once everything else holds, so a refusal for another reason (a disabled user) leaves it usable.
/// </summary>
public sealed class ConfirmEmailVerificationHandler(AggregateStore aggregates, EmailLinks links)
    : ICommandHandler<ConfirmEmailVerification, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ConfirmEmailVerification command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var link = links.Read(EmailLinks.VerifyKind, command.TenantId, command.Token);
        var user = await aggregates.LoadUserAsync(link.TenantId, link.UserId, cancellationToken).ConfigureAwait(false);
        var email = SameAddress(user, link) ? user.Email! : throw EmailLinks.Invalid();
        User.VerifyEmail(user, email);
        await links.ConsumeAsync(link, cancellationToken).ConfigureAwait(false);
        var decided = await aggregates.DecideUserAsync(link.TenantId, link.UserId, s =>
            SameAddress(s, link) ? User.VerifyEmail(s, s.Email!) : throw EmailLinks.Invalid(), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(link.UserId);
    }

    private static bool SameAddress(UserState user, EmailLink link) =>
        !string.IsNullOrEmpty(user.Email) && EmailLinks.SameHash(EmailLinks.EmailHash(user.Email), link.EmailHash);
}
