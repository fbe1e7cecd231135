namespace KoderId.Application.Mfa;

/// <summary>
/// Enrols a TOTP secret brought from another system (a Zitadel export's <c>otpCode</c>) as a confirmed TOTP, as
/// if the user had enrolled and confirmed it here. The importer's port onto the MFA feature.
/// </summary>
public interface ITotpSeedImport
{
    /// <param name="base32Secret">The RFC 4648 base32 secret (the <c>secret=</c> of an <c>otpauth://</c> URI).</param>
    /// <returns>False when the user already has a confirmed TOTP (a re-run of the import).</returns>
    ValueTask<bool> ImportAsync(string tenantId, string userId, string base32Secret, CancellationToken ct);
}
