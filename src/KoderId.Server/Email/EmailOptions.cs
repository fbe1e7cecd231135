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

/// <summary>Refuses a bad <c>KoderId:Email</c> value at start-up with one line naming the setting (never echoing the password).</summary>
internal sealed class EmailOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<EmailOptions>
{
    private static readonly string[] Securities = ["StartTls", "SslOnConnect", "StartTlsWhenAvailable", "None"];

    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Securities.Contains(options.SmtpSecurity, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{EmailOptions.Section}:SmtpSecurity is one of {string.Join(", ", Securities)}.");
        }

        if (options.SmtpPort is < 1 or > 65_535)
        {
            failures.Add($"{EmailOptions.Section}:SmtpPort is 1 to 65535.");
        }

        if (options.SmtpTimeoutSeconds is < 1 or > 600)
        {
            failures.Add($"{EmailOptions.Section}:SmtpTimeoutSeconds is 1 to 600.");
        }

        if (!string.IsNullOrWhiteSpace(options.From) && !System.Net.Mail.MailAddress.TryCreate(options.From, out _))
        {
            failures.Add($"{EmailOptions.Section}:From is not an email address.");
        }

        return failures.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
    }
}
