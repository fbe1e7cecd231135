namespace KoderId.Server.Email;

/// <summary>
/// <c>KoderId:Email</c>: the SMTP relay and the default sender. Without <see cref="SmtpHost"/> no mail is sent
/// (each message is dropped with a warning that names its kind only). The password is never logged.
/// </summary>
public sealed class EmailOptions
{
    public const string Section = "KoderId:Email";

    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; } = 587;

    /// <summary><c>StartTls</c> (required STARTTLS, the default), <c>SslOnConnect</c> (implicit TLS, port 465), <c>StartTlsWhenAvailable</c>, <c>None</c> (a local relay only).</summary>
    public string SmtpSecurity { get; set; } = "StartTls";

    public string? SmtpUsername { get; set; }

    public string? SmtpPassword { get; set; }

    public int SmtpTimeoutSeconds { get; set; } = 30;

    /// <summary>The sender when the tenant names none, e.g. <c>no-reply@id.example.com</c>.</summary>
    public string? From { get; set; }

    public string FromName { get; set; } = "Koder ID";

    /// <summary>Whether the host follows the log to send verification links and change notices.</summary>
    public bool Notifications { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SmtpHost) && !string.IsNullOrWhiteSpace(From);

    public override string ToString() => $"EmailOptions {{ SmtpHost = {SmtpHost}, SmtpPort = {SmtpPort}, SmtpSecurity = {SmtpSecurity}, SmtpUsername = {SmtpUsername}, SmtpPassword = [redacted], From = {From} }}";
}
