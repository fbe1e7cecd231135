using KoderId.Application.Common;
using KoderId.Application.Credentials;
using KoderId.Domain;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>
/// A user brought from another system with its id (ADR 0007): created, its password hash kept as it was, its
/// external identities linked, its metadata set and, when it was disabled there, disabled, all in one append. A user that already
/// exists is left as it is (a re-run of the import), so the command is idempotent.
/// </summary>
/// <param name="PasswordHash">An Argon2id PHC string or an imported format (<see cref="Credentials.Legacy.ImportedPasswordHash"/>); never a password.</param>
public sealed record ImportUser(
    string TenantId,
    string UserId,
    string Username,
    string? Email = null,
    bool EmailVerified = false,
    UserProfile? Profile = null,
    string? PasswordHash = null,
    bool PasswordChangeRequired = false,
    bool Disabled = false,
    string? DisabledReason = null,
    IReadOnlyList<ExternalIdentity>? ExternalIdentities = null,
    IReadOnlyList<KeyValuePair<string, byte[]?>>? Metadata = null) : ICommand<ImportUserResult>
{
    // A record prints every member: an imported hash is a credential verifier and never reaches a log line.
    public override string ToString() =>
        $"ImportUser {{ TenantId = {TenantId}, UserId = {UserId}, PasswordHash = {(PasswordHash is null ? "null" : "[redacted]")}, Disabled = {Disabled} }}";
}

/// <param name="Created">False when the user existed already and nothing was appended.</param>
public sealed record ImportUserResult(string UserId, bool Created, long Version);

public sealed class ImportUserHandler(AggregateStore aggregates) : ICommandHandler<ImportUser, ImportUserResult>
{
    public async ValueTask<ImportUserResult> Handle(ImportUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!User.IsValidUserId(command.UserId))
        {
            User.Create(UserState.Initial, command.UserId, command.Username, command.Email, command.EmailVerified, command.Profile);
        }

        if (command.PasswordHash is not null && !PasswordHashingService.IsVerifiable(command.PasswordHash))
        {
            // Refused before anything is written: a hash nobody can verify would lock the user out for good.
            throw new PasswordHashFormatException(PasswordHashFormatError.UnsupportedAlgorithm);
        }

        try
        {
            var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => Decide(s, command), cancellationToken).ConfigureAwait(false);
            return new ImportUserResult(command.UserId, decided.Changed, decided.Version);
        }
        catch (DomainException ex) when (ex.Code == DomainErrors.UserNotFound)
        {
            throw new DomainException(DomainErrors.UserIdTaken, "A user with this id already exists.");
        }
    }

    /// <summary>Every event the import of <paramref name="command"/> appends to a stream in <paramref name="state"/>: none when the user exists.</summary>
    internal static List<object> Decide(UserState state, ImportUser command)
    {
        if (state.Created)
        {
            return [];
        }

        var events = new List<object>();
        void Apply(IReadOnlyList<object> decided)
        {
            events.AddRange(decided);
            state = decided.Aggregate(state, User.Evolve);
        }

        Apply(User.Create(state, command.UserId, command.Username, command.Email, command.EmailVerified, command.Profile));
        if (command.PasswordHash is not null)
        {
            Apply(User.ImportPassword(state, command.PasswordHash, command.PasswordChangeRequired));
        }

        foreach (var identity in command.ExternalIdentities ?? [])
        {
            Apply(User.LinkExternalIdentity(state, identity.IdpId, identity.ExternalUserId, identity.DisplayName));
        }

        if (command.Metadata is { Count: > 0 } metadata)
        {
            Apply(User.ChangeMetadata(state, metadata));
        }

        if (command.Disabled)
        {
            Apply(User.Disable(state, command.DisabledReason));
        }

        return events;
    }
}
