using KoderId.Application.Email;
using KoderId.Server.Configuration;
using Microsoft.AspNetCore.DataProtection;

namespace KoderId.Server.Email;

/// <summary><see cref="IEmailLinkProtector"/> on ASP.NET Core Data Protection (<see cref="UrlSafeProtector"/>).</summary>
internal sealed class EmailLinkProtector(IDataProtectionProvider provider) : IEmailLinkProtector
{
    private readonly UrlSafeProtector _protector = new(provider, "KoderId.Email.Links.v1");

    public string Protect(byte[] payload) => _protector.Seal(payload);

    public byte[]? Unprotect(string token) => _protector.Unseal(token);
}
