namespace KoderId.Application.Email;

/// <summary>Sends one message over the configured transport (SMTP with MailKit in the host). Throws on a transport failure.</summary>
public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken ct);
}

/// <summary>
/// One email with a plain-text and an HTML body. <see cref="Kind"/> names the template for logs and metrics:
/// a log line carries the kind, never the address, the body or a link (which holds a token).
/// </summary>
public sealed record EmailMessage(string Kind, string To, string Subject, string Text, string Html, string? From = null)
{
    public override string ToString() => $"EmailMessage {{ Kind = {Kind}, To = [redacted], Subject = {Subject}, Body = [redacted] }}";
}

/// <summary>
/// Seals a link token's payload (authenticated encryption with the server's key ring), so a token cannot be
/// forged or altered; <see cref="Unprotect"/> answers null for anything it did not seal.
/// </summary>
public interface IEmailLinkProtector
{
    string Protect(byte[] payload);

    byte[]? Unprotect(string token);
}

/// <summary>
/// Where a tenant's email links point and who they come from: the tenant's configured origin, else its issuer
/// origin from the server configuration. Never a request header (ADR 0006): a forged Host cannot redirect a link.
/// Null when the server has no way to build an origin for the tenant.
/// </summary>
public interface IEmailOrigins
{
    ValueTask<EmailTenant?> GetAsync(string tenantId, CancellationToken ct);
}

/// <param name="Origin">Scheme, host and port, no trailing slash: <c>https://acme.id.example</c>.</param>
/// <param name="From">The tenant's sender address, or null for the server's.</param>
public sealed record EmailTenant(string Origin, string? From, bool AllowEmailOtp);
