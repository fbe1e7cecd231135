using System.Collections.Immutable;
using KoderId.Application.Common;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>
/// A user's metadata, key to the value's bytes base64-encoded, ordered by key. Read from the user's own stream (as
/// the MFA status is), so it is current right after a write. A deleted user's entries can still be read (an
/// administrator restores the account with them); an erased user has none. KID1011 for an unknown user.
/// </summary>
public sealed record GetUserMetadata(string TenantId, string UserId) : IQuery<ImmutableSortedDictionary<string, string>>;

public sealed class GetUserMetadataHandler(AggregateStore aggregates) : IQueryHandler<GetUserMetadata, ImmutableSortedDictionary<string, string>>
{
    public async ValueTask<ImmutableSortedDictionary<string, string>> Handle(GetUserMetadata query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var user = await aggregates.LoadUserAsync(query.TenantId, query.UserId, cancellationToken).ConfigureAwait(false);
        return user.Created
            ? user.Metadata
            : throw new Domain.DomainException(Domain.DomainErrors.UserNotFound, "The user does not exist.");
    }
}
