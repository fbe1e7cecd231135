using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace KoderId.Server.Configuration;

/// <summary>
/// ASP.NET Core Data Protection under one purpose (the key ring every node shares, see the Oidc setup), as base64url
/// text: authenticated encryption for payloads that travel in links or sit in transient rows. A token that is not
/// base64url, was tampered with or sealed under another purpose or key ring unseals to null.
/// </summary>
internal sealed class UrlSafeProtector(IDataProtectionProvider provider, string purpose)
{
    private readonly IDataProtector _protector = provider.CreateProtector(purpose);

    public string Seal(byte[] payload) => WebEncoders.Base64UrlEncode(_protector.Protect(payload));

    public byte[]? Unseal(string token)
    {
        try
        {
            return _protector.Unprotect(WebEncoders.Base64UrlDecode(token));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }
    }
}
