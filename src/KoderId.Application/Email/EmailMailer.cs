using System.Net;
using KoderId.Domain;

namespace KoderId.Application.Email;

/// <summary>
/// Builds each email (text and HTML, every value HTML-encoded) with links on the tenant's configured origin,
/// and queues it on the <see cref="EmailOutbox"/>. The only place a link with a token is put together.
/// </summary>
public sealed class EmailMailer(EmailLinks links, IEmailOrigins origins, EmailOutbox outbox)
{
    public const string VerifyPath = "/ui/email/verify";
    public const string ResetPath = "/ui/password/reset";
    public const string MagicPath = "/ui/login/magic";

    public async Task SendVerificationAsync(string tenantId, string userId, string email, CancellationToken ct)
    {
        var tenant = await TenantAsync(tenantId, ct).ConfigureAwait(false);
        var token = await links.IssueAsync(EmailLinks.VerifyKind, tenantId, userId, email, EmailLinks.VerifyLifetime, null, ct).ConfigureAwait(false);
        var link = $"{tenant.Origin}{VerifyPath}?token={Uri.EscapeDataString(token)}";
        outbox.Enqueue(Compose("email-verification", email, tenant, "Confirm your email address",
            "Confirm that this address is yours by opening the link below. The link works once and expires in 24 hours.",
            link, "Confirm email address",
            "If you did not ask for this, ignore this message."));
    }

    public async Task SendEmailChangedNoticeAsync(string tenantId, string oldEmail, CancellationToken ct)
    {
        var tenant = await TenantAsync(tenantId, ct).ConfigureAwait(false);
        outbox.Enqueue(Compose("email-changed-notice", oldEmail, tenant, "Your email address was changed",
            "The email address of your account was changed and this address no longer receives its messages.",
            null, null,
            "If you did not make this change, contact your administrator at once: someone else may control your account."));
    }

    public async Task SendPasswordResetAsync(string tenantId, string userId, string email, string? passwordPhc, CancellationToken ct)
    {
        var tenant = await TenantAsync(tenantId, ct).ConfigureAwait(false);
        var token = await links.IssueAsync(EmailLinks.ResetKind, tenantId, userId, email, EmailLinks.ResetLifetime, EmailLinks.PasswordFingerprint(passwordPhc), ct).ConfigureAwait(false);
        var link = $"{tenant.Origin}{ResetPath}?token={Uri.EscapeDataString(token)}";
        outbox.Enqueue(Compose("password-reset", email, tenant, "Reset your password",
            "Choose a new password by opening the link below. The link works once and expires in 30 minutes. Every device signed in to your account will be signed out.",
            link, "Choose a new password",
            "If you did not ask for this, ignore this message: your password stays as it is."));
    }

    public async Task SendLoginCodeAsync(string tenantId, string email, string code, string flowId, string magicToken, CancellationToken ct)
    {
        var tenant = await TenantAsync(tenantId, ct).ConfigureAwait(false);
        var link = $"{tenant.Origin}{MagicPath}?flow={Uri.EscapeDataString(flowId)}&token={Uri.EscapeDataString(magicToken)}";
        outbox.Enqueue(Compose("login-code", email, tenant, $"Your sign-in code: {code}",
            $"Your sign-in code is {code}. Enter it on the sign-in page, or open the link below in the same browser. It expires in 5 minutes.",
            link, "Sign in",
            "If you are not signing in, ignore this message and consider changing your password."));
    }

    private async Task<EmailTenant> TenantAsync(string tenantId, CancellationToken ct) =>
        await origins.GetAsync(tenantId, ct).ConfigureAwait(false)
        ?? throw new DomainException(DomainErrors.EmailUnavailable, "Email is not available: the server has no public origin for this tenant.");

    private static EmailMessage Compose(string kind, string to, EmailTenant tenant, string subject, string lead, string? link, string? action, string footer)
    {
        var text = link is null ? $"{lead}\n\n{footer}\n" : $"{lead}\n\n{link}\n\n{footer}\n";
        var button = link is null ? "" : $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">{WebUtility.HtmlEncode(action)}</a></p>\n<p>Or copy this address into your browser:<br>{WebUtility.HtmlEncode(link)}</p>\n";
        var html = $"<!DOCTYPE html>\n<html><body>\n<p>{WebUtility.HtmlEncode(lead)}</p>\n{button}<p>{WebUtility.HtmlEncode(footer)}</p>\n</body></html>\n";
        return new EmailMessage(kind, to, subject, text, html, tenant.From);
    }
}
