using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Grants;
using Mediator;

namespace KoderId.Application.Grants;

/// <summary>The consent page's Allow: the user approves <paramref name="Scopes"/> for the client.</summary>
public sealed record GiveConsent(string TenantId, string UserId, string ClientId, IReadOnlyList<string> Scopes) : ICommand<CommandResult>;

public sealed class GiveConsentHandler(AggregateStore aggregates) : ICommandHandler<GiveConsent, CommandResult>
{
    public async ValueTask<CommandResult> Handle(GiveConsent command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        if (!Domain.Users.User.IsValidUserId(command.UserId))
        {
            throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        }

        var decided = await aggregates.DecideAsync(
            Aggregates.Consent,
            command.TenantId,
            StreamNames.Consent(command.TenantId, command.UserId, command.ClientId),
            s => Consent.Give(s, command.ClientId, command.UserId, command.Scopes),
            cancellationToken).ConfigureAwait(false);
        return new CommandResult(command.ClientId, decided.Version, decided.Changed);
    }
}
