using KoderId.Application.Email;
using KoderId.Domain;
using KoderId.Domain.Users;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using KoderId.EventSourcing.Subscriptions;
using KoderId.Events.Users;
using Microsoft.Extensions.Options;

namespace KoderId.Server.Email;

/// <summary>
/// Follows the log and mails what new user events call for: a verification link for a new pending address (a
/// user created with one, an email change) and a notice to the previous address when it changes. It is a
/// subscription with its own checkpoint, not a projection: a projection rebuild or a replay never reaches it,
/// and the first time it runs it starts at the head of the log, so enabling it never mails the past.
/// At-least-once: a crash between a send and the checkpoint can send a message twice, never skip one.
/// </summary>
internal sealed partial class EmailNotificationsService(
    IEventStore store,
    EventSerializer serializer,
    IReadModelStore readModels,
    EmailMailer mailer,
    IOptions<EmailOptions> options,
    ILogger<EmailNotificationsService> logger) : BackgroundService
{
    public const string CheckpointName = "email-notifications";

    private static readonly HashSet<string> Handled = new(StringComparer.Ordinal) { "user.created.v1", "user.email-changed.v1" };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Notifications)
        {
            return;
        }

        var checkpoints = new SqlCheckpointStore(readModels);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // One node sends (as one node runs each async projection): the others wait for the lease.
                await using var lease = await readModels.TryAcquireLeaseAsync("subscription:" + CheckpointName, stoppingToken);
                if (lease is null)
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                    continue;
                }

                if (await checkpoints.LoadAsync(CheckpointName, stoppingToken) == 0)
                {
                    var head = await store.ReadHeadAsync(stoppingToken);
                    await checkpoints.SaveAsync(CheckpointName, head.Position, stoppingToken);
                }

                await new CatchUpSubscription(store, checkpoints, CheckpointName, HandleAsync, batchSize: 200).RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or EventStoreException)
            {
                LogStorageFailure(ex.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    private async ValueTask HandleAsync(StoredEvent stored, CancellationToken ct)
    {
        if (!Handled.Contains(stored.EventType))
        {
            return;
        }

        var decoded = await serializer.DeserializeAsync(stored, ct);
        if (decoded.ErasedFields.Count > 0)
        {
            return; // erased since: there is no address to write to, and none may be recovered.
        }

        try
        {
            switch (decoded.Event)
            {
                case UserCreated { Email: { } email, EmailVerified: false } created:
                    await mailer.SendVerificationAsync(stored.TenantId, created.UserId, email, ct);
                    break;
                case UserEmailChanged changed:
                    var previous = await PreviousEmailAsync(stored, ct);
                    if (!changed.EmailVerified)
                    {
                        await mailer.SendVerificationAsync(stored.TenantId, changed.UserId, changed.Email, ct);
                    }

                    if (previous is not null && !string.Equals(User.EmailKey(previous), User.EmailKey(changed.Email), StringComparison.Ordinal))
                    {
                        await mailer.SendEmailChangedNoticeAsync(stored.TenantId, previous, ct);
                    }

                    break;
            }
        }
        catch (DomainException ex) when (ex.Code == DomainErrors.EmailUnavailable)
        {
            LogNoOrigin(stored.EventType, stored.Position);
        }
    }

    /// <summary>The address the user had just before this event: its stream folded up to the version before.</summary>
    private async Task<string?> PreviousEmailAsync(StoredEvent stored, CancellationToken ct)
    {
        if (stored.StreamVersion <= 1)
        {
            return null;
        }

        var state = UserState.Initial;
        await foreach (var e in store.ReadStreamAsync(stored.TenantId, stored.StreamId, ReadDirection.Forward, 1, (int)Math.Min(stored.StreamVersion - 1, int.MaxValue), ct))
        {
            var decoded = await serializer.DeserializeAsync(e, ct);
            if (decoded.ErasedFields.Count > 0)
            {
                return null;
            }

            state = User.Evolve(state, decoded.Event);
        }

        return state.Email;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No email for {EventType} at position {Position}: the tenant has no public origin (KoderId:Oidc:PublicOrigin, KoderId:Tenancy:BaseDomain or its email.publicOrigin setting)")]
    private partial void LogNoOrigin(string eventType, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email notifications paused by a storage failure ({Failure}); resuming from the checkpoint")]
    private partial void LogStorageFailure(string failure);
}
