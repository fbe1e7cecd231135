using System.Security.Cryptography;
using KoderId.Application.Email;

namespace KoderId.Application.Tests.Email;

/// <summary>Seals with HMAC-SHA256 under a random key (the host uses Data Protection): forged or altered tokens read as null.</summary>
internal sealed class HmacLinkProtector : IEmailLinkProtector
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Protect(byte[] payload) => Convert.ToHexString(payload) + "." + Convert.ToHexString(HMACSHA256.HashData(_key, payload));

    public byte[]? Unprotect(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 2)
        {
            return null;
        }

        try
        {
            var payload = Convert.FromHexString(parts[0]);
            return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payload), Convert.FromHexString(parts[1])) ? payload : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>Every tenant at <c>https://{tenant}.id.example.com</c>.</summary>
internal sealed class FixedEmailOrigins : IEmailOrigins
{
    public ValueTask<EmailTenant?> GetAsync(string tenantId, CancellationToken ct) =>
        ValueTask.FromResult<EmailTenant?>(new EmailTenant($"https://{tenantId}.id.example.com", null, AllowEmailOtp: true));
}
