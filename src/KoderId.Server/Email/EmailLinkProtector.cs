using System.Security.Cryptography;
using KoderId.Application.Email;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace KoderId.Server.Email;

/// <summary>ASP.NET Core Data Protection (the key ring every node shares, see the Oidc setup): authenticated encryption, base64url.</summary>
internal sealed class EmailLinkProtector(IDataProtectionProvider provider) : IEmailLinkProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("KoderId.Email.Links.v1");

    public string Protect(byte[] payload) => WebEncoders.Base64UrlEncode(_protector.Protect(payload));

    public byte[]? Unprotect(string token)
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
