using KoderId.Application.Email;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace KoderId.Server.Email;

/// <summary>SMTP through MailKit: one connection per message (mail here is rare: links and codes, not newsletters).</summary>
internal sealed class MailKitEmailSender(IOptions<EmailOptions> options) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var o = options.Value;
        if (!o.IsConfigured)
        {
            throw new InvalidOperationException("KoderId:Email:SmtpHost and KoderId:Email:From are not configured.");
        }

        using var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(o.FromName, message.From ?? o.From!));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.Headers.Add("Auto-Submitted", "auto-generated");
        mime.Headers.Add("X-KoderId-Kind", message.Kind);
        mime.Body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html }.ToMessageBody();

        using var client = new SmtpClient { Timeout = o.SmtpTimeoutSeconds * 1000 };
        await client.ConnectAsync(o.SmtpHost!, o.SmtpPort, Security(o.SmtpSecurity), ct).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(o.SmtpUsername))
        {
            await client.AuthenticateAsync(o.SmtpUsername, o.SmtpPassword ?? "", ct).ConfigureAwait(false);
        }

        await client.SendAsync(mime, ct).ConfigureAwait(false);
        await client.DisconnectAsync(quit: true, ct).ConfigureAwait(false);
    }

    internal static SecureSocketOptions Security(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "none" => SecureSocketOptions.None,
        "sslonconnect" => SecureSocketOptions.SslOnConnect,
        "starttlswhenavailable" => SecureSocketOptions.StartTlsWhenAvailable,
        _ => SecureSocketOptions.StartTls,
    };
}
