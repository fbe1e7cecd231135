using System.Security.Cryptography;
using KoderId.Application.Flows;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace KoderId.Server.Flows;

/// <summary><see cref="IFlowSecrets"/> on ASP.NET Core Data Protection (the key ring every node shares, see the Oidc setup), base64url.</summary>
internal sealed class FlowSecrets(IDataProtectionProvider provider) : IFlowSecrets
{
    private readonly IDataProtector _protector = provider.CreateProtector("KoderId.Flows.Secrets.v1");

    public string Seal(byte[] payload) => WebEncoders.Base64UrlEncode(_protector.Protect(payload));

    public byte[]? Unseal(string sealedPayload)
    {
        try
        {
            return _protector.Unprotect(WebEncoders.Base64UrlDecode(sealedPayload));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }
    }
}
