using KoderId.Application.Email;
using Microsoft.Extensions.Options;

namespace KoderId.Server.Email;

/// <summary>
/// Drains the <see cref="EmailOutbox"/> through the <see cref="IEmailSender"/>, retrying a failed message twice.
/// Log lines name the message's kind and the failure type only: never the address, the body or its link.
/// </summary>
internal sealed partial class EmailDeliveryService(EmailOutbox outbox, IEmailSender sender, IOptions<EmailOptions> options, ILogger<EmailDeliveryService> logger)
    : BackgroundService
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in outbox.Reader.ReadAllAsync(stoppingToken))
            {
                if (!options.Value.IsConfigured)
                {
                    LogNotConfigured(message.Kind);
                    continue;
                }

                await DeliverAsync(message, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: what is still queued is lost; a user asks again (the links are in no other place).
        }
    }

    private async Task DeliverAsync(EmailMessage message, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await sender.SendAsync(message, ct);
                LogSent(message.Kind);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                if (attempt >= Backoff.Length)
                {
                    // The exception's type only: SMTP replies can echo the recipient address.
                    LogFailed(message.Kind, ex.GetType().Name, attempt + 1);
                    return;
                }

                await Task.Delay(Backoff[attempt], ct);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Email {Kind} sent")]
    private partial void LogSent(string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email {Kind} dropped: KoderId:Email:SmtpHost and KoderId:Email:From are not configured")]
    private partial void LogNotConfigured(string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Email {Kind} could not be sent after {Attempts} attempts ({Failure})")]
    private partial void LogFailed(string kind, string failure, int attempts);
}
